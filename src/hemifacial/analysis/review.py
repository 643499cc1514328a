"""Clip-level review of one-sided candidates: repetition, alternation, the event model.

Each candidate first gets the event model's probability as its ``confidence``; below
the model's threshold it is ``uncertain``, and so is an eye candidate during which the
other eye closes nearly as far (:func:`_other_eye_too`: a blink is bilateral and
symmetric; when the other eye does most of what this one does, it is a blink read
unevenly, whatever the model says). Then the clip as a whole: HFS repeats on
one side, while a single shallow narrowing (a smirk) or winks taking turns on both sides
(``liveportrait_d3``) look voluntary. So a shallow eye event or a lower-face-only event
counts only when its side has at least :data:`MIN_REPEAT` accepted events; when both sides
hold at least :data:`ALTERNATION_SHARE` of the counted events, of the deep one-sided
closures, accepted or not (a wink is a full, voluntary closure), or of the strength
(confidence × depth) of what the model believes before the clip-level rules, they are
relabelled ``wink`` (reported per side, not counted as spasm, confidence × :data:`WINK_DISCOUNT`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .event_model import DEFAULT_MODEL, EventModel
from .events import OTHER_EYE_RATIO, SHALLOW_PEAK, Candidate, eye_candidates
from .lowerface import lower_face_candidates
from .types import SIDES, Event, Signals

MIN_REPEAT = 2
"""Accepted events a side needs before its shallow or lower-face-only events count."""
MIN_REPEAT_DEEP = 1
"""... and before a deep one counts. One: a deep closure of one eye while the other eye
stays near its rest level (:func:`_other_eye_too` is required of every counted eye
event) is a one-sided contraction even when it is the clip's only one; a blink read
unevenly (``liveportrait_d13``: the other eye does 90 % of it) fails that rule, and winks
taking turns (``d3``) are caught by the alternation rule. But the clip's only counted event,
when it is a single closure under 1 s, is ``uncertain`` (:func:`_lone_closure_uncertain`: a
voluntary wink looks exactly like it). A single event is never graded and
gives no side finding (``grades.MIN_GRADE_EVENTS``, ``findings.MIN_EVENTS``). Until this
round it was 2, which lost every clip holding one spasm (docs/video.md)."""
ALTERNATION_SHARE = 0.2
"""Share of the counted one-sided events both sides must hold for 'alternation'."""
SPREAD_Z_MIN = 2.0
"""A one-sided event's side difference (median over the event) must be at least this many
times the clip's own spread of that difference (:func:`~.measures.clip_spread`): one side
must do what it does not do the rest of the clip. A talking face (``liveportrait_d6``)
moves its lids and mouth corners unevenly all along (spread of the eye difference 0.09
against 0.04–0.07 for a still face) and its larger one-sided moments stay within 2 of it."""
MIN_STRENGTH_DEPTH = 0.3
"""Floor of an event's depth in :func:`_strength` (the shallowest a warp event is made)."""
WINK_DISCOUNT = 0.3
"""Confidence factor of a one-sided closure in an alternating clip (looks voluntary)."""


def _weak(e: Event) -> bool:
    return e.region == "lower_face" or e.depth < SHALLOW_PEAK


def review(cands: list[Candidate], model: EventModel) -> list[Event]:
    """Judge candidates in the light of the whole clip (see module docstring)."""
    events = []
    # what the model alone accepts, before the clip-level rules; weighed by strength
    # (confidence × depth) for alternation: winking in turn means both sides close, and one
    # faint narrowing (0.18) beside two deep closures of the other eye is not that
    believed = []
    for c in cands:
        e = replace(c.event, confidence=model.probability(c.features))
        if e.one_sided and e.confidence >= model.threshold and _leads(c):
            believed.append(e)
        if e.one_sided and (
            e.confidence < model.threshold
            or c.features["contrast_z"] < SPREAD_Z_MIN
            or (e.region == "eye" and _other_eye_too(c))
        ):
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
    out = _lone_closure_uncertain(out)
    deep = [c.event for c in cands if _wink_like(c)]
    counted = [e for e in out if e.one_sided]
    if _alternates(counted) or _alternates(deep) or _alternates(believed, _strength):
        wink_ids = {(e.side, e.start_s) for e in deep + believed}
        out = [
            replace(e, kind="wink", confidence=e.confidence * WINK_DISCOUNT)
            if e.one_sided or (e.side, e.start_s) in wink_ids
            else e
            for e in out
        ]
    elif counted:
        # HFS is one-sided: a few weak events on the other side are noise, not a side
        main = max(SIDES, key=lambda s: sum(_strength(e) for e in counted if e.side == s))
        out = [replace(e, kind="uncertain") if e.one_sided and e.side != main else e for e in out]
    return out


