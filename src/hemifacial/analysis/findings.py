"""Findings bridge: video results as evidence-base findings, each with its certainty.

The finding ids and values belong to the evidence base (``hemifacial.domain.knowledge``);
this module does not keep its own copy of them. :func:`video_findings` takes the
vocabulary (finding id → accepted values, see :func:`vocabulary_of`) as an argument and
refuses to emit a value outside it; ``tests/analysis/test_findings.py`` checks that every
value :data:`EMITS` lists is accepted by the shipped evidence base.

Each finding is a :class:`~hemifacial.domain.types.Uncertain` (``{value, certainty}``): the
engine treats it as virtual evidence, so a video reading shifts the patient's account
instead of overriding it. Certainties are **expert estimates** from how much the clip
shows (reasoning per function below), capped at :data:`MAX_CERTAINTY`: a video finding is
never hard evidence. Only keys the video can settle are emitted:

========================  ==============================================================
``side``                  ``left`` | ``right`` | ``both`` (patient's side)
``laterality``            ``unilateral`` | ``bilateral_synchronous`` |
                          ``bilateral_asynchronous`` (the last only from alternating
                          winks, at low certainty)
``spread_to_lower_face``  ``yes`` | ``no`` (same-side mouth/cheek with the eye events)
``contraction_pattern``   ``clonic`` | ``tonic`` | ``clonic_and_tonic``
``other_babinski``        ``yes`` | ``no`` (brow lifts as the same eye closes)
========================  ==============================================================
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from hemifacial.domain.types import Uncertain

from .review import WINK_DISCOUNT
from .types import Event, Metrics

MIN_EVENTS = 2
"""One-sided events needed before the video is taken to show a side at all."""
MIN_EVENTS_FOR_NO = 3
"""Events needed before an absent sign (spread, other Babinski) is reported as 'no'."""
SIGN_FRACTION = 0.3
"""Share of events showing a sign for 'yes' (estimate; a single event can be chance)."""
MAX_CERTAINTY = 0.9
"""Expert estimate: no video finding is taken as more certain than this (tracking errors,
a short recording, a patient who was not having spasms that minute)."""

EMITS: dict[str, tuple[str, ...]] = {
    "side": ("left", "right", "both"),
    "laterality": ("unilateral", "bilateral_synchronous", "bilateral_asynchronous"),
    "spread_to_lower_face": ("yes", "no"),
    "contraction_pattern": ("clonic", "tonic", "clonic_and_tonic"),
    "other_babinski": ("yes", "no"),
}
"""Every (finding, value) the code below can produce — what the evidence base must accept
(checked against it in a test, never used as the vocabulary itself)."""


def vocabulary_of(kb: Any) -> dict[str, tuple[str, ...]]:
    """Finding id → accepted values of a loaded evidence base, for the findings the video
    can report (``kb`` is a :class:`~hemifacial.domain.knowledge.model.KnowledgeBase`)."""
    return {fid: tuple(kb.findings[fid].accepted_values) for fid in EMITS if fid in kb.findings}


def _pattern(kinds: set[str]) -> str | None:
    clonic = bool(kinds & {"clonic", "bilateral_clonic"})
    tonic = bool(kinds & {"tonic", "bilateral_tonic"})
    if clonic and tonic:
        return "clonic_and_tonic"
    return "clonic" if clonic else "tonic" if tonic else None


def _support(n: int) -> float:
    """Expert estimate of how much ``n`` events support a clip-level reading: 1 − 0.5ⁿ
    (one event 0.5, three 0.875), as for the side confidence in :mod:`.metrics`."""
    return 1.0 - 0.5**n


def _mean_conf(events: list[Event]) -> float:
    return sum(e.confidence for e in events) / len(events) if events else 0.0


def _cap(x: float) -> float:
    return round(min(MAX_CERTAINTY, max(0.01, x)), 3)


def _sign(events: list[Event], attr: str) -> Uncertain | None:
    """'yes' with certainty share × support of the events showing it; 'no' when none of at
    least :data:`MIN_EVENTS_FOR_NO` shows it, with the support of that many events."""
    n_yes = sum(bool(getattr(e, attr)) for e in events)
    if n_yes and n_yes / len(events) >= SIGN_FRACTION:
        return Uncertain("yes", _cap(n_yes / len(events) * _support(n_yes)))
    if n_yes == 0 and len(events) >= MIN_EVENTS_FOR_NO:
        return Uncertain("no", _cap(_support(len(events)) * _mean_conf(events)))
    return None


def _one_sided(one: list[Event], metrics: Metrics) -> dict[str, Uncertain]:
    side = metrics.affected_side
    out: dict[str, Uncertain] = {}
    if side in ("right", "left"):
        used = [e for e in one if e.side == side]
        sure = _cap(metrics.side_confidence * _mean_conf(used))
        out["side"], out["laterality"] = Uncertain(side, sure), Uncertain("unilateral", sure)
    else:
        used = one
        sure = _cap(metrics.side_confidence * _mean_conf(used))
        out["side"] = Uncertain("both", sure)
        out["laterality"] = Uncertain("bilateral_asynchronous", sure)
    pattern = _pattern({e.kind for e in used})
    if pattern:
        out["contraction_pattern"] = Uncertain(
            pattern, _cap(_support(len(used)) * _mean_conf(used))
        )
    for key, attr in (("spread_to_lower_face", "lower_face"), ("other_babinski", "brow_lift")):
        value = _sign(used, attr)
        if value:
            out[key] = value
    return out


def _alternating(events: tuple[Event, ...]) -> bool:
    """Winks on both sides: the clip looks like voluntary alternation (:mod:`.review`)."""
    return len({e.side for e in events if e.kind == "wink"}) == 2


def _bilateral(bil: list[Event], winks: list[Event]) -> dict[str, Uncertain]:
    """Bilateral flutter or tonic closure; or, with only alternating winks, a low-weight
    'bilateral, asynchronous' (voluntary-looking: certainty ≤ the winks' discounted
    confidence, so the engine barely moves). Bilateral episodes in a clip of alternating
    winks (``liveportrait_d3``: both eyes shut between the winks) look voluntary too and
    are discounted by the same :data:`~.review.WINK_DISCOUNT`."""
    out: dict[str, Uncertain] = {}
    if bil:
        sure = _cap(
            _support(len(bil)) * (WINK_DISCOUNT if len({e.side for e in winks}) == 2 else 1)
        )
        out["side"] = Uncertain("both", sure)
        out["laterality"] = Uncertain("bilateral_synchronous", sure)
        pattern = _pattern({e.kind for e in bil})
        if pattern:
            out["contraction_pattern"] = Uncertain(pattern, sure)
    elif len({e.side for e in winks}) == 2:
        sure = _cap(_mean_conf(winks) * _support(len(winks)))
        out["side"] = Uncertain("both", sure)
        out["laterality"] = Uncertain("bilateral_asynchronous", sure)
    return out


def video_findings(
    events: tuple[Event, ...], metrics: Metrics, vocabulary: Mapping[str, Collection[str]]
) -> dict[str, Uncertain]:
    """Findings with their certainty, in the evidence base's ``vocabulary``.

    Findings the vocabulary lacks are left out; a value it does not accept raises
    ``ValueError`` (the evidence base and this module disagree: a bug, not bad input).
    """
    one = [e for e in events if e.one_sided]
    if len(one) >= MIN_EVENTS:
        out = _one_sided(one, metrics)
    elif not one:
        bil = [e for e in events if e.kind in ("bilateral_clonic", "bilateral_tonic")]
        out = _bilateral(bil, [e for e in events if e.kind == "wink"])
    else:
        out = {}
    kept: dict[str, Uncertain] = {}
    for fid, u in out.items():
        if fid not in vocabulary:
            continue
        if u.value not in vocabulary[fid]:
            raise ValueError(f"video finding {fid}={u.value!r} is not in the evidence base")
        kept[fid] = u
    return kept


def derive_findings(events: tuple[Event, ...], metrics: Metrics) -> dict[str, str]:
    """The plain values of :func:`video_findings` (stored with the analysis JSON), without
    the low-weight readings of a clip of alternating winks, which are only offered with
    their certainty."""
    full = video_findings(events, metrics, EMITS)
    one = any(e.one_sided for e in events)
    bil = any(e.kind in ("bilateral_clonic", "bilateral_tonic") for e in events)
    if not one and (not bil or _alternating(events)):
        return {}
    return {k: str(u.value) for k, u in full.items()}
