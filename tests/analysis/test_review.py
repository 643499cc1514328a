"""Clip-level review, lower-face candidates, honest grades and the event model."""

from __future__ import annotations

import numpy as np
import pytest

from hemifacial.analysis.analyze import analyze_track
from hemifacial.analysis.event_model import FEATURES, EventModel, fit_event_model

from .test_events import make_track, pulse

T = np.arange(0, 30, 1 / 30)
Z = np.zeros_like(T)


def test_winks_taking_turns_are_winks_not_spasm_and_not_graded():
    c_r = pulse(T, 2, 0.4) + pulse(T, 10, 0.4) + pulse(T, 18, 0.4)
    c_l = pulse(T, 6, 0.4) + pulse(T, 14, 0.4) + pulse(T, 22, 0.4)
    a, _ = analyze_track(make_track(T, c_r, c_l))
    assert a.one_sided_events == ()
    winks = [e for e in a.events if e.kind == "wink"]
    assert sorted({e.side for e in winks}) == ["left", "right"]
    assert len(winks) == 6
    assert all(e.confidence < 0.5 for e in winks)
    assert a.metrics.severity.jankovic_total == 0  # winks feed no grade


def test_single_shallow_narrowing_is_not_counted_but_a_repeated_one_is():
    once = pulse(T, 5, 0.8, depth=0.5)
    a, _ = analyze_track(make_track(T, once, Z))
    assert a.one_sided_events == ()
    many = once + pulse(T, 12, 0.8, depth=0.5) + pulse(T, 20, 0.3)
    a, _ = analyze_track(make_track(T, many, Z))
    assert [e.side for e in a.one_sided_events] == ["right"] * 3


def _trusting_mouth_pull() -> EventModel:
    """A model that accepts a one-sided corner pull and refuses a two-sided one (the
    clip-level rules are under test here, not the shipped weights)."""
    w = {k: 0.0 for k in FEATURES} | {"mouth_same_side": 60.0, "mouth_both": -60.0}
    n = len(FEATURES)
    return EventModel(tuple(w[k] for k in FEATURES), -1.0, (0.0,) * n, (1.0,) * n, "test")


def test_repeated_one_sided_mouth_pull_is_a_lower_face_event_but_a_smile_is_not():
    model = _trusting_mouth_pull()
    pull = 0.1 * (pulse(T, 4, 0.4) + pulse(T, 11, 0.4) + pulse(T, 19, 0.5))
    a, _ = analyze_track(make_track(T, Z, Z, pull, Z), params=model)
    lower = [e for e in a.one_sided_events if e.region == "lower_face"]
    assert [round(e.start_s) for e in lower] == [4, 11, 19]
    assert all(e.side == "right" for e in lower)
    once = 0.1 * pulse(T, 4, 0.4)  # a single one-sided pull: not repeated, not counted
    a, _ = analyze_track(make_track(T, Z, Z, once, Z), params=model)
    assert a.one_sided_events == ()
    a, _ = analyze_track(make_track(T, Z, Z, pull, pull), params=model)  # a smile
    assert not [e for e in a.events if e.region == "lower_face" and e.one_sided]


def test_too_short_a_clip_is_not_graded():
    t = np.arange(0, 10, 1 / 30)
    c = pulse(t, 1, 0.3) + pulse(t, 4, 0.3) + pulse(t, 7, 1.5)
    a, _ = analyze_track(make_track(t, c, np.zeros_like(t)))
    assert len(a.one_sided_events) == 3
    sev = a.metrics.severity
    assert sev.graded is False and sev.jankovic_total == 0
    assert "not enough video to grade" in sev.basis[0]


def test_fit_event_model_learns_which_feature_separates():
    rng = np.random.default_rng(1)
    examples = []
    for _ in range(200):
        y = bool(rng.random() < 0.5)
        f = {k: float(rng.normal()) for k in FEATURES}
        f["asymmetry_z"] = float(rng.normal(0.6 if y else 0.1, 0.1))
        examples.append((f, y))
    model = fit_event_model(examples, source="test")
    w = dict(zip(FEATURES, model.weights, strict=True))
    assert max(w, key=lambda k: abs(w[k])) == "asymmetry_z" and w["asymmetry_z"] > 0
    base = {k: 0.0 for k in FEATURES}
    assert model.probability({**base, "asymmetry_z": 0.7}) > 0.9
    assert model.probability({**base, "asymmetry_z": 0.0}) < 0.1
    with pytest.raises(ValueError):
        fit_event_model([(base, True)])


def test_fit_keeps_physiological_signs():
    # in this made-up family closures further above the eye's jitter are *less* often
    # spasm: the signed fit refuses to learn that (snr weight 0), the unsigned fit learns it
    rng = np.random.default_rng(2)
    examples = []
    for _ in range(300):
        y = bool(rng.random() < 0.5)
        f = {k: float(rng.normal()) for k in FEATURES}
        f["snr"] = float(rng.normal(0.3 if y else 0.7, 0.1))
        f["onset_rate"] = float(rng.normal(1.3 if y else 0.9, 0.2))
        examples.append((f, y))
    w = dict(zip(FEATURES, fit_event_model(examples).weights, strict=True))
    assert w["snr"] == 0.0 and w["onset_rate"] > 0
    w = dict(zip(FEATURES, fit_event_model(examples, signed=False).weights, strict=True))
    assert w["snr"] < 0
