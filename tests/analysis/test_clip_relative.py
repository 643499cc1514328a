"""Issue 11, second round: cues relative to the clip, alternation, the one-sided rule, and
a fit whose threshold never puts an event on its own healthy clips."""

from __future__ import annotations

import numpy as np
import pytest

from hemifacial.analysis.analyze import analyze_track
from hemifacial.analysis.event_model import FEATURES, SIGNS, EventModel, event_features
from hemifacial.analysis.events import Candidate
from hemifacial.analysis.fit import best_threshold
from hemifacial.analysis.measures import clip_spread
from hemifacial.analysis.review import SPREAD_Z_MIN, review
from hemifacial.analysis.types import Event

from .test_events import make_track, pulse

T = np.arange(0, 30, 1 / 30)
Z = np.zeros_like(T)


def _trusting() -> EventModel:
    """Accepts every candidate (p ≈ 0.73): the clip-level rules are under test."""
    n = len(FEATURES)
    return EventModel((0.0,) * n, 1.0, (0.0,) * n, (1.0,) * n, "test", threshold=0.5)


def _cand(side: str, start: float, depth: float, lead: float, z: float) -> Candidate:
    e = Event(start, start + 0.3, side, "clonic", depth, 1, False, False, 0.0)
    f = event_features(
        depth=depth,
        asymmetry=lead * depth,
        other_closure=(1 - lead) * depth,
        duration_s=0.3,
        noise=0.01,
        mouth_same_side=0.0,
        eye_region=True,
        contrast=lead * depth,
        contrast_spread=lead * depth / z,
    )
    return Candidate(e, f)


def test_lead_is_the_same_at_any_depth():
    """MediaPipe reads a partial closure far below its depth: how one-sided a closure is
    must not depend on how deep it reads."""
    kw = {"duration_s": 0.3, "noise": 0.01, "mouth_same_side": 0.0, "eye_region": True}
    full = event_features(depth=0.8, asymmetry=0.6, other_closure=0.2, **kw)
    part = event_features(depth=0.2, asymmetry=0.15, other_closure=0.05, **kw)
    assert full["lead"] == pytest.approx(part["lead"]) == pytest.approx(0.75)
    assert SIGNS["lead"] == 1 and SIGNS["mouth_same_side"] == 1 and SIGNS["lip_change"] == -1


def test_clip_spread_ignores_a_few_events_but_not_a_restless_face():
    rng = np.random.default_rng(0)
    still = rng.normal(0, 0.01, 900)
    with_events = still.copy()
    with_events[100:250] += 0.5  # a sixth of the clip in spasm
    assert clip_spread(with_events) < 2 * clip_spread(still)
    restless = rng.normal(0, 0.1, 900)
    assert clip_spread(restless) > 5 * clip_spread(still)


def test_same_closures_count_on_a_still_face_but_not_on_a_restless_one():
    """Three one-sided 0.5 closures: spasm on a still face; on a face whose eyes differ
    by ±0.35 all along (talking, expressions), they are within its own spread."""
    model = _trusting()
    c_r = 0.5 * (pulse(T, 4, 0.4) + pulse(T, 12, 0.4) + pulse(T, 20, 0.4))
    a, _ = analyze_track(make_track(T, c_r, Z), params=model)
    assert [e.side for e in a.one_sided_events] == ["right"] * 3
    rng = np.random.default_rng(3)
    restless = np.clip(np.repeat(rng.uniform(0, 0.7, len(T) // 15 + 1), 15)[: len(T)], 0, 1)
    a, _ = analyze_track(make_track(T, np.maximum(c_r, restless), restless[::-1]), params=model)
    assert a.one_sided_events == ()


def test_believed_events_on_both_sides_are_winks_even_when_one_side_is_vetoed():
    """Each eye in turn narrows (``liveportrait_d19``): the model believes both sides; one
    side is then vetoed by the spread rule, which must not leave the other as 'spasm'."""
    low_z = SPREAD_Z_MIN / 2
    cands = [_cand("left", t, 0.5, 0.7, 3.0) for t in (1, 4, 7)]
    cands += [_cand("right", t, 0.5, 0.7, low_z) for t in (2.5, 5.5)]
    out = review(cands, _trusting())
    assert not [e for e in out if e.one_sided]
    assert {e.side for e in out if e.kind == "wink"} == {"left", "right"}


def test_a_weak_other_side_is_demoted_not_reported():
    """HFS is one-sided: two weak events on the other side beside four strong ones are
    noise (uncertain), and the clip keeps its side."""
    cands = [_cand("left", t, 0.8, 0.9, 8.0) for t in (1, 3, 5, 7, 9, 11, 13, 15, 17)]
    cands += [_cand("right", t, 0.3, 0.2, 3.0) for t in (20, 22)]
    out = review(cands, _trusting())
    assert {e.side for e in out if e.one_sided} == {"left"}
    assert [e.kind for e in out if e.side == "right"] == ["uncertain", "uncertain"]


def test_threshold_keeps_the_training_family_healthy_clips_at_zero():
    """A threshold that would count an event on a healthy training clip is never chosen,
    even when a lower one gives the best F1 on the clips with events."""
    n = len(FEATURES)
    w = tuple(14.0 if k == "snr" else 0.0 for k in FEATURES)
    model = EventModel(w, -24.0, (0.0,) * n, (1.0,) * n, "test")  # p = σ(14·snr − 24)
    starts, depths = (1, 4, 7, 10), (0.6, 0.6, 0.45, 0.45)
    truth = [{"side": "left", "onset_s": t, "offset_s": t + 0.3} for t in starts]
    sick = ([_cand("left", t, d, 0.9, 9.0) for t, d in zip(starts, depths, strict=True)], truth)
    healthy = ([_cand("left", t, 0.5, 0.9, 9.0) for t in (2, 6)], [])
    p_healthy = model.probability(healthy[0][0].features)
    assert best_threshold(model, [sick]) < p_healthy  # all four found
    assert best_threshold(model, [sick, healthy]) > p_healthy  # the healthy clip stays at 0


def test_the_other_eye_counts_from_its_own_rest_level():
    """A face that keeps its lids a quarter lowered most of the time (open fully only now
    and then): during a right-sided closure the left eye reads 0.25, its usual level in
    this clip, so the model sees it as not closing at all."""
    from hemifacial.analysis.fit import candidates

    rest = np.where((T % 5) < 3.5, 0.25, 0.0)  # lowered 70 % of the time
    c_r = np.maximum(rest, 0.9 * (pulse(T, 2, 0.4) + pulse(T, 12, 0.4) + pulse(T, 22, 0.4)))
    cands = [c for c in candidates(make_track(T, c_r, rest)) if c.event.side == "right"]
    deep = [c for c in cands if c.event.depth > 0.6]
    assert len(deep) == 3
    assert all(c.features["other_closure"] < 0.05 for c in deep)
