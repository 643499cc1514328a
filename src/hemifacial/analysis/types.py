"""Typed values of the video spasm analysis.

Every time is in seconds from the start of the clip, every side is the **patient's** side
(``"right"`` / ``"left"``), every face-relative length is in inter-ocular distances (IOD,
outer eye corner to outer eye corner, measured on the clip's own neutral face). See
``docs/video.md`` for the conventions and ``../shared/reference/video-analysis.md`` for the
sources of the thresholds.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

SCHEMA_VERSION = "1.0.0"

Side = Literal["right", "left"]
SIDES: tuple[Side, Side] = ("right", "left")

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class FaceTrack:
    """What the landmarker saw, frame by frame (the input of the pure analysis).

    Attributes
    ----------
    times : (n,) float
        Presentation time of each frame in seconds (pts × time_base, from 0 at clip start).
    points : (n, k, 3) float, or int16 when ``quantised``
        The kept landmarks (see :mod:`hemifacial.analysis.landmark_ids`) in pixels of the
        upright, un-mirrored frame (x right, y down, z towards the camera scaled like x);
        NaN where no face was found. Read them with :meth:`pixels` (chunks as float64).
        Quantised tracks (what the video pipeline makes: 312 bytes per frame, so a 10-min
        clip's track is 5.6 MB) store ``(coordinate / frame size − ½) ×`` :data:`POINT_Q`
        for x and y and ``z / width ×`` :data:`POINT_Q`, rounded; :data:`POINT_MISSING`
        marks frames without a face. One step is 1/16384 of the frame (0.12 px at 1920).
    face_found : (n,) bool
    brightness : (n,) float
        Mean luma of the face region, 0–255 (NaN without a face).
    sharpness : (n,) float
        Variance of the Laplacian of the face region, normalised to a 100-px face.
    n_faces : (n,) int as float
        Faces counted by the periodic detector check (NaN when not checked).
    width, height : int
        Frame size in pixels after rotation.
    eye_pixels : (n, 2, h, w) uint8, optional
        A luma thumbnail of each eye (patient's right, then left), sampled between its
        corners (``hemifacial.video.appearance``: 12 × 5 pixels; zeros without a face):
        120 bytes a frame, the pixels of the appearance cue
        (:mod:`hemifacial.analysis.appearance`). None when the track was made without
        them (the synthetic twin's tests, tracks cached before).
    """

    times: FloatArray
    points: FloatArray | npt.NDArray[np.int16]
    face_found: BoolArray
    brightness: FloatArray
    sharpness: FloatArray
    n_faces: FloatArray
    width: int
    height: int
    quantised: bool = False
    eye_pixels: npt.NDArray[np.uint8] | None = None

    def _unit(self) -> tuple[FloatArray, FloatArray]:
        w, h = float(self.width), float(self.height)
        unit = np.array([w, h, w]) / POINT_Q
        offset = np.array([w / 2, h / 2, 0.0])
        return unit, offset

    def pixels(self, start: int = 0, stop: int | None = None, cols: Any = None) -> FloatArray:
        """Points of frames ``start:stop`` (optionally only columns ``cols``) in pixels,
        float64, NaN without a face."""
        p = self.points[start:stop]
        if cols is not None:
            p = p[:, cols]
        if not self.quantised:
            out: FloatArray = np.asarray(p, dtype=np.float64)
            return out
        unit, offset = self._unit()
        px: FloatArray = p.astype(np.float64)  # in place from here: one float64 copy
        px *= unit
        px += offset
        px[p[..., 0] == POINT_MISSING] = np.nan
        return px


POINT_Q = 16384
"""Quantisation steps per frame width (x, z) or height (y) of quantised face tracks."""
POINT_MISSING = -32768
"""Value of every coordinate of a quantised frame without a face."""


def quantise_points(norm: npt.NDArray[np.float32]) -> npt.NDArray[np.int16]:
    """Landmarks in normalised image coordinates (x, y in 0–1, z scaled like x; NaN rows
    for no face) as the int16 codes of a quantised :class:`FaceTrack`."""
    q = (np.asarray(norm, dtype=np.float64) - (0.5, 0.5, 0.0)) * POINT_Q
    missing = ~np.isfinite(q).all(axis=-1)
    q = np.clip(np.nan_to_num(q), -32767, 32767)
    out: npt.NDArray[np.int16] = np.rint(q).astype(np.int16)
    out[missing] = POINT_MISSING
    return out


@dataclass(frozen=True)
class SideSeries:
    """Per-side signals after head-pose correction, one value per frame (NaN when unusable).

    ``aperture`` is the eyelid opening in IOD; ``closure`` is 1 − aperture / open level
    (0 open, 1 shut); ``brow``, ``cheek`` and ``mouth`` are displacements from the neutral
    baseline in IOD, positive for brow raise, cheek lift and mouth corner pulled towards
    the eye.
    """

    aperture: FloatArray
    closure: FloatArray
    brow: FloatArray
    cheek: FloatArray
    mouth: FloatArray
    open_aperture: float
    baseline_brow: float
    baseline_cheek: float
    baseline_mouth: float
    look: FloatArray | None = None
    """How closed the eye *looks* (0–1, relative to its own open look in this clip: the
    appearance cue of :mod:`hemifacial.analysis.appearance`); None without eye patches."""


@dataclass(frozen=True)
class Signals:
    """Both sides' series plus head pose and the usable-frame mask."""

    times: FloatArray
    right: SideSeries
    left: SideSeries
    usable: BoolArray
    yaw_deg: FloatArray
    roll_deg: FloatArray
    pitch_deg: FloatArray
    face_size_px: float
    lip_gap: FloatArray | None = None
    """Upper-to-lower lip distance (IOD) per frame: changes while talking."""

    def side(self, side: Side) -> SideSeries:
        """The series of the patient's ``side``."""
        return self.right if side == "right" else self.left


EventKind = Literal[
    "blink",
    "clonic",
    "tonic",
    "bilateral_clonic",
    "bilateral_tonic",
    "wink",
    "uncertain",
]


@dataclass(frozen=True)
class Event:
    """One episode of eye closure, with start/end in seconds and the patient's side.

    ``side`` is ``"right"``, ``"left"`` or ``"both"``; ``kind`` says whether it is a normal
    blink, a one-sided clonic or tonic contraction, bilateral abnormal activity, or
    uncertain (not counted). ``wink`` is a one-sided closure in a clip where both sides
    take turns (looks voluntary; not counted as spasm). ``depth`` is the deepest closure on
    ``side`` (0–1; for bilateral events the mean of both sides). ``region`` is ``"eye"``
    or ``"lower_face"`` (a one-sided mouth-corner and cheek contraction without the eye).
    ``confidence`` (0–1) is how sure the analyser is that a one-sided event is a spasm
    (the event model's probability, after the clip-level checks).
    """

    start_s: float
    end_s: float
    side: str
    kind: EventKind
    depth: float
    n_closures: int
    lower_face: bool
    brow_lift: bool
    other_side_depth: float
    confidence: float = 1.0
    region: str = "eye"

    @property
    def duration_s(self) -> float:
        """Duration in seconds."""
        return self.end_s - self.start_s

    @property
    def one_sided(self) -> bool:
        """True for one-sided (hemifacial-type) contractions."""
        return self.kind in ("clonic", "tonic")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe mapping."""
        d = asdict(self)
        d["duration_s"] = self.duration_s
        return _as_dict(_clean(d))


@dataclass(frozen=True)
class SegmentFlag:
    """A stretch of the clip that could not be analysed, and why (plain words)."""

    start_s: float
    end_s: float
    reason: str


@dataclass(frozen=True)
class Quality:
    """Quality gate result: the usable fraction and every flag raised."""

    duration_s: float
    n_frames: int
    usable_fraction: float
    face_fraction: float
    median_face_px: float
    median_brightness: float
    median_sharpness: float
    max_faces: int
    flags: tuple[SegmentFlag, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class SideMetrics:
    """Metrics of one side over the usable part of the clip."""

    events_per_min: float
    mean_event_s: float
    longest_event_s: float
    time_in_spasm_pct: float
    deepest_closure: float
    lower_face_involvement: float
    mean_aperture: float


@dataclass(frozen=True)
class Severity:
    """Scale grades **estimated from the video**, not rated by a clinician.

    ``jankovic_severity`` and ``jankovic_frequency`` are 0–4 (Jankovic rating scale,
    reference §5.1), ``smc_grade`` is 0 (no spasm) or I–IV as 1–4 (Samsung Medical
    Center grading, §5.2). ``basis`` explains each grade in words.
    """

    jankovic_severity: int
    jankovic_frequency: int
    jankovic_total: int
    smc_grade: int
    basis: tuple[str, ...]
    graded: bool = True
    """False when the clip was too short or had too few events to grade (grades are 0)."""
    label: str = "estimate from video; not a clinical rating"


@dataclass(frozen=True)
class Metrics:
    """Clip-level numbers."""

    affected_side: str
    side_confidence: float
    right: SideMetrics
    left: SideMetrics
    bilateral_events: int
    blinks_per_min: float
    asymmetry_aperture: float
    asymmetry_brow: float
    asymmetry_mouth: float
    synkinesis_fraction: float
    other_babinski_fraction: float
    severity: Severity

    def side(self, side: str) -> SideMetrics:
        """Metrics of ``side``."""
        return self.right if side == "right" else self.left


@dataclass(frozen=True)
class TraceSummary:
    """Downsampled traces for plotting (about 10 samples per second at most)."""

    times: tuple[float, ...]
    closure_right: tuple[float, ...]
    closure_left: tuple[float, ...]
    mouth_right: tuple[float, ...]
    mouth_left: tuple[float, ...]
    brow_right: tuple[float, ...]
    brow_left: tuple[float, ...]


@dataclass(frozen=True)
class VideoAnalysis:
    """The result of analysing one video (frozen; ``to_dict()`` gives versioned JSON)."""

    inputs: dict[str, Any]
    quality: Quality
    events: tuple[Event, ...]
    metrics: Metrics
    findings: dict[str, str]
    traces: TraceSummary
    software: dict[str, str]
    mirrored: bool
    notes: tuple[str, ...] = field(default=())
    schema_version: str = SCHEMA_VERSION
    finding_certainty: dict[str, float] = field(default_factory=dict)
    """Certainty in (0, 1) of each of ``findings`` (see :func:`~.findings.video_findings`)."""

    @property
    def one_sided_events(self) -> tuple[Event, ...]:
        """Only the one-sided (clonic or tonic) events."""
        return tuple(e for e in self.events if e.one_sided)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe, versioned mapping (NaN becomes None)."""
        out: dict[str, Any] = {
            "schema_version": self.schema_version,
            "inputs": dict(self.inputs),
            "mirrored": self.mirrored,
            "quality": asdict(self.quality),
            "events": [e.to_dict() for e in self.events],
            "metrics": asdict(self.metrics),
            "findings": dict(self.findings),
            "finding_certainty": dict(self.finding_certainty),
            "traces": asdict(self.traces),
            "software": dict(self.software),
            "notes": list(self.notes),
        }
        return _as_dict(_clean(out))


@dataclass(frozen=True)
class VisitChange:
    """Change between two visits of the same patient (after − before)."""

    before: dict[str, Any]
    after: dict[str, Any]
    changes: dict[str, float | None]
    affected_side: str
    summary: tuple[str, ...]
    schema_version: str = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe mapping."""
        return _as_dict(_clean(asdict(self)))


def _as_dict(value: Any) -> dict[str, Any]:
    assert isinstance(value, dict)
    return value


def _clean(value: Any) -> Any:
    """Recursively turn tuples into lists and non-finite floats into None."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value
