"""Annotated video: landmarks, per-side closure bars and the current event drawn on frames."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from hemifacial.analysis.types import VideoAnalysis

from .decode import iter_frames, probe
from .encode import write_h264
from .landmarks import MediaPipeLandmarker
from .pipeline import initial_scale


def write_overlay(
    src: str | Path, analysis: VideoAnalysis, dst: str | Path, *, mirrored: bool = False
) -> None:
    """Write ``dst`` (mp4, H.264): the clip with landmarks and events drawn on it.

    Side labels are the patient's (swapped when ``mirrored``).
    """
    info = probe(src)
    lm = MediaPipeLandmarker()
    events = [e for e in analysis.events if e.kind != "blink"]
    note = "patient's R on image left" if not mirrored else "mirrored: R on image right"

    def annotated() -> Iterator[npt.NDArray[np.uint8]]:
        for fr in iter_frames(src, scale=initial_scale(info), info=info):
            img = np.ascontiguousarray(fr.rgb)
            h, w = img.shape[:2]
            pts = lm.process(img)
            if pts is not None:
                for x, y in pts[:, :2] * (w, h):
                    cv2.circle(img, (int(x), int(y)), 1, (0, 255, 0), -1)
            active = [e for e in events if e.start_s <= fr.t <= e.end_s]
            text = f"t={fr.t:5.2f}s " + ", ".join(
                f"{e.kind.replace('_', ' ')} ({e.side})" for e in active
            )
            colour = (255, 60, 60) if active else (255, 255, 255)
            cv2.putText(img, text, (8, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.5, colour, 1)
            cv2.putText(img, note, (8, h - 10), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 0), 1)
            yield img

    try:
        write_h264(dst, annotated())
    finally:
        lm.close()
