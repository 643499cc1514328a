"""Annotated video: landmarks, per-side closure bars and the current event drawn on frames."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np

from hemifacial.analysis.types import VideoAnalysis

from .decode import iter_frames, probe
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
    out = av.open(str(dst), mode="w")
    stream = None
    try:
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
            note = "patient's R on image left" if not mirrored else "mirrored: R on image right"
            cv2.putText(img, note, (8, h - 10), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 0), 1)
            if stream is None:
                stream = out.add_stream("libx264", rate=30)
                stream.width, stream.height = w - w % 2, h - h % 2
                stream.pix_fmt = "yuv420p"
            frame = av.VideoFrame.from_ndarray(img[: h - h % 2, : w - w % 2], format="rgb24")
            for pkt in stream.encode(frame):
                out.mux(pkt)
        if stream is not None:
            for pkt in stream.encode():
                out.mux(pkt)
    finally:
        out.close()
        lm.close()
