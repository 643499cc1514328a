"""What each eye looks like, frame by frame: the pixels behind the appearance cue.

When a lid closes, the dark iris and pupil and the bright sclera go behind skin, whatever
the landmarks say (MediaPipe reads a half closure of a warped lid as ~0.16, and sometimes
moves both lids for one). So each worker samples, for every frame with a face, a small
luma patch of each eye in the eye's own frame: between its two corners, turned with the
head, :data:`PATCH_UP` / :data:`PATCH_DOWN` eye widths above and below the corner line,
resampled to :data:`PATCH_W` × :data:`PATCH_H` pixels whatever the face size, and keeps a
:data:`THUMB_W` × :data:`THUMB_H` thumbnail of it (60 bytes an eye). The patch is placed
by the eye corners only, which barely move when the lid closes, never by the lid points,
which are what fail.

:mod:`hemifacial.analysis.appearance` compares each thumbnail with that eye's usual look
in the same clip. Cost: ~40 µs a frame for both eyes (a frame costs 4–8 ms).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from hemifacial.analysis import landmark_ids as ids

PATCH_W = 24
PATCH_H = 10
"""Size of the resampled eye patch (luma pixels): about the decoded eye's own size at the
workers' face scale (~80 px between the outer eye corners, so ~25 px per eye)."""
PATCH_UP = 0.22
PATCH_DOWN = 0.14
"""Patch extent above and below the line between the eye corners, in eye widths (corner to
corner): an open eye's upper lid rises ~0.2 and its lower lid falls ~0.1 eye widths from
that line, so the patch holds the opening and a little lid skin."""
PATCH_ALONG = 0.45
"""Half the patch's extent along the corner line, in eye widths (a little inside the corners)."""
THUMB_W = PATCH_W // 2
THUMB_H = PATCH_H // 2
"""Size of the kept thumbnail (the patch averaged over 2 × 2 pixels)."""

_SIDES = ("right", "left")
_OUTER = [ids.pos(ids.EYE_OUTER[s]) for s in _SIDES]
_INNER = [ids.pos(ids.EYE_INNER[s]) for s in _SIDES]
NO_EYES = np.zeros((2, THUMB_H, THUMB_W), np.uint8)
"""The thumbnails of a frame without a face or with a degenerate eye (read-only, shared)."""
NO_EYES.setflags(write=False)


def _affine(o: tuple[float, float], i: tuple[float, float]) -> npt.NDArray[np.float64] | None:
    """The affine map from patch pixels to image pixels for an eye with corners ``o``
    (outer) and ``i`` (inner), or None for a degenerate eye. Patch x runs from the outer
    towards the inner corner, patch y down the image (perpendicular to the corner line)."""
    ux, uy = i[0] - o[0], i[1] - o[1]
    w = math.hypot(ux, uy)
    if not math.isfinite(w) or w < 2.0:
        return None
    ux, uy = ux / w, uy / w
    nx, ny = (-uy, ux) if ux >= 0 else (uy, -ux)  # the normal that points down the image
    cx, cy = (o[0] + i[0]) / 2, (o[1] + i[1]) / 2
    ax = 2 * PATCH_ALONG * w / PATCH_W
    ay = (PATCH_UP + PATCH_DOWN) * w / PATCH_H
    ox = cx - PATCH_ALONG * w * ux - PATCH_UP * w * nx
    oy = cy - PATCH_ALONG * w * uy - PATCH_UP * w * ny
    return np.array([[ux * ax, nx * ay, ox], [uy * ax, ny * ay, oy]])


def eye_patches(
    rgb: npt.NDArray[np.uint8], pts_px: npt.NDArray[np.float32]
) -> npt.NDArray[np.uint8] | None:
    """The luma patches of the patient's right and left eye, (2, ``PATCH_H``, ``PATCH_W``)
    uint8, from the kept points in pixels (None when an eye is degenerate)."""
    import cv2  # in the workers only (see decode._to_rgb)

    both = np.empty((2 * PATCH_H, PATCH_W, 3), np.uint8)
    for k in range(2):
        o, i = pts_px[_OUTER[k]], pts_px[_INNER[k]]
        m = _affine((float(o[0]), float(o[1])), (float(i[0]), float(i[1])))
        if m is None:
            return None
        cv2.warpAffine(
            rgb,
            m,
            (PATCH_W, PATCH_H),
            dst=both[k * PATCH_H : (k + 1) * PATCH_H],
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REPLICATE,
        )
    gray = np.asarray(cv2.cvtColor(both, cv2.COLOR_RGB2GRAY), np.uint8)
    return gray.reshape(2, PATCH_H, PATCH_W)


def eye_thumbnails(
    rgb: npt.NDArray[np.uint8], pts_px: npt.NDArray[np.float32]
) -> npt.NDArray[np.uint8]:
    """(2, :data:`THUMB_H`, :data:`THUMB_W`) luma thumbnails of the patient's right and left
    eye (all zero for a degenerate eye). Rows follow the points: a mirrored clip swaps them
    with its points (each is sampled in the eye's own frame, outer to inner corner)."""
    import cv2

    patches = eye_patches(rgb, pts_px)
    if patches is None:
        return NO_EYES
    small = cv2.resize(
        patches.reshape(2 * PATCH_H, PATCH_W), (THUMB_W, 2 * THUMB_H), interpolation=cv2.INTER_AREA
    )
    return np.asarray(small, np.uint8).reshape(2, THUMB_H, THUMB_W)
