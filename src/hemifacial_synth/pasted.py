"""Ground-truth generator: real faces given one-sided spasms of known timing, side and depth.

A real face (``skimage.data.astronaut()`` or the frames of a shared clip) is warped frame by
frame around its own MediaPipe landmarks: on one side the upper eyelid is drawn down over
the eye (clonic twitches or tonic closures), the brow is pulled down (or lifted: the "other
Babinski" sign), and with spread the cheek rises and the mouth corner is pulled towards the
eye. Head motion (astronaut) and sensor noise are added; the clip is written with PyAV and
the ground truth returned. Sides are the patient's; times are seconds.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import numpy.typing as npt

from hemifacial.video.landmarks import paint_markers

from .closures import deepest_closure
from .pasted_eyes import find_donors, paste_closed_eye, synth_closed_eye
from .sources import (
    BROW,
    CHEEK,
    EYE_OUTER,
    LID_LOWER,
    LID_UPPER,
    MOUTH_CORNER,
    Image,
    Mesh,
    MeshFinder,
    cycle_indices,
    head_motion,
    source_frames,
    source_meshes,
)

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
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, 2 * np.pi, 3)
    still = source in ("astronaut", "blank")
    finder = MeshFinder() if source != "blank" else None
    still_mesh: Mesh | None = None
    # A real clip that blinks lends its own shut eyes (see paste_closed_eye).
    src_frames: list[Image] = []
    src_meshes: list[Mesh | None] = []
    closed_eye: dict[str, tuple[Image, Mesh]] = {}
    closed_how = "lid warp only"
    if not still and finder is not None:
        src_frames, src_meshes = source_meshes(str(source))
        for side, k in find_donors(src_frames, src_meshes).items():
            dm = src_meshes[k]
            if dm is not None:
                closed_eye[side] = (src_frames[k], dm)
        closed_how = "own blink" if closed_eye else closed_how
    cycle = cycle_indices(len(src_frames))
    container = av.open(str(path), mode="w")
    stream: Any = None
    # MPEG-4 part 2 caps the time-base denominator at 65535: frame-rate ticks (no VFR)
    tb = round(fps) if codec == "mpeg4" else 90000
    t_written = 0.0
    try:
        for i, (t, frame) in enumerate(source_frames(source, duration_s, fps)):
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
                roll, dx, dy = head_motion(t, phase, motion)
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
