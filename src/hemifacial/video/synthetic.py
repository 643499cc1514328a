"""Ground-truth generator: real faces given one-sided spasms of known timing, side and depth.

A real face (``skimage.data.astronaut()`` or the frames of a shared clip) is warped frame by
frame around its own MediaPipe landmarks: on one side the upper eyelid is drawn down over
the eye (clonic twitches or tonic closures), the brow is pulled down (or lifted: the "other
Babinski" sign), and with spread the cheek rises and the mouth corner is pulled towards the
eye. Head motion (astronaut) and sensor noise are added; the clip is written with PyAV and
the ground truth returned. Sides are the patient's; times are seconds.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import numpy.typing as npt

from ..analysis.runs import true_runs
from .decode import iter_frames
from .encode import write_h264

Image = npt.NDArray[np.uint8]
Mesh = npt.NDArray[np.float64]  # (478, 2) pixel coordinates

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

_ZERO = {"closure": 0.0, "brow": 0.0, "cheek": 0.0, "mouth": 0.0}
RAMP_UP_S = 0.06
RAMP_DOWN_S = 0.08


@dataclass(frozen=True)
class SpasmSpec:
    """One injected one-sided event (the ground truth)."""

    start_s: float
    duration_s: float
    side: str
    kind: str  # "clonic" | "tonic"
    depth: float  # fraction of the eyelid aperture closed at the peak
    spread: bool  # cheek and mouth corner involved
    brow_lift: bool  # brow lifts instead of lowering (other Babinski sign)

    @property
    def end_s(self) -> float:
        """End time in seconds."""
        return self.start_s + self.duration_s


def random_schedule(
    duration_s: float,
    rng: np.random.Generator,
    *,
    sides: tuple[str, ...] = ("right",),
    avoid: list[tuple[float, float]] | tuple[()] = (),
) -> list[SpasmSpec]:
    """A random train of clonic and tonic events with at least 1.2 s between them.

    No event overlaps an ``avoid`` interval (the source's own natural closures, see
    :func:`natural_closures`): an event that would is moved to just after it."""
    out: list[SpasmSpec] = []
    t = 1.0 + rng.uniform(0, 1)
    while True:
        tonic = rng.random() < 0.35
        dur = rng.uniform(1.3, 3.0) if tonic else rng.uniform(0.15, 0.5)
        clash = next((b for a, b in avoid if t < b and t + dur > a), None)
        if clash is not None:
            t = clash + rng.uniform(0.2, 0.8)
            continue
        if t + dur > duration_s - 0.8:
            break
        out.append(
            SpasmSpec(
                start_s=round(t, 3),
                duration_s=round(dur, 3),
                side=str(rng.choice(sides)),
                kind="tonic" if tonic else "clonic",
                depth=round(rng.uniform(0.75, 1.0), 2),
                spread=bool(rng.random() < 0.6),
                brow_lift=bool(rng.random() < 0.2),
            )
        )
        t += dur + rng.uniform(1.2, 3.0)
    return out


def activation(t: float, spec: SpasmSpec) -> float:
    """Contraction level 0–1 of ``spec`` at time ``t`` (ramps, plateau, tonic tremor)."""
    a = t - spec.start_s
    if a < 0 or t > spec.end_s:
        return 0.0
    level = min(1.0, a / RAMP_UP_S, (spec.end_s - t) / RAMP_DOWN_S)
    if spec.kind == "tonic":
        level *= 0.93 + 0.07 * math.sin(2 * math.pi * 6.0 * a)
    return max(0.0, level)


def side_state(t: float, specs: list[SpasmSpec]) -> dict[str, dict[str, float]]:
    """Per-side warp amounts at time ``t`` (closure fraction; brow, cheek, mouth in IOD)."""
    out = {s: {"closure": 0.0, "brow": 0.0, "cheek": 0.0, "mouth": 0.0} for s in EYE_OUTER}
    for spec in specs:
        lv = activation(t, spec)
        if lv <= 0:
            continue
        st = out[spec.side]
        st["closure"] = max(st["closure"], lv * spec.depth)
        st["brow"] = lv * (0.05 if spec.brow_lift else -0.025)
        # orbicularis oculi always lifts the cheek a little; spread adds the mouth corner
        st["cheek"] = lv * (0.05 if spec.spread else 0.03)
        if spec.spread:
            st["mouth"] = lv * 0.08
    return out


def _gauss_field(
    xx: npt.NDArray[np.float32], yy: npt.NDArray[np.float32], centre: Mesh, vec: Mesh, sigma: float
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    dx = np.zeros_like(xx)
    dy = np.zeros_like(yy)
    for (cx, cy), (vx, vy) in zip(centre, vec, strict=True):
        w = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * sigma**2)).astype(np.float32)
        dx += w * np.float32(vx)
        dy += w * np.float32(vy)
    return dx, dy


def warp_face(img: Image, mesh: Mesh, state: dict[str, dict[str, float]]) -> Image:
    """Apply the per-side eyelid, brow, cheek and mouth warps to one frame."""
    if all(v == 0 for s in state.values() for v in s.values()):
        return img
    h, w = img.shape[:2]
    iod = float(np.linalg.norm(mesh[EYE_OUTER["left"]] - mesh[EYE_OUTER["right"]]))
    x0, y0 = np.maximum(mesh.min(axis=0) - 0.3 * iod, 0).astype(int)
    x1, y1 = np.minimum(mesh.max(axis=0) + 0.3 * iod, [w, h]).astype(int)
    xx, yy = np.meshgrid(np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32))
    sx, sy = xx.copy(), yy.copy()
    sig = 0.22 * iod
    for side, st in state.items():
        centres: list[Mesh] = []
        vecs: list[Mesh] = []
        if st["brow"]:
            # the brow moves the skin above the eye, fading out at the upper lid: a lifted
            # brow must not pull a shut lid's margin open (as the Gaussian alone did)
            pts = mesh[list(BROW[side])]
            vec = np.tile([0.0, -st["brow"] * iod], (len(pts), 1))
            bdx, bdy = _gauss_field(xx, yy, pts, vec, sig)
            y_brow = float(pts[:, 1].mean())
            y_lid = float(mesh[list(LID_UPPER[side]), 1].min())
            fade = np.clip((y_lid - yy) / max(y_lid - y_brow, 1.0), 0.0, 1.0)
            sx -= bdx * fade
            sy -= bdy * fade
        if st["cheek"]:
            pts = mesh[list(CHEEK[side])]
            centres.append(pts)
            vecs.append(np.tile([0.0, -st["cheek"] * iod], (len(pts), 1)))
        if st["mouth"]:
            c = mesh[MOUTH_CORNER[side]]
            d = mesh[EYE_OUTER[side]] - c
            centres.append(c[None])
            vecs.append((st["mouth"] * iod * d / np.linalg.norm(d))[None])
        if centres:
            dx, dy = _gauss_field(xx, yy, np.concatenate(centres), np.concatenate(vecs), sig)
            sx -= dx
            sy -= dy
        if st["closure"] > 0:
            _close_lid(xx, yy, sy, mesh, side, st["closure"], iod)
    roi = cv2.remap(img, sx, sy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    out = img.copy()
    out[y0:y1, x0:x1] = roi
    return out


def _close_lid(
    xx: npt.NDArray[np.float32],
    yy: npt.NDArray[np.float32],
    sy: npt.NDArray[np.float32],
    mesh: Mesh,
    side: str,
    depth: float,
    iod: float,
) -> None:
    """Stretch the skin above the upper lid down over the eye (edits the source-y map).

    Between a line 0.35 IOD above the upper lid and the new lid line (the upper lid moved
    ``depth`` of the way to the lower lid), each output row samples the skin above the
    original upper lid, so the lid appears to slide down over the eye.
    """
    up = mesh[list(LID_UPPER[side])]
    lo = mesh[list(LID_LOWER[side])]
    ou, ol = np.argsort(up[:, 0]), np.argsort(lo[:, 0])
    xs = xx[0]
    inside = (xs > up[:, 0].min()) & (xs < up[:, 0].max())
    yu = np.interp(xs, up[ou, 0], up[ou, 1])
    yl = np.interp(xs, lo[ol, 0], lo[ol, 1])
    # orbicularis oculi squeezes both lids: the upper lid travels 3/4 of the way, the lower
    # lid rises 1/4, and they meet at full depth
    yc = yu + 0.75 * depth * (yl - yu)
    yc_lo = yl - 0.25 * depth * (yl - yu)
    top = yu - 0.35 * iod
    bottom = yl + 0.25 * iod
    band = inside[None, :] & (yy >= top[None, :]) & (yy < yc[None, :])
    frac = (yy - top[None, :]) / np.maximum(yc - top, 1e-3)[None, :]
    src = top[None, :] + frac * (yu - top)[None, :]
    shift = np.where(band, src - yy, 0.0)
    band_lo = inside[None, :] & (yy >= yc_lo[None, :]) & (yy < bottom[None, :])
    frac_lo = (bottom[None, :] - yy) / np.maximum(bottom - yc_lo, 1e-3)[None, :]
    src_lo = bottom[None, :] - frac_lo * (bottom - yl)[None, :]
    shift = np.where(band_lo, src_lo - yy, shift)
    sy += shift.astype(np.float32)


# --- real closed eyes from the source's own blinks ---------------------------------------

# Points around one eye that a blink does not move (corners, brow, upper cheek): the donor
# frame is aligned to the current frame on these.
_EYE_FRAME = {
    "right": (33, 133, 70, 63, 105, 66, 107, 118, 117, 50, 6),
    "left": (263, 362, 300, 293, 334, 296, 336, 347, 346, 280, 6),
}
DONOR_MIN_CLOSURE = 0.6
"""A source frame whose eye lost at least this much of its open aperture (a natural blink,
as MediaPipe reads it) can lend its closed eye."""


def _aperture(mesh: Mesh, side: str) -> float:
    up, lo = LID_UPPER[side][3:6], LID_LOWER[side][3:6]
    iod = float(np.linalg.norm(mesh[EYE_OUTER["left"]] - mesh[EYE_OUTER["right"]]))
    return float(np.mean(np.linalg.norm(mesh[list(up)] - mesh[list(lo)], axis=1))) / iod


def deepest_closure(meshes: list[Mesh | None]) -> dict[str, tuple[int, float]]:
    """Per eye: the most closed frame and how closed MediaPipe reads it (0 = open level)."""
    out: dict[str, tuple[int, float]] = {}
    for side in EYE_OUTER:
        ap = np.array([_aperture(m, side) if m is not None else np.nan for m in meshes])
        if np.isfinite(ap).sum() < 10:
            continue
        open_level = float(np.nanpercentile(ap, 80))
        k = int(np.nanargmin(ap))
        out[side] = (k, float(1 - ap[k] / open_level))
    return out


NATURAL_CLOSURE = 0.3
"""A source frame with either eye this closed (of its open level) is a natural closure."""
NATURAL_PAD_S = 0.5
"""Margin kept around natural closures when placing injected events."""


def _closures(meshes: list[Mesh | None]) -> npt.NDArray[np.float64]:
    """(n, 2) closure of both eyes per source frame (0 open level, 1 shut; NaN: no face)."""
    cols = []
    for side in EYE_OUTER:
        ap = np.array([_aperture(m, side) if m is not None else np.nan for m in meshes])
        cols.append(1 - ap / np.nanpercentile(ap, 80) if np.isfinite(ap).any() else ap)
    return np.stack(cols, axis=1)


def _cycle(n: int) -> list[int]:
    """Source frame indices played back and forth (as :func:`_source_frames` does)."""
    c = list(range(n))
    return c + c[-2:0:-1] if n > 2 else c


def natural_closures(
    source: str | Path, duration_s: float, fps: float = 30.0
) -> list[tuple[float, float]]:
    """Time intervals of a generated clip (source played back and forth) where the source
    itself closes an eye (blinks, flutter), each widened by :data:`NATURAL_PAD_S`.

    Injected one-sided events are kept out of them: an injected event on top of the
    source's own blink becomes a bilateral event, which no detector should call one-sided.
    """
    if source in ("astronaut", "blank"):
        return []
    c = _closures(list(_source_meshes(str(source))[1]))
    if len(c) == 0:
        return []
    closed = np.nan_to_num(np.nanmax(c, axis=1), nan=0.0) >= NATURAL_CLOSURE
    cyc = _cycle(len(c))
    n = round(duration_s * fps)
    flags = np.array([closed[cyc[i % len(cyc)]] for i in range(n)])
    out: list[tuple[float, float]] = []
    for i, j in true_runs(flags):
        a, b = i / fps - NATURAL_PAD_S, (j + 1) / fps + NATURAL_PAD_S
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


@functools.lru_cache(maxsize=1)
def _source_meshes(source: str) -> tuple[list[Image], list[Mesh | None]]:
    """Frames of a source clip and their MediaPipe meshes (cached: schedule + clip)."""
    finder = _MeshFinder()
    try:
        frames = [f.rgb for f in iter_frames(source)]
        return frames, [finder(f) for f in frames]
    finally:
        finder.close()


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


# --- sources and writer -----------------------------------------------------------------


def astronaut_face(size: int = 480) -> Image:
    """The face of ``skimage.data.astronaut()``, cropped and scaled to ``size`` px square."""
    from skimage import data

    load: Any = data.astronaut
    img = np.asarray(load(), dtype=np.uint8)[20:260, 110:350]
    return np.asarray(cv2.resize(img, (size, size), interpolation=cv2.INTER_CUBIC), np.uint8)


class _MeshFinder:
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


def _motion(t: float, phase: npt.NDArray[np.float64], amp: float) -> tuple[float, float, float]:
    """Smooth head motion: roll (deg), shift x, shift y (fractions of the frame)."""
    roll = amp * 5.0 * math.sin(2 * math.pi * 0.13 * t + phase[0])
    dx = amp * 0.03 * math.sin(2 * math.pi * 0.09 * t + phase[1])
    dy = amp * 0.02 * math.sin(2 * math.pi * 0.11 * t + phase[2])
    return roll, dx, dy


def _source_frames(
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


def make_clip(
    path: str | Path,
    specs: list[SpasmSpec],
    *,
    source: str | Path = "astronaut",
    duration_s: float = 20.0,
    fps: float = 30.0,
    seed: int = 0,
    motion: float = 1.0,
    noise: float = 2.0,
    vfr: bool = False,
    rotation: int = 0,
    codec: str = "libx264",
    markers: bool = False,
) -> dict[str, Any]:
    """Write a clip with the given one-sided spasms and return its ground truth.

    Parameters
    ----------
    source : "astronaut", "blank" or a video path
        The face to animate ("blank" is a grey card for the synthetic landmarker twin).
    motion : float
        Head-motion amplitude (1 ≈ ±5° roll, ±3 % shift; still sources only).
    vfr : bool
        Jitter frame intervals ±40 % (variable frame rate, exact timestamps kept).
    rotation : int
        Store frames rotated and tag the display rotation (multiple of 90°).
    markers : bool
        Paint the twin's marker blocks (see :func:`hemifacial.video.landmarks.paint_markers`).
    """
    from .landmarks import paint_markers

    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, 2 * np.pi, 3)
    still = source in ("astronaut", "blank")
    finder = _MeshFinder() if source != "blank" else None
    still_mesh: Mesh | None = None
    # A real clip that blinks lends its own shut eyes (see paste_closed_eye).
    src_frames: list[Image] = []
    src_meshes: list[Mesh | None] = []
    closed_eye: dict[str, tuple[Image, Mesh]] = {}
    closed_how = "lid warp only"
    if not still and finder is not None:
        src_frames, src_meshes = _source_meshes(str(source))
        for side, k in find_donors(src_frames, src_meshes).items():
            dm = src_meshes[k]
            if dm is not None:
                closed_eye[side] = (src_frames[k], dm)
        closed_how = "own blink" if closed_eye else closed_how
    cycle = _cycle(len(src_frames))
    container = av.open(str(path), mode="w")
    stream: Any = None
    # MPEG-4 part 2 caps the time-base denominator at 65535: frame-rate ticks (no VFR)
    tb = round(fps) if codec == "mpeg4" else 90000
    t_written = 0.0
    try:
        for i, (t, frame) in enumerate(_source_frames(source, duration_s, fps)):
            state = side_state(t, specs)
            img = frame
            if finder is not None:
                if still:
                    if still_mesh is None:
                        still_mesh = finder(frame)
                        if still_mesh is not None and source == "astronaut":
                            # no blink to borrow: draw the eyes shut (see synth_closed_eye)
                            for side in EYE_OUTER:
                                shut = synth_closed_eye(frame, still_mesh, side)
                                closed_eye[side] = (shut, still_mesh)
                            closed_how = "synthesised shut eye"
                    mesh = still_mesh
                else:
                    mesh = src_meshes[cycle[i % len(cycle)]]
                if mesh is not None:
                    # lids first (warp, then the shut eye pasted), then brow, cheek and
                    # mouth move the composite, so the pasted eye moves with its skin
                    lids = {k: {**_ZERO, "closure": v["closure"]} for k, v in state.items()}
                    img = warp_face(frame, mesh, lids)
                    for side, (donor, dm) in closed_eye.items():
                        alpha = (state[side]["closure"] - 0.3) / 0.45
                        if alpha > 0:
                            img = paste_closed_eye(img, mesh, donor, dm, side, alpha)
                    rest = {k: {**v, "closure": 0.0} for k, v in state.items()}
                    img = warp_face(img, mesh, rest)
            if still and motion:
                roll, dx, dy = _motion(t, phase, motion)
                h, w = img.shape[:2]
                m = np.asarray(cv2.getRotationMatrix2D((w / 2, h / 2), roll, 1.0), np.float64)
                m[:, 2] += (dx * w, dy * h)
                img = np.asarray(
                    cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REFLECT), np.uint8
                )
            if noise:
                noisy = img.astype(np.float32) + rng.normal(0, noise, img.shape)
                img = np.clip(noisy, 0, 255).astype(np.uint8)
            else:
                img = img.copy()
            if markers:
                paint_markers(
                    img,
                    {
                        "face": 1.0,
                        "closure_right": state["right"]["closure"],
                        "closure_left": state["left"]["closure"],
                        "mouth_right": state["right"]["mouth"],
                        "mouth_left": state["left"]["mouth"],
                    },
                )
            stored = np.ascontiguousarray(np.rot90(img, -(rotation // 90))) if rotation else img
            if stream is None:
                stream = container.add_stream(codec, rate=round(fps))
                stream.width, stream.height = stored.shape[1], stored.shape[0]
                stream.pix_fmt = "yuv420p"
                stream.codec_context.time_base = Fraction(1, tb)
                if codec in ("libx264", "libx265"):
                    stream.options = {"crf": "18"}
                elif codec == "mpeg4":
                    stream.bit_rate = 4_000_000  # the default 200 kb/s smears the markers
                if rotation:
                    stream.set_display_rotation(rotation)
            vf = av.VideoFrame.from_ndarray(stored, format="rgb24")
            t_written = (t + rng.uniform(-0.4, 0.4) / fps if t > 0 else 0.0) if vfr else t
            vf.pts = round(t_written * tb)
            vf.time_base = stream.codec_context.time_base
            for pkt in stream.encode(vf):
                container.mux(pkt)
        if stream is not None:
            for pkt in stream.encode():
                container.mux(pkt)
    finally:
        container.close()
        if finder is not None:
            finder.close()
    return {
        "source": str(source),
        "duration_s": duration_s,
        "fps": fps,
        "seed": seed,
        "vfr": vfr,
        "rotation": rotation,
        "events": [asdict(s) | {"end_s": s.end_s} for s in specs],
        # how closed MediaPipe reads the source's own deepest natural blink, per eye
        "source_blink_closure": {s: c for s, (_, c) in deepest_closure(src_meshes).items()},
        "closed_eye_donors": sorted(closed_eye),
        "closed_eye": closed_how,
    }


def loop_clip(src: str | Path, dst: str | Path, duration_s: float, fps: float = 30.0) -> int:
    """Re-encode ``src`` played back and forth to ``duration_s`` (no warping); frame count."""
    frames = (img for _, img in _source_frames(src, duration_s, fps))
    return write_h264(dst, frames, fps=fps, options={"preset": "veryfast", "crf": "20"})
