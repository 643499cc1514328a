"""Clip-level review of one-sided candidates: repetition, alternation, the event model.

Each candidate first gets the event model's probability as its ``confidence``; below
the model's threshold it is ``uncertain``. Then the clip as a whole: HFS repeats on
one side, while a single shallow narrowing (a smirk) or winks taking turns on both sides
(``liveportrait_d3``) look voluntary. So a shallow eye event or a lower-face-only event
counts only when its side has at least :data:`MIN_REPEAT` accepted events; when both sides
hold at least :data:`ALTERNATION_SHARE` of the accepted events — or of the deep
one-sided closures, accepted or not (a wink is a full, voluntary closure) — they are
relabelled ``wink`` (reported per side, not counted as spasm, confidence × :data:`WINK_DISCOUNT`).
"""

from __future__ import annotations

from dataclasses import replace

from .event_model import DEFAULT_MODEL, EventModel
from .events import SHALLOW_PEAK, Candidate, eye_candidates
from .lowerface import lower_face_candidates
from .types import SIDES, Event, Signals

MIN_REPEAT = 2
"""Accepted events a side needs before its shallow or lower-face-only events count."""
MIN_REPEAT_DEEP = 2
"""... and before a deep one counts: HFS repeats, one closure of one eye in a clip is as
likely a wink (``liveportrait_d13``, ``d3``)."""
ALTERNATION_SHARE = 0.2
"""Share of the counted one-sided events both sides must hold for 'alternation'."""
WINK_DISCOUNT = 0.3
"""Confidence factor of a one-sided closure in an alternating clip (looks voluntary)."""


def _weak(e: Event) -> bool:
    return e.region == "lower_face" or e.depth < SHALLOW_PEAK


def review(cands: list[Candidate], model: EventModel) -> list[Event]:
    """Judge candidates in the light of the whole clip (see module docstring)."""
    events = []
    for c in cands:
        e = replace(c.event, confidence=model.probability(c.features))
        if e.one_sided and e.confidence < model.threshold:
            e = replace(e, kind="uncertain")
        events.append(e)
    total: dict[str, int] = {
        s: sum(1 for e in events if e.one_sided and e.side == s) for s in SIDES
    }
    out: list[Event] = []
    for e in events:
        if e.one_sided and total[e.side] < (MIN_REPEAT if _weak(e) else MIN_REPEAT_DEEP):
            e = replace(e, kind="uncertain")
        out.append(e)
    deep = [c.event for c in cands if c.event.one_sided and not _weak(c.event)]
    counted = [e for e in out if e.one_sided]
    if _alternates(counted) or _alternates(deep):
        deep_ids = {(e.side, e.start_s) for e in deep}
        out = [
            replace(e, kind="wink", confidence=e.confidence * WINK_DISCOUNT)
            if e.one_sided or (e.side, e.start_s) in deep_ids
            else e
            for e in out
        ]
    return out


def _alternates(events: list[Event]) -> bool:
    """Do both sides hold at least :data:`ALTERNATION_SHARE` of these one-sided events?"""
    if not events:
        return False
    share = min(sum(1 for e in events if e.side == s) for s in SIDES) / len(events)
    return share >= ALTERNATION_SHARE


def detect_events(sig: Signals, model: EventModel | None = None) -> tuple[Event, ...]:
    """All episodes of the clip in time order: blinks, bilateral activity, one-sided eye
    and lower-face events (clonic/tonic), winks and uncertain candidates."""
    eye, bilateral = eye_candidates(sig)
    lower = lower_face_candidates(sig, [c.event for c in eye])
    judged = review(eye + lower, model or DEFAULT_MODEL)
    return tuple(sorted(judged + bilateral, key=lambda e: e.start_s))
