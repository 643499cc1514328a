"""Per-side facial signals from tracked landmarks, corrected for head pose.

Every frame's landmarks are fitted by a similarity transform (rotation in 3-D, scale,
shift; Umeyama 1991) onto the clip's own neutral face, using points that barely move with
expression (:data:`~hemifacial.analysis.landmark_ids.RIGID`). In that face frame head roll,
yaw and pitch are removed and lengths are in inter-ocular distances (IOD), so per-side
measures compare like with like. The reference notes why this matters: mouth-corner height
differed by up to 0.34 IOD between sides on a clip with 51° of head roll, from roll alone
(``../shared/reference/video-analysis.md`` §5.2).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from hemifacial.errors import VideoInputError

from . import landmark_ids as ids
from .appearance import look_closure
from .types import (
    POINT_MISSING,
    SIDES,
    BoolArray,
    FaceTrack,
    FloatArray,
    Side,
    SideSeries,
    Signals,
)

OPEN_PERCENTILE = 80.0
"""Percentile of the eyelid aperture taken as the eye's own open level.

Open-eye EAR differs between people (80th percentile 0.21–0.47 across 25 clips, reference
§5.2), so closure is relative to each eye's own open level, as in the manifest's crude count.
"""

MAX_YAW_DEG = 35.0
"""Frames turned further than this are not used (per-side measures degrade with yaw)."""

MAX_PITCH_DEG = 35.0
MAX_FIT_RESIDUAL_IOD = 0.06
"""Rigid-fit residual above which the face is taken as occluded or mis-tracked."""


def unmirror(track: FaceTrack) -> FaceTrack:
    """Undo a front-camera mirror: flip x and swap each point with its other-side twin."""
    twin = ids.mirror_sides()
    perm = [ids.pos(twin[m]) for m in ids.KEPT]
    pts = track.points[:, perm, :].copy()
    if track.quantised:
        # codes are centred on the frame middle: mirroring x is a sign change
        x = pts[..., 0]
        x[x != POINT_MISSING] = -x[x != POINT_MISSING]
    else:
        pts[..., 0] = track.width - pts[..., 0]
    # each eye's thumbnail is sampled in its own frame (outer to inner corner): the rows swap
    thumbs = None if track.eye_pixels is None else track.eye_pixels[:, ::-1].copy()
    return replace(track, points=pts, eye_pixels=thumbs)


def _normalise_2d(points: FloatArray) -> FloatArray:
    """Centre on the outer-eye midpoint, level the eye line and scale the IOD to 1."""
    r = points[:, ids.pos(ids.EYE_OUTER["right"]), :]
    left = points[:, ids.pos(ids.EYE_OUTER["left"]), :]
    mid = (r + left) / 2.0
    d = left - r
    iod = np.hypot(d[:, 0], d[:, 1])
    ang = np.arctan2(d[:, 1], d[:, 0])
    c, s = np.cos(-ang), np.sin(-ang)
    p = points - mid[:, None, :]
    x = c[:, None] * p[..., 0] - s[:, None] * p[..., 1]
    y = s[:, None] * p[..., 0] + c[:, None] * p[..., 1]
    out = np.stack([x, y, p[..., 2]], axis=-1)
    result: FloatArray = out / iod[:, None, None]
    return result


def _fit(points: FloatArray, template: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Similarity-fit each frame's rigid points onto ``template``.

    Returns the aligned points (n, k, 3), the rotation matrices (n, 3, 3) and the RMS fit
    residual (n,) in template units.
    """
    rig = ids.cols(ids.RIGID)
    x = points[:, rig, :]
    y = template[rig, :]
    mx = x.mean(axis=1)
    my = y.mean(axis=0)
    xc = x - mx[:, None, :]
    yc = y - my
    cov = (yc.T @ xc) / len(rig)  # (n, 3, 3): batched matmul, faster than einsum here
    u, dvals, vt = np.linalg.svd(cov)
    sign = np.sign(np.linalg.det(u) * np.linalg.det(vt))
    sfix = np.ones((len(points), 3))
    sfix[:, 2] = sign
    rot = (u * sfix[:, None, :]) @ vt
    var_x = (xc**2).sum(axis=(1, 2)) / len(rig)
    scale = (dvals * sfix).sum(axis=1) / var_x
    aligned = scale[:, None, None] * ((points - mx[:, None, :]) @ np.swapaxes(rot, 1, 2))
    aligned = aligned + my
    resid = np.sqrt(((aligned[:, rig, :] - y) ** 2).sum(axis=2).mean(axis=1))
    return aligned, rot, resid


