"""Shut eyes for the "pasted" family: the source's own blink, or a drawn shut eye."""

from __future__ import annotations

import math

import cv2
import numpy as np

from .closures import deepest_closure
from .sources import EYE_OUTER, LID_LOWER, LID_UPPER, Image, Mesh

# Points around one eye that a blink does not move (corners, brow, upper cheek): the donor
# frame is aligned to the current frame on these.
_EYE_FRAME = {
    "right": (33, 133, 70, 63, 105, 66, 107, 118, 117, 50, 6),
    "left": (263, 362, 300, 293, 334, 296, 336, 347, 346, 280, 6),
}
DONOR_MIN_CLOSURE = 0.6
"""A source frame whose eye lost at least this much of its open aperture (a natural blink,
as MediaPipe reads it) can lend its closed eye."""


def find_donors(frames: list[Image], meshes: list[Mesh | None]) -> dict[str, int]:
    """Index of the most closed frame per eye, if the source blinks (else no entry)."""
    return {s: k for s, (k, c) in deepest_closure(meshes).items() if c >= DONOR_MIN_CLOSURE}


def paste_closed_eye(
    img: Image, mesh: Mesh, donor: Image, donor_mesh: Mesh, side: str, alpha: float
) -> Image:
    """Blend the donor frame's closed eye (aligned on stable points) over one eye of ``img``.

    A real shut eye of the same person looks shut to the landmarker (a warped lid reads
    only ~0.5 closed); the feathered elliptical patch covers both lids and the lashes.
    """
    if alpha <= 0:
        return img
    idx = list(_EYE_FRAME[side])
    m, _ = cv2.estimateAffinePartial2D(
        donor_mesh[idx].astype(np.float32), mesh[idx].astype(np.float32)
    )
    if m is None:
        return img
    h, w = img.shape[:2]
    moved = cv2.warpAffine(donor, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    c_out, c_in = mesh[EYE_OUTER[side]], mesh[133 if side == "right" else 362]
    centre = (c_out + c_in) / 2
    width = float(np.linalg.norm(c_out - c_in))
    angle = math.degrees(math.atan2(c_in[1] - c_out[1], c_in[0] - c_out[0]))
    mask = np.zeros((h, w), np.float32)
    axes = (round(0.85 * width), round(0.5 * width))
    cv2.ellipse(mask, (round(centre[0]), round(centre[1])), axes, angle, 0, 360, (1.0,), -1)
    k = 2 * round(0.15 * width) + 1
    mask = cv2.GaussianBlur(mask, (k, k), 0) * float(min(alpha, 1.0))
    out = (
        img.astype(np.float32) * (1 - mask[..., None]) + moved.astype(np.float32) * mask[..., None]
    )
    return np.clip(out, 0, 255).astype(np.uint8)


def synth_closed_eye(img: Image, mesh: Mesh, side: str) -> Image:
    """``img`` with one eye drawn shut, for a face with no blink of its own to lend.

    Each column of the eye opening is rebuilt from lid skin: rows above the closed-lid line
    sample the upper-lid skin (from 0.25 IOD above the lid down to just above the lash
    margin, stretched), rows below sample the lower-lid skin (compressed); a dark lash line
    is drawn where the lids meet (two thirds of the way down, as in a shut eye) and the
    seam is feathered. MediaPipe reads this as shut (≥ 0.7) where the lid warp reads ~0.5.
    """
    h, w = img.shape[:2]
    iod = float(np.linalg.norm(mesh[EYE_OUTER["left"]] - mesh[EYE_OUTER["right"]]))
    up = mesh[list(LID_UPPER[side])]
    lo = mesh[list(LID_LOWER[side])]
    ou, ol = np.argsort(up[:, 0]), np.argsort(lo[:, 0])
    xa, xb = float(up[:, 0].min()), float(up[:, 0].max())
    pad = 0.06 * iod
    x0, x1 = max(0, int(xa - pad)), min(w, int(xb + pad) + 1)
    y0 = max(0, int(up[:, 1].min() - 0.3 * iod))
    y1 = min(h, int(lo[:, 1].max() + 0.2 * iod) + 1)
    xs = np.arange(x0, x1, dtype=np.float32)
    ys = np.arange(y0, y1, dtype=np.float32)[:, None]
    xc = np.clip(xs, xa, xb)
    yu = np.interp(xc, up[ou, 0], up[ou, 1]).astype(np.float32)[None, :]
    yl = np.interp(xc, lo[ol, 0], lo[ol, 1]).astype(np.float32)[None, :]
    margin = np.float32(0.035 * iod)  # skip the upper lashes and the lower lid margin
    ym = yu + np.float32(2 / 3) * (yl - yu)
    top = yu - np.float32(0.25 * iod)
    bottom = yl + np.float32(0.15 * iod)
    src_hi = top + (ys - top) * (yu - margin - top) / np.maximum(ym - top, 1e-3)
    src_lo = bottom - (bottom - ys) * (bottom - (yl + margin)) / np.maximum(bottom - ym, 1e-3)
    sy = np.where(ys < ym, src_hi, src_lo)
    sy = np.where((ys >= top) & (ys <= bottom), sy, ys).astype(np.float32)
    sx = np.broadcast_to(xs[None, :], sy.shape).astype(np.float32)
    patch = cv2.remap(img, sx, sy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    # lash line where the lids meet: darker than the skin, slightly thick at the middle
    line = np.stack([xs, ym[0]], axis=1)[(xs >= xa) & (xs <= xb)] - (x0, y0)
    lash = np.zeros(patch.shape[:2], np.float32)
    thick = max(1, round(0.018 * iod))
    cv2.polylines(lash, [np.round(line).astype(np.int32)], False, (1.0,), thick, cv2.LINE_AA)
    lash = np.asarray(cv2.GaussianBlur(lash, (0, 0), max(0.6, 0.006 * iod)), np.float32)
    dark = patch.astype(np.float32) * (1 - 0.6 * lash[..., None])
    # feathered mask: the lid opening widened by the margins
    poly = np.concatenate([up[ou], lo[ol][::-1]]) - (x0, y0)
    mask = np.zeros(patch.shape[:2], np.float32)
    cv2.fillPoly(mask, [np.round(poly).astype(np.int32)], (1.0,))
    k = 2 * max(1, round(0.03 * iod)) + 1
    mask = np.asarray(cv2.dilate(mask, np.ones((k, k), np.uint8)), np.float32)
    mask = np.asarray(cv2.GaussianBlur(mask, (0, 0), max(1.0, 0.015 * iod)), np.float32)[..., None]
    roi = img[y0:y1, x0:x1].astype(np.float32)
    out = img.copy()
    out[y0:y1, x0:x1] = np.clip(roi * (1 - mask) + dark * mask, 0, 255).astype(np.uint8)
    return out
