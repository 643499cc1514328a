"""Quality gate: which frames can be measured, flagged stretches, and refusals.

A frame is usable when a single face is found, large, lit, sharp, facing the camera, fitted
well by the head-pose model and not moving fast. Unusable stretches become
:class:`~hemifacial.analysis.types.SegmentFlag` entries with a plain reason; a clip with too
little usable face raises :class:`~hemifacial.errors.VideoInputError` naming the main cause.
Thresholds are our own working values (expert estimates tuned on the shared test clips,
``../shared/data/videos/MANIFEST.md``), not published numbers.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from hemifacial.errors import VideoInputError

from .signals import MAX_PITCH_DEG, MAX_YAW_DEG, face_centre_px, face_size_px
from .types import BoolArray, FaceTrack, FloatArray, Quality, SegmentFlag

MIN_FACE_PX = 40.0
"""Inter-ocular distance below which the face is too small (clips here: 99–247 px)."""
MIN_BRIGHTNESS = 30.0
"""Mean face luma (0–255) below which the face is too dark."""
MIN_SHARPNESS = 8.0
"""Laplacian variance of the face (normalised size) below which it is blurred."""
MAX_SPEED_IOD_S = 3.0
"""Head translation speed (IOD per second) above which the frame is skipped."""
MIN_USABLE_S = 0.8
"""Less usable face time than this and the clip is refused as too short."""
SHORT_CLIP_S = 20.0
"""Clips shorter than this get a note: rates per minute are imprecise (record 60 s)."""

REASONS = (
    "no face found",
    "face too small",
    "too dark",
    "blurred",
    "head turned away",
    "head moving too fast",
    "face occluded or mis-tracked",
)


def _speed(track: FaceTrack, iod: FloatArray) -> FloatArray:
    n = len(track.times)
    if n < 2 or not track.face_found.any():
        return np.zeros(n)
    c = face_centre_px(track)
    c[~track.face_found] = np.nan
    v = np.full(n, np.nan)
    d = np.linalg.norm(np.diff(c, axis=0), axis=1) / np.maximum(np.diff(track.times), 1e-3)
    v[1:] = d / iod[1:]
    return np.where(np.isfinite(v), v, 0.0)


def reason_codes(
    track: FaceTrack, fitted: BoolArray, yaw: FloatArray, pitch: FloatArray
) -> npt.NDArray[np.int8]:
    """Index into :data:`REASONS` of the first reason each frame is unusable (−1: usable)."""
    iod = face_size_px(track)
    with np.errstate(invalid="ignore"):
        checks = (
            ~track.face_found,
            iod < MIN_FACE_PX,
            track.brightness < MIN_BRIGHTNESS,
            track.sharpness < MIN_SHARPNESS,
            (np.abs(yaw) > MAX_YAW_DEG) | (np.abs(pitch) > MAX_PITCH_DEG),
            _speed(track, iod) > MAX_SPEED_IOD_S,
            ~fitted,
        )
    codes = np.full(len(track.times), -1, dtype=np.int8)
    for k in range(len(checks) - 1, -1, -1):  # the first failing check wins
        codes[checks[k]] = k
    return codes


def frame_reasons(
    track: FaceTrack, fitted: BoolArray, yaw: FloatArray, pitch: FloatArray
) -> list[str | None]:
    """The first reason each frame is unusable (None when usable)."""
    return [REASONS[c] if c >= 0 else None for c in reason_codes(track, fitted, yaw, pitch)]


def _flags(times: FloatArray, codes: npt.NDArray[np.int8]) -> tuple[SegmentFlag, ...]:
    if len(codes) == 0:
        return ()
    dt = float(np.median(np.diff(times))) if len(times) > 1 else 1 / 30
    starts = np.flatnonzero(np.diff(codes, prepend=np.int8(-2)) != 0)
    ends = np.append(starts[1:], len(codes)) - 1
    return tuple(
        SegmentFlag(float(times[i]), float(times[j] + dt), REASONS[codes[i]])
        for i, j in zip(starts, ends, strict=True)
        if codes[i] >= 0
    )


def assess(
    track: FaceTrack, fitted: BoolArray, yaw: FloatArray, pitch: FloatArray
) -> tuple[Quality, BoolArray]:
    """Quality report and usable-frame mask; raises VideoInputError if nothing is usable.

    Parameters
    ----------
    track : FaceTrack
    fitted : (n,) bool
        Frames whose landmarks fitted the head-pose model.
    yaw, pitch : (n,) float
        Head angles in degrees (NaN without a face).
    """
    codes = reason_codes(track, fitted, yaw, pitch)
    usable = codes < 0
    times = track.times
    dt = np.diff(times, append=times[-1] + (np.median(np.diff(times)) if len(times) > 1 else 0))
    duration = float(dt.sum())
    usable_s = float(dt[usable].sum())
    if usable_s < MIN_USABLE_S:
        raise VideoInputError(_refusal(codes, duration, track))
    iod = face_size_px(track)
    notes: list[str] = []
    max_faces = int(np.nanmax(track.n_faces)) if np.isfinite(track.n_faces).any() else 1
    if max_faces > 1:
        notes.append(f"{max_faces} faces seen; the largest face was analysed")
    if duration < SHORT_CLIP_S:
        notes.append(
            f"short clip ({duration:.1f} s): rates per minute are imprecise; record 60 s at rest"
        )
    usable_fraction = usable_s / duration if duration > 0 else 0.0
    flags = _flags(times, codes)
    if usable_fraction < 0.8:
        notes.append(_unusable_note(usable_fraction, flags))
    q = Quality(
        duration_s=duration,
        n_frames=len(times),
        usable_fraction=usable_fraction,
        face_fraction=float(track.face_found.mean()),
        median_face_px=float(np.nanmedian(iod)) if np.isfinite(iod).any() else float("nan"),
        median_brightness=_nanmed(track.brightness),
        median_sharpness=_nanmed(track.sharpness),
        max_faces=max(max_faces, 1 if track.face_found.any() else 0),
        flags=flags,
        notes=tuple(notes),
    )
    return q, usable


def _unusable_note(fraction: float, flags: tuple[SegmentFlag, ...]) -> str:
    """How much of the clip was measured (by time, as the headline figure) and the longest
    stretch that was not, with its reason, so the clinician knows where to look."""
    note = f"only {100 * fraction:.0f}% of the clip could be measured"
    if not flags:
        return note
    worst = max(flags, key=lambda f: f.end_s - f.start_s)
    return f"{note}; longest gap {worst.start_s:.1f}–{worst.end_s:.1f} s: {worst.reason}"


def _nanmed(v: FloatArray) -> float:
    return float(np.nanmedian(v)) if np.isfinite(v).any() else float("nan")


def _refusal(codes: npt.NDArray[np.int8], duration: float, track: FaceTrack) -> str:
    per = np.bincount(codes[codes >= 0].astype(np.intp), minlength=len(REASONS))
    counts = {r: int(per[k]) for k, r in enumerate(REASONS)}
    main = max(counts, key=lambda r: counts[r])
    if counts[main] == 0 or duration < MIN_USABLE_S:
        return f"video too short to measure ({duration:.2f} s); record at least 60 s of the face"
    advice = {
        "no face found": "no face was found in the video; film the face from the front",
        "face too small": (
            f"the face is too small ({_nanmed(face_size_px(track)):.0f} px between the outer eye "
            f"corners; need at least {MIN_FACE_PX:.0f}); film closer"
        ),
        "too dark": "the face is too dark to measure; film in better light",
        "blurred": "the face is too blurred to measure; hold the phone still and focus",
        "head turned away": "the head is turned away; film the face from the front",
        "head moving too fast": "the head moves too much; rest the head and film again",
        "face occluded or mis-tracked": "the face is covered or cannot be tracked",
    }
    return f"{advice[main]} (less than {MIN_USABLE_S} s of the clip is usable)"