def _angles(rot: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Head yaw, pitch, roll in degrees from frame-to-template rotations."""
    head = np.transpose(rot, (0, 2, 1))
    yaw = np.degrees(np.arcsin(np.clip(-head[:, 2, 0], -1.0, 1.0)))
    pitch = np.degrees(np.arctan2(head[:, 2, 1], head[:, 2, 2]))
    roll = np.degrees(np.arctan2(head[:, 1, 0], head[:, 0, 0]))
    return yaw, pitch, roll


CHUNK_FRAMES = 256
"""Frames fitted at a time: temporaries stay well under 1 MB whatever the clip length."""
TEMPLATE_FRAMES = 900
"""The neutral face is the median of at most this many evenly spaced frames (30 s at
30 fps; every frame of shorter clips)."""


@dataclass(frozen=True)
class FaceFeatures:
    """Per-frame measures in the neutral face frame (IOD units), all a clip needs.

    ``fitted`` is False without a face or when the rigid fit is poor (occlusion,
    mis-tracking); the other arrays are NaN there. Per side: ``aperture`` (mean lid
    opening), ``brow_h`` and ``cheek_h`` (height, up positive), ``corner`` and ``eye`` (x, y
    of the mouth corner and outer eye corner); ``lip_gap`` is the distance between the
    middle of the upper and lower lip (talking). float32 (angles float64): ~95 bytes a frame.
    """

    fitted: BoolArray
    yaw_deg: FloatArray
    pitch_deg: FloatArray
    roll_deg: FloatArray
    per_side: dict[Side, dict[str, npt.NDArray[np.float32]]]
    lip_gap: npt.NDArray[np.float32]


def _template(track: FaceTrack, ok_idx: npt.NDArray[np.intp]) -> FloatArray:
    """The clip's neutral face: median of (a subsample of) the frames, refined twice by
    dropping the worst-fitting quarter. Fitted chunk by chunk; the normalised frames are
    kept as float32, so this needs ~1 kB a template frame."""
    if len(ok_idx) > TEMPLATE_FRAMES:
        ok_idx = ok_idx[np.linspace(0, len(ok_idx) - 1, TEMPLATE_FRAMES).round().astype(int)]
    sub = replace(track, points=track.points[ok_idx])
    n, k = len(ok_idx), track.points.shape[1]
    norm = np.empty((n, k, 3), np.float32)
    keep = np.ones(n, bool)
    for a in range(0, n, CHUNK_FRAMES):
        p = sub.pixels(a, a + CHUNK_FRAMES)
        keep[a : a + len(p)] = np.isfinite(p).all(axis=(1, 2))
        norm[a : a + len(p)] = _normalise_2d(p)
    template: FloatArray = np.median(norm[keep], axis=0).astype(np.float64)
    resid = np.full(n, np.inf)
    for _ in range(2):
        for a in range(0, n, CHUNK_FRAMES):
            p = sub.pixels(a, a + CHUNK_FRAMES)
            ok = keep[a : a + len(p)]
            al, _rot, r = _fit(p[ok], template)
            idx = np.flatnonzero(ok) + a
            resid[idx] = r
            norm[idx] = _normalise_2d(al)
        good = keep & (resid <= np.percentile(resid[keep], 75) * 1.5)
        chosen = good if good.sum() >= 3 else keep
        template = np.median(norm[chosen], axis=0).astype(np.float64)
    return template


def _lip_gap(aligned: FloatArray) -> FloatArray:
    top, bottom = (aligned[:, ids.pos(m), :2] for m in ids.LIPS_MID)
    gap: FloatArray = np.linalg.norm(top - bottom, axis=1)
    return gap


def _features_of(aligned: FloatArray) -> dict[Side, dict[str, FloatArray]]:
    out: dict[Side, dict[str, FloatArray]] = {}
    for side in SIDES:
        up = _xy(aligned, ids.LID_UPPER[side])
        lo = _xy(aligned, ids.LID_LOWER[side])
        out[side] = {
            "aperture": np.linalg.norm(up - lo, axis=2).mean(axis=1),
            "brow_h": -_xy(aligned, ids.BROW[side])[..., 1].mean(axis=1),
            "cheek_h": -_xy(aligned, ids.CHEEK[side])[..., 1].mean(axis=1),
            "corner": aligned[:, ids.pos(ids.MOUTH_CORNER[side]), :2],
            "eye": aligned[:, ids.pos(ids.EYE_OUTER[side]), :2],
        }
    return out


def face_features(track: FaceTrack) -> FaceFeatures:
    """Fit every frame onto the clip's neutral face (in chunks) and keep only the measures
    the analysis uses, so memory grows by ~70 bytes per frame beyond the track itself."""
    n = len(track.times)
    nan64 = np.full(n, np.nan)
    shapes = {"aperture": (), "brow_h": (), "cheek_h": (), "corner": (2,), "eye": (2,)}
    per_side = {
        side: {k: np.full((n, *shp), np.nan, dtype=np.float32) for k, shp in shapes.items()}
        for side in SIDES
    }
    lips = np.full(n, np.nan, dtype=np.float32)
    feats = FaceFeatures(np.zeros(n, dtype=bool), nan64, nan64.copy(), nan64.copy(), per_side, lips)
    ok_idx = np.flatnonzero(track.face_found)
    if len(ok_idx) < 3:
        return feats
    template = _template(track, ok_idx)
    for a in range(0, n, CHUNK_FRAMES):
        b = min(n, a + CHUNK_FRAMES)
        pts = track.pixels(a, b)
        ok = track.face_found[a:b] & np.isfinite(pts).all(axis=(1, 2))
        if not ok.any():
            continue
        al, rot, resid = _fit(pts[ok], template)
        y_, p_, r_ = _angles(rot)
        idx = np.flatnonzero(ok) + a
        feats.yaw_deg[idx], feats.pitch_deg[idx], feats.roll_deg[idx] = y_, p_, r_
        good = resid <= MAX_FIT_RESIDUAL_IOD
        feats.fitted[idx[good]] = True
        lips[idx[good]] = _lip_gap(al[good])
        for side, vals in _features_of(al[good]).items():
            for k, v in vals.items():
                per_side[side][k][idx[good]] = v
    return feats


def _xy(aligned: FloatArray, mesh_ids: tuple[int, ...]) -> FloatArray:
    sub: FloatArray = aligned[:, ids.cols(mesh_ids), :2]
    return sub


def _side_series(feats: FaceFeatures, usable: BoolArray, side: Side) -> SideSeries:
    f = feats.per_side[side]

    def _ok(v: npt.NDArray[np.float32]) -> FloatArray:
        out = v.astype(np.float64)  # one float64 copy, NaN outside the usable frames
        out[~usable] = np.nan
        return out

    eye = np.nanmedian(f["eye"][usable].astype(np.float64), axis=0)
    mouth_d = _ok(np.hypot(f["corner"][:, 0] - eye[0], f["corner"][:, 1] - eye[1]))
    aperture, brow_h, cheek_h = _ok(f["aperture"]), _ok(f["brow_h"]), _ok(f["cheek_h"])
    open_ap = float(np.nanpercentile(aperture, OPEN_PERCENTILE))
    b_brow = float(np.nanmedian(brow_h))
    b_cheek = float(np.nanmedian(cheek_h))
    b_mouth = float(np.nanmedian(mouth_d))
    closure = np.clip(1.0 - aperture / open_ap, 0.0, 1.0) if open_ap > 0 else aperture * np.nan
    brow_h -= b_brow
    cheek_h -= b_cheek
    mouth_d = np.subtract(b_mouth, mouth_d, out=mouth_d)
    return SideSeries(
        aperture=aperture,
        closure=closure,
        brow=brow_h,
        cheek=cheek_h,
        mouth=mouth_d,
        open_aperture=open_ap,
        baseline_brow=b_brow,
        baseline_cheek=b_cheek,
        baseline_mouth=b_mouth,
    )


def face_size_px(track: FaceTrack) -> FloatArray:
    """Inter-ocular distance in pixels per frame (NaN without a face)."""
    eyes = track.pixels(cols=[ids.pos(ids.EYE_OUTER["right"]), ids.pos(ids.EYE_OUTER["left"])])
    d: FloatArray = np.linalg.norm(eyes[:, 1, :2] - eyes[:, 0, :2], axis=1)
    return d


def face_centre_px(track: FaceTrack) -> FloatArray:
    """Mean (x, y) of the kept points per frame in pixels (NaN without a face), in chunks."""
    n = len(track.times)
    c = np.full((n, 2), np.nan)
    for a in range(0, n, CHUNK_FRAMES):
        c[a : a + CHUNK_FRAMES] = track.pixels(a, a + CHUNK_FRAMES)[..., :2].mean(axis=1)
    return c


def compute_signals(
    track: FaceTrack, usable: BoolArray, feats: FaceFeatures | None = None
) -> Signals:
    """Per-side signals over the frames marked ``usable`` (others are NaN).

    Parameters
    ----------
    track : FaceTrack
        Landmarks in the patient's orientation (call :func:`unmirror` first if mirrored).
    usable : (n,) bool
        Frames the quality gate accepted (see :mod:`hemifacial.analysis.quality`).
    feats : FaceFeatures, optional
        :func:`face_features` of ``track`` if already computed.
    """
    feats = feats if feats is not None else face_features(track)
    use = usable & feats.fitted
    if use.sum() < 3:
        raise VideoInputError(
            "no usable view of the face in this video (face missing, turned away, too small, "
            "too dark or blurred in every frame); record the face from the front in good light"
        )
    series = {side: _side_series(feats, use, side) for side in SIDES}
    look = look_closure(track, use)
    if look is not None:
        series = {side: replace(series[side], look=look[side]) for side in SIDES}
    size = face_size_px(track)
    return Signals(
        times=track.times,
        right=series["right"],
        left=series["left"],
        usable=use,
        yaw_deg=feats.yaw_deg,
        roll_deg=feats.roll_deg,
        pitch_deg=feats.pitch_deg,
        face_size_px=float(np.nanmedian(size)) if np.isfinite(size).any() else float("nan"),
        lip_gap=np.where(use, feats.lip_gap.astype(np.float64), np.nan),
    )