def _lone_closure_uncertain(events: list[Event]) -> list[Event]:
    """The clip's only counted one-sided event, when it is one closure of one eye shorter
    than a tonic spasm, is ``uncertain``: a voluntary wink is exactly that (one full,
    smooth closure of 0.3–0.6 s), and no landmark cue we have tells the two apart (a
    generated 0.45-s wink reads 0.37 s long, 0.23 s at ≥ half its depth, cheek and brow as
    a spasm's; a true lone twitch of the pasted family reads 0.30 s and 0.23 s). A lone
    burst (two or more closures) or a lone closure held ≥ 1 s (tonic) is not a wink and
    still counts; so do single closures once the side repeats."""
    counted = [e for e in events if e.one_sided]
    if len(counted) != 1:
        return events
    lone = counted[0]
    if lone.region != "eye" or lone.kind != "clonic" or lone.n_closures > 1:
        return events
    return [replace(e, kind="uncertain") if e is lone else e for e in events]


def _strength(e: Event) -> float:
    """Weight of a counted event when comparing the two sides: its confidence times its
    depth (at least :data:`MIN_STRENGTH_DEPTH`, so lower-face events weigh too)."""
    return e.confidence * max(e.depth, MIN_STRENGTH_DEPTH)


def _wink_like(c: Candidate) -> bool:
    """A deep closure of one eye with the other eye open: a wink or a spasm, not a blink
    read unevenly. The closing eye must lead the other by at least
    ``1 - OTHER_EYE_RATIO`` of its depth (``liveportrait_d13`` closes both eyes, the right
    0.78 and the left most of the way, median difference 0.09: not a wink)."""
    e = c.event
    return e.one_sided and e.region == "eye" and not _weak(e) and _leads(c)


def _other_eye_too(c: Candidate) -> bool:
    """Does the other eye close nearly as far as this one (beyond its own rest level,
    peak against peak: :func:`~.measures.peak_lead` < ``1 - OTHER_EYE_RATIO``)? Then it is a
    blink read unevenly (``liveportrait_d13`` at 10.4 s, ``d6`` at 12.6 s: 0.12, 0.14),
    not a one-sided contraction (every true event of both generated families: ≥ 0.56)."""
    return c.features["peak_lead"] < 1.0 - OTHER_EYE_RATIO


def _leads(c: Candidate) -> bool:
    """Does the candidate's side lead the other by ``1 - OTHER_EYE_RATIO`` of its depth?"""
    return c.features["lead"] >= 1.0 - OTHER_EYE_RATIO


def _alternates(events: list[Event], weight: Callable[[Event], float] | None = None) -> bool:
    """Do both sides hold at least :data:`ALTERNATION_SHARE` of these one-sided events
    (counted, or weighted by ``weight``)?"""
    w = weight or (lambda e: 1.0)
    total = sum(w(e) for e in events)
    if not events or total <= 0:
        return False
    share = min(sum(w(e) for e in events if e.side == s) for s in SIDES) / total
    return share >= ALTERNATION_SHARE


def detect_events(sig: Signals, model: EventModel | None = None) -> tuple[Event, ...]:
    """All episodes of the clip in time order: blinks, bilateral activity, one-sided eye
    and lower-face events (clonic/tonic), winks and uncertain candidates."""
    eye, bilateral = eye_candidates(sig)
    lower = lower_face_candidates(sig, [c.event for c in eye])
    judged = review(eye + lower, model or DEFAULT_MODEL)
    return tuple(sorted(judged + bilateral, key=lambda e: e.start_s))
