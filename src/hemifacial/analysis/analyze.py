"""From a face track to a complete :class:`~hemifacial.analysis.types.VideoAnalysis`."""

from __future__ import annotations

from typing import Any

import numpy as np

from .event_model import EventModel
from .findings import EMITS, derive_findings, video_findings
from .metrics import compute_metrics
from .quality import assess
from .review import detect_events
from .signals import compute_signals, face_features, unmirror
from .types import FaceTrack, FloatArray, Signals, TraceSummary, VideoAnalysis

TRACE_HZ = 10.0
"""Sample rate of the stored traces (enough to plot, small in JSON)."""


def _down(
    times: FloatArray, v: FloatArray, grid: FloatArray, reduce_max: bool
) -> tuple[float, ...]:
    """Mean (or max) of the finite values of ``v`` in each bin ``[grid[i], grid[i + 1])``;
    NaN for a bin without any."""
    idx = np.searchsorted(times, grid)
    lo, hi = idx[:-1], idx[1:]
    w = v[: idx[-1]]
    fin = np.isfinite(w)
    out = np.full(len(lo), np.nan)
    full = hi > lo  # bins are contiguous: each non-empty bin ends where the next one starts
    if full.any():
        starts = lo[full]
        count = np.add.reduceat(fin, starts)
        if reduce_max:
            vals = np.maximum.reduceat(np.where(fin, w, -np.inf), starts)
        else:
            vals = np.add.reduceat(np.where(fin, w, 0.0), starts) / np.maximum(count, 1)
        out[full] = np.where(count > 0, vals, np.nan)
    return tuple(round(float(x), 4) for x in out)


def summarize_traces(sig: Signals) -> TraceSummary:
    """Per-side traces on a 10-Hz grid (closure: max per bin so brief blinks stay visible)."""
    t = sig.times
    grid = np.arange(t[0], t[-1] + 1 / TRACE_HZ, 1 / TRACE_HZ)
    if len(grid) < 2:
        grid = np.array([t[0], t[-1] + 1e-6])

    def d(v: FloatArray, mx: bool = False) -> tuple[float, ...]:
        return _down(t, v, grid, mx)

    return TraceSummary(
        times=tuple(round(float(x), 3) for x in grid[:-1]),
        closure_right=d(sig.right.closure, True),
        closure_left=d(sig.left.closure, True),
        mouth_right=d(sig.right.mouth),
        mouth_left=d(sig.left.mouth),
        brow_right=d(sig.right.brow),
        brow_left=d(sig.left.brow),
    )


def analyze_track(
    track: FaceTrack,
    *,
    mirrored: bool = False,
    inputs: dict[str, Any] | None = None,
    software: dict[str, str] | None = None,
    params: EventModel | None = None,
) -> tuple[VideoAnalysis, Signals]:
    """Quality gate, signals, events, metrics and findings of one face track.

    ``params`` is an event model to judge one-sided candidates with (default: the shipped
    one); the cross-generator benchmark passes one fitted on the other family.

    Raises :class:`~hemifacial.errors.VideoInputError` when too little of the clip is usable.
    """
    if mirrored:
        track = unmirror(track)
    feats = face_features(track)
    quality, usable = assess(track, feats.fitted, feats.yaw_deg, feats.pitch_deg)
    sig = compute_signals(track, usable, feats)
    del feats
    events = detect_events(sig, params)
    metrics = compute_metrics(sig, events)
    notes = list(quality.notes)
    notes.append(
        "mirrored: the clip was marked as a mirrored front-camera recording; sides were swapped"
        if mirrored
        else "sides assume a non-mirrored recording (use --mirrored for selfie-mirrored clips)"
    )
    notes.append("severity grades are estimates from video, not a clinical rating")
    analysis = VideoAnalysis(
        inputs=dict(inputs or {}),
        quality=quality,
        events=events,
        metrics=metrics,
        findings=(findings := derive_findings(events, metrics)),
        finding_certainty={
            k: u.certainty
            for k, u in video_findings(events, metrics, EMITS).items()
            if k in findings
        },
        traces=summarize_traces(sig),
        software=dict(software or {}),
        mirrored=mirrored,
        notes=tuple(notes),
    )
    return analysis, sig
