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

import numpy as np

from hemifacial.errors import VideoInputError

from . import landmark_ids as ids
from .types import SIDES, BoolArray, FaceTrack, FloatArray, Side, SideSeries, Signals

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
    pts[..., 0] = track.width - pts[..., 0]
    return FaceTrack(
        times=track.times,
        points=pts,
        face_found=track.face_found,
        brightness=track.brightness,
        sharpness=track.sharpness,
        n_faces=track.n_faces,
        width=track.width,
        height=track.height,
    )


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
    cov = np.einsum("ki,nkj->nij", yc, xc) / len(rig)
    u, dvals, vt = np.linalg.svd(cov)
    sign = np.sign(np.linalg.det(u) * np.linalg.det(vt))
    sfix = np.ones((len(points), 3))
    sfix[:, 2] = sign
    rot = np.einsum("nij,nj,njk->nik", u, sfix, vt)
    var_x = (xc**2).sum(axis=(1, 2)) / len(rig)
    scale = (dvals * sfix).sum(axis=1) / var_x
    aligned = scale[:, None, None] * np.einsum("nij,nkj->nki", rot, points - mx[:, None, :])
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


def face_frame(track: FaceTrack) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Landmarks of every frame in the clip's neutral face frame (IOD units).

    Returns ``(aligned, yaw_deg, pitch_deg, roll_deg)``. Frames without a face, and frames
    whose rigid fit is poor (occlusion, mis-tracking), are NaN in ``aligned``.
    """
    n = len(track.times)
    ok = track.face_found & np.isfinite(track.points).all(axis=(1, 2))
    aligned = np.full_like(track.points, np.nan)
    yaw = np.full(n, np.nan)
    pitch = np.full(n, np.nan)
    roll = np.full(n, np.nan)
    if ok.sum() < 3:
        return aligned, yaw, pitch, roll
    norm = _normalise_2d(track.points[ok])
    template = np.median(norm, axis=0)
    for _ in range(2):
        al, rot, resid = _fit(track.points[ok], template)
        good = resid <= np.percentile(resid, 75) * 1.5
        template = np.median(_normalise_2d(al[good] if good.sum() >= 3 else al), axis=0)
    al, rot, resid = _fit(track.points[ok], template)
    y_, p_, r_ = _angles(rot)
    bad = resid > MAX_FIT_RESIDUAL_IOD
    al[bad] = np.nan
    aligned[ok] = al
    yaw[ok], pitch[ok], roll[ok] = y_, p_, r_
    return aligned, yaw, pitch, roll


def _xy(aligned: FloatArray, mesh_ids: tuple[int, ...]) -> FloatArray:
    sub: FloatArray = aligned[:, ids.cols(mesh_ids), :2]
    return sub


def _side_series(aligned: FloatArray, usable: BoolArray, side: Side) -> SideSeries:
    up = _xy(aligned, ids.LID_UPPER[side])
    lo = _xy(aligned, ids.LID_LOWER[side])
    aperture = np.linalg.norm(up - lo, axis=2).mean(axis=1)
    brow_h = -_xy(aligned, ids.BROW[side])[..., 1].mean(axis=1)
    cheek_h = -_xy(aligned, ids.CHEEK[side])[..., 1].mean(axis=1)
    corner = aligned[:, ids.pos(ids.MOUTH_CORNER[side]), :2]
    eye = np.nanmedian(aligned[usable, ids.pos(ids.EYE_OUTER[side]), :2], axis=0)
    mouth_d = np.linalg.norm(corner - eye, axis=1)

    def _ok(v: FloatArray) -> FloatArray:
        return np.where(usable, v, np.nan)

    aperture, brow_h, cheek_h, mouth_d = map(_ok, (aperture, brow_h, cheek_h, mouth_d))
    open_ap = float(np.nanpercentile(aperture, OPEN_PERCENTILE))
    b_brow = float(np.nanmedian(brow_h))
    b_cheek = float(np.nanmedian(cheek_h))
    b_mouth = float(np.nanmedian(mouth_d))
    closure = np.clip(1.0 - aperture / open_ap, 0.0, 1.0) if open_ap > 0 else aperture * np.nan
    return SideSeries(
        aperture=aperture,
        closure=closure,
        brow=brow_h - b_brow,
        cheek=cheek_h - b_cheek,
        mouth=b_mouth - mouth_d,
        open_aperture=open_ap,
        baseline_brow=b_brow,
        baseline_cheek=b_cheek,
        baseline_mouth=b_mouth,
    )


def face_size_px(track: FaceTrack) -> FloatArray:
    """Inter-ocular distance in pixels per frame (NaN without a face)."""
    r = track.points[:, ids.pos(ids.EYE_OUTER["right"]), :2]
    left = track.points[:, ids.pos(ids.EYE_OUTER["left"]), :2]
    d: FloatArray = np.linalg.norm(left - r, axis=1)
    return d


def compute_signals(track: FaceTrack, usable: BoolArray) -> Signals:
    """Per-side signals over the frames marked ``usable`` (others are NaN).

    Parameters
    ----------
    track : FaceTrack
        Landmarks in the patient's orientation (call :func:`unmirror` first if mirrored).
    usable : (n,) bool
        Frames the quality gate accepted (see :mod:`hemifacial.analysis.quality`).
    """
    aligned, yaw, pitch, roll = face_frame(track)
    use = usable & np.isfinite(aligned).all(axis=(1, 2))
    if use.sum() < 3:
        raise VideoInputError(
            "no usable view of the face in this video (face missing, turned away, too small, "
            "too dark or blurred in every frame); record the face from the front in good light"
        )
    series = {side: _side_series(aligned, use, side) for side in SIDES}
    size = face_size_px(track)
    return Signals(
        times=track.times,
        right=series["right"],
        left=series["left"],
        usable=use,
        yaw_deg=yaw,
        roll_deg=roll,
        pitch_deg=pitch,
        face_size_px=float(np.nanmedian(size)) if np.isfinite(size).any() else float("nan"),
    )
