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
from .review import review
from .signals import compute_signals, face_features
from .types import Event, FaceTrack

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


Clip = tuple[list[Candidate], list[Mapping[str, Any]]]
"""One training clip: its candidates and its true events."""


def clips_of(examples: Iterable[tuple[FaceTrack | None, Mapping[str, Any]]]) -> list[Clip]:
    """(candidates, true events) of every usable clip."""
    out: list[Clip] = []
    for track, truth in examples:
        if track is None:
            continue
        try:
            cands = candidates(track)
        except VideoInputError:
            continue
        out.append((cands, list(truth.get("events", ()))))
    return out


def labelled(
    examples: Iterable[tuple[FaceTrack | None, Mapping[str, Any]]],
) -> list[tuple[dict[str, float], bool]]:
    """(features, is_spasm) of every candidate of every usable clip."""
    return [(c.features, is_spasm(c, ev)) for cands, ev in clips_of(examples) for c in cands]


def fit(
    examples: Iterable[tuple[FaceTrack | None, Mapping[str, Any]]],
    *,
    source: str = "",
    l2: float = L2,
    use: Iterable[str] | None = None,
) -> EventModel:
    """The event model fitted to the candidates of ``examples`` (track, ground truth).

    Ground truth is a mapping with ``events``: each with ``side``, ``onset_s`` and
    ``offset_s`` (``hemifacial_synth`` writes it). The threshold is chosen by
    :func:`best_threshold` on the same clips.
    """
    clips = clips_of(examples)
    rows = [(c.features, is_spasm(c, ev)) for cands, ev in clips for c in cands]
    n_pos = sum(y for _, y in rows)
    what = source or "ground-truth clips"
    model = fit_event_model(
        rows,
        l2=l2,
        use=use,
        source=f"fitted on {what}: {n_pos} spasm / {len(rows) - n_pos} other candidates",
    )
    return replace(model, threshold=best_threshold(model, clips))


THRESHOLDS = tuple(round(0.2 + 0.05 * k, 2) for k in range(11))
"""Candidate thresholds the fit chooses from (0.2–0.7)."""


def _counted(e: Event) -> bool:
    return e.kind in ("clonic", "tonic")


def clip_f1(model: EventModel, clips: Sequence[Clip]) -> tuple[float, int]:
    """(F1 of the counted events, false events on healthy clips) over ``clips``, with the
    clip-level review (:func:`~.review.review`) applied: a counted event is a hit when it
    overlaps a true event on its side (each true event found once)."""
    tp = fp = fn = healthy_false = 0
    for cands, truth in clips:
        judged = review(cands, model)
        counted = [(c, e) for c, e in zip(cands, judged, strict=True) if _counted(e)]
        if not truth:
            healthy_false += len(counted)
            fp += len(counted)
            continue
        found = sum(any(is_spasm(c, [t]) for c, _ in counted) for t in truth)
        tp += found
        fn += len(truth) - found
        fp += sum(not is_spasm(c, truth) for c, _ in counted)
    return (2 * tp / (2 * tp + fp + fn) if tp else 0.0), healthy_false


def best_threshold(model: EventModel, clips: Sequence[Clip]) -> float:
    """The threshold of :data:`THRESHOLDS` with the best clip-level F1 on the training
    clips (:func:`clip_f1`) among those that count no event on any of their healthy
    clips (the hard rule: a healthy face is never given a one-sided event); ties go to
    the higher, more cautious threshold. Without any such threshold, the highest."""
    scored = []
    for thr in THRESHOLDS:
        f1, healthy_false = clip_f1(replace(model, threshold=thr), clips)
        scored.append((healthy_false == 0, f1, thr))
    return max(scored)[2]
