"""Fit the event model on clips with known ground truth (the cross-generator hook).

``fit(examples)`` takes (face track, ground truth) pairs of one generated family and
returns an :class:`~.event_model.EventModel`; ``analyze_track(track, params=model)``
uses it. ``benchmarks/video_accuracy.py`` fits on one family and scores on the other;
``benchmarks/fit_event_model.py`` writes the shipped weights. Pure: the tracks are given.

A candidate is labelled a spasm when it overlaps a true event on the same side (with
:data:`OVERLAP_PAD_S` of slack); every other candidate, and every candidate of a healthy
clip, is a non-spasm example.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from hemifacial.errors import VideoInputError

from .event_model import EventModel, fit_event_model
from .events import Candidate, eye_candidates
from .lowerface import lower_face_candidates
from .quality import assess
from .signals import compute_signals, face_features
from .types import FaceTrack

OVERLAP_PAD_S = 0.05
"""Slack (s) when deciding that a candidate overlaps a true event."""
L2 = 1.0
"""Ridge penalty of the shipped fit (see :func:`~.event_model.fit_event_model`). With a few
dozen candidates the weights are unstable from one set to the next (docs/video.md)."""


def candidates(track: FaceTrack) -> list[Candidate]:
    """Every one-sided candidate (eye and lower face) of a track, before any judgement.

    Raises :class:`~hemifacial.errors.VideoInputError` when no frame is usable."""
    feats = face_features(track)
    _quality, usable = assess(track, feats.fitted, feats.yaw_deg, feats.pitch_deg)
    sig = compute_signals(track, usable, feats)
    eye, _bilateral = eye_candidates(sig)
    return eye + lower_face_candidates(sig, [c.event for c in eye])


def is_spasm(cand: Candidate, truth: Sequence[Mapping[str, Any]]) -> bool:
    """Does the candidate overlap a true event on its side?"""
    e = cand.event
    return any(
        t["side"] == e.side
        and e.start_s < float(t["offset_s"]) + OVERLAP_PAD_S
        and float(t["onset_s"]) - OVERLAP_PAD_S < e.end_s
        for t in truth
    )


def labelled(
    examples: Iterable[tuple[FaceTrack | None, Mapping[str, Any]]],
) -> list[tuple[dict[str, float], bool]]:
    """(features, is_spasm) of every candidate of every usable clip."""
    rows: list[tuple[dict[str, float], bool]] = []
    for track, truth in examples:
        if track is None:
            continue
        try:
            cands = candidates(track)
        except VideoInputError:
            continue
        rows += [(c.features, is_spasm(c, truth.get("events", ()))) for c in cands]
    return rows


def fit(
    examples: Iterable[tuple[FaceTrack | None, Mapping[str, Any]]],
    *,
    source: str = "",
    l2: float = L2,
) -> EventModel:
    """The event model fitted to the candidates of ``examples`` (track, ground truth).

    Ground truth is a mapping with ``events``: each with ``side``, ``onset_s`` and
    ``offset_s`` (``hemifacial_synth`` writes it).
    """
    rows = labelled(examples)
    n_pos = sum(y for _, y in rows)
    what = source or "ground-truth clips"
    model = fit_event_model(
        rows,
        l2=l2,
        source=f"fitted on {what}: {n_pos} spasm / {len(rows) - n_pos} other candidates",
    )
    return replace(model, threshold=best_threshold(model, rows))


THRESHOLDS = tuple(round(0.2 + 0.05 * k, 2) for k in range(11))
"""Candidate thresholds the fit chooses from (0.2–0.7)."""


def best_threshold(model: EventModel, rows: Sequence[tuple[Mapping[str, float], bool]]) -> float:
    """The threshold of :data:`THRESHOLDS` with the best candidate-level F1 on ``rows``
    (the training family; ties go to the higher, more cautious one)."""
    probs = [(model.probability(f), y) for f, y in rows]

    def f1(thr: float) -> tuple[float, float]:
        tp = sum(p >= thr and y for p, y in probs)
        fp = sum(p >= thr and not y for p, y in probs)
        fn = sum(p < thr and y for p, y in probs)
        return (2 * tp / (2 * tp + fp + fn) if tp else 0.0, thr)

    return max(THRESHOLDS, key=f1)
