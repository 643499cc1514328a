"""Face sources shared by both ground-truth families: the astronaut, shared clips played
back and forth, and the full MediaPipe mesh of each untouched frame (what the warps follow).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from hemifacial.video.decode import iter_frames
from hemifacial.video.encode import write_h264

Image = npt.NDArray[np.uint8]
Mesh = npt.NDArray[np.float64]  # (478, 2) pixel coordinates

# Full-mesh (478-point) MediaPipe indices; sides are the patient's.
LID_UPPER = {
    "right": (33, 246, 161, 160, 159, 158, 157, 173, 133),
    "left": (263, 466, 388, 387, 386, 385, 384, 398, 362),
}
LID_LOWER = {
    "right": (33, 7, 163, 144, 145, 153, 154, 155, 133),
    "left": (263, 249, 390, 373, 374, 380, 381, 382, 362),
}
BROW = {"right": (70, 63, 105, 66, 107), "left": (300, 293, 334, 296, 336)}
CHEEK = {"right": (118, 117, 50), "left": (347, 346, 280)}
MOUTH_CORNER = {"right": 61, "left": 291}
EYE_OUTER = {"right": 33, "left": 263}


def cycle_indices(n: int) -> list[int]:
    """Source frame indices played back and forth (as :func:`_source_frames` does)."""
    c = list(range(n))
    return c + c[-2:0:-1] if n > 2 else c


@functools.lru_cache(maxsize=1)
def source_meshes(source: str) -> tuple[list[Image], list[Mesh | None]]:
    """Frames of a source clip and their MediaPipe meshes (cached: schedule + clip)."""
    finder = MeshFinder()
    try:
        frames = [f.rgb for f in iter_frames(source)]
        return frames, [finder(f) for f in frames]
    finally:
        finder.close()


def astronaut_face(size: int = 480) -> Image:
    """The face of ``skimage.data.astronaut()``, cropped and scaled to ``size`` px square."""
    from skimage import data

    load: Any = data.astronaut
    img = np.asarray(load(), dtype=np.uint8)[20:260, 110:350]
    return np.asarray(cv2.resize(img, (size, size), interpolation=cv2.INTER_CUBIC), np.uint8)


class MeshFinder:
    """Full 478-point MediaPipe mesh of the unmodified frames (tracking mode)."""

    def __init__(self) -> None:
        import mediapipe as mp

        self._fm = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=False, refine_landmarks=True, max_num_faces=1
        )

    def __call__(self, img: Image) -> Mesh | None:
        res = self._fm.process(img)
        if not res.multi_face_landmarks:
            return None
        h, w = img.shape[:2]
        lm = res.multi_face_landmarks[0].landmark
        return np.array([(p.x * w, p.y * h) for p in lm], dtype=np.float64)

    def close(self) -> None:
        self._fm.close()


def head_motion(t: float, phase: npt.NDArray[np.float64], amp: float) -> tuple[float, float, float]:
    """Smooth head motion: roll (deg), shift x, shift y (fractions of the frame)."""
    roll = amp * 5.0 * math.sin(2 * math.pi * 0.13 * t + phase[0])
    dx = amp * 0.03 * math.sin(2 * math.pi * 0.09 * t + phase[1])
    dy = amp * 0.02 * math.sin(2 * math.pi * 0.11 * t + phase[2])
    return roll, dx, dy


def source_frames(
    source: str | Path, duration_s: float, fps: float
) -> Iterator[tuple[float, Image]]:
    """(time, frame) pairs: a still astronaut, a blank card, or a clip played back and forth."""
    n = round(duration_s * fps)
    if source in ("astronaut", "blank"):
        if source == "astronaut":
            base = astronaut_face()
        else:  # a textured grey card (texture so that the sharpness gate passes)
            card = np.random.default_rng(0).integers(70, 190, (60, 60, 3)).astype(np.uint8)
            base = np.asarray(cv2.resize(card, (480, 480), interpolation=cv2.INTER_NEAREST))
        for i in range(n):
            yield i / fps, base
        return
    frames = [f.rgb for f in iter_frames(source)]
    if not frames:
        raise ValueError(f"no frames in {source}")
    cycle = frames + frames[-2:0:-1] if len(frames) > 2 else frames
    for i in range(n):
        yield i / fps, cycle[i % len(cycle)]


def loop_clip(src: str | Path, dst: str | Path, duration_s: float, fps: float = 30.0) -> int:
    """Re-encode ``src`` played back and forth to ``duration_s`` (no warping); frame count."""
    frames = (img for _, img in source_frames(src, duration_s, fps))
    return write_h264(dst, frames, fps=fps, options={"preset": "veryfast", "crf": "20"})
