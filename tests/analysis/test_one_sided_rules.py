"""Issue 11, fourth pass: a blink read unevenly is never one-sided, a lone deep one-sided
closure held ≥ 1 s or a lone burst counts (but is not graded), a lone single
closure is uncertain (a wink?), the onset is where the lid starts to move, and the
model's clip-relative one-sidedness does not depend on how deep MediaPipe reads."""

from __future__ import annotations

import numpy as np
import pytest

from hemifacial.analysis.analyze import analyze_track
from hemifacial.analysis.event_model import FEATURES, EventModel, event_features
from hemifacial.analysis.events import Candidate
from hemifacial.analysis.measures import peak_lead
from hemifacial.analysis.review import review
from hemifacial.analysis.types import Event

from .test_events import make_track, pulse

T = np.arange(0, 30, 1 / 30)
Z = np.zeros_like(T)


def _trusting() -> EventModel:
    """Accepts every candidate (p ≈ 0.73): the rules are under test, not the weights."""
    n = len(FEATURES)
    return EventModel((0.0,) * n, 1.0, (0.0,) * n, (1.0,) * n, "test", threshold=0.5)


def _cand(side: str, start: float, depth: float, other_peak: float) -> Candidate:
    """A deep, clearly unusual closure (20 × the clip's spread) whose other eye peaks at
    ``other_peak`` meanwhile; its median lead is high either way."""
    e = Event(start, start + 0.3, side, "clonic", depth, 1, False, False, other_peak)
    f = event_features(
        depth=depth,
        asymmetry=0.8 * depth,
        other_closure=0.0,
        duration_s=0.3,
        noise=0.01,
        mouth_same_side=0.0,
        eye_region=True,
        contrast=0.8 * depth,
        contrast_spread=0.04 * depth,
        peak_lead=peak_lead(np.array([0.0, depth]), np.array([0.0, other_peak]), 0.0, 0.0),
    )
    return Candidate(e, f)


def test_peak_lead_asks_whether_the_other_eye_does_the_same():
    blink = peak_lead(np.array([0.1, 0.5, 0.8, 0.4]), np.array([0.0, 0.4, 0.7, 0.3]), 0.0, 0.0)
    assert blink < 0.3  # the other eye reaches 7/8 of it: a blink read unevenly
    # the other eye sits at its own rest level (lids a little lowered all clip): one-sided
    assert peak_lead(np.array([0.2, 0.9]), np.array([0.2, 0.21]), 0.0, 0.2) > 0.95
    # depth-free: a partial closure MediaPipe reads at 0.3 is as one-sided as a full one
    full = peak_lead(np.array([0.0, 0.9]), np.array([0.0, 0.18]), 0.0, 0.0)
    part = peak_lead(np.array([0.0, 0.3]), np.array([0.0, 0.06]), 0.0, 0.0)
    assert full == pytest.approx(part) == pytest.approx(0.8)


def test_a_blink_read_unevenly_is_never_one_sided_whatever_the_model_says():
    """``liveportrait_d13``: a natural blink reads 0.78 on the right and nearly as much on
    the left; the model (here: one that believes everything) must not make it a spasm."""
    uneven = _cand("right", 10.4, 0.78, other_peak=0.7)
    one_sided = _cand("right", 14.0, 0.78, other_peak=0.05)
    again = _cand("right", 20.0, 0.78, other_peak=0.05)  # repeated: not a lone wink
    out = review([uneven, one_sided, again], _trusting())
    assert [e.kind for e in out] == ["uncertain", "clonic", "clonic"]


def test_a_lone_single_closure_is_uncertain_it_may_be_a_wink():
    """One closure of one eye shorter than a tonic spasm, alone in the clip, is what a
    voluntary wink is: shown, ``uncertain``, not counted (issue 11, fifth pass)."""
    c_r = 0.9 * pulse(T, 12, 0.35)
    a, _ = analyze_track(make_track(T, c_r, Z), params=_trusting())
    assert a.one_sided_events == ()
    assert [(e.side, e.kind) for e in a.events if e.side == "right"] == [("right", "uncertain")]
    assert a.metrics.severity.jankovic_total == 0


def test_a_lone_held_closure_or_a_lone_burst_still_counts_but_is_not_graded():
    """A wink is one closure under a second: a lone tonic closure (≥ 1 s) or a burst of
    twitches merged into one event is not one, and counts; one event gives no grade and
    no side finding."""
    held = 0.9 * pulse(T, 12, 1.6)
    burst = 0.9 * (pulse(T, 12, 0.15) + pulse(T, 12.3, 0.15) + pulse(T, 12.6, 0.15))
    for c_r, kind in ((held, "tonic"), (burst, "clonic")):
        a, _ = analyze_track(make_track(T, c_r, Z), params=_trusting())
        assert [(e.side, e.kind) for e in a.one_sided_events] == [("right", kind)]
        assert a.metrics.severity.jankovic_total == 0
        assert "side" not in a.findings


def test_two_single_closures_on_one_side_count():
    c_r = 0.9 * (pulse(T, 8, 0.35) + pulse(T, 20, 0.35))
    a, _ = analyze_track(make_track(T, c_r, Z), params=_trusting())
    assert [(e.side, e.kind) for e in a.one_sided_events] == [("right", "clonic")] * 2


def test_the_onset_is_where_the_lid_starts_to_move_not_where_it_hovers():
    """The right lid hovers a little closed (0.16, just over the candidate floor) for a
    third of a second before it shuts: the event starts when it shuts."""
    hover = 0.16 * pulse(T, 6.95, 0.35)
    c_r = np.maximum(hover, 0.75 * pulse(T, 7.3, 0.15)) + 0.75 * pulse(T, 20, 0.15)
    a, _ = analyze_track(make_track(T, c_r, Z), params=_trusting())
    e, _again = a.one_sided_events
    assert e.start_s == pytest.approx(7.3, abs=0.06)  # two frames (the track is jittered)


def test_asymmetry_z_is_relative_to_the_clip_not_to_the_depth_read():
    """The same one-sidedness in units of the clip's own spread gives the same model
    input whether MediaPipe reads the closure deep (pasted) or shallow (warp)."""
    kw = {"duration_s": 0.3, "noise": 0.01, "mouth_same_side": 0.0, "eye_region": True}
    deep = event_features(
        depth=0.9, asymmetry=0.6, other_closure=0, contrast=0.6, contrast_spread=0.1, **kw
    )
    shallow = event_features(
        depth=0.3, asymmetry=0.2, other_closure=0, contrast=0.2, contrast_spread=0.2 / 6, **kw
    )
    assert (
        deep["asymmetry_z"] == pytest.approx(shallow["asymmetry_z"]) == pytest.approx(np.log10(7))
    )
    assert deep["snr"] > shallow["snr"]  # the depth-bound input does differ


def test_the_model_does_not_see_how_deep_mediapipe_reads_a_closure():
    """A clip whose every closure, jitter and spread MediaPipe reads at a third of the
    truth (a warp closure of 0.5 reads 0.16) gives the model the same eye inputs."""
    kw = {"duration_s": 0.3, "mouth_same_side": 0.0, "eye_region": True, "other_closure": 0.0}
    full = event_features(
        depth=0.9,
        asymmetry=0.6,
        noise=0.03,
        contrast=0.6,
        contrast_noise=0.04,
        contrast_spread=0.1,
        **kw,
    )
    third = event_features(
        depth=0.3,
        asymmetry=0.2,
        noise=0.01,
        contrast=0.2,
        contrast_noise=0.04 / 3,
        contrast_spread=0.1 / 3,
        **kw,
    )
    assert "depth" not in FEATURES and "asymmetry" not in FEATURES
    for k in FEATURES:
        assert full[k] == pytest.approx(third[k]), k


def test_one_faint_narrowing_of_the_other_eye_does_not_make_deep_spasms_winks():
    """Two deep left closures and one faint (0.18) right narrowing that the model also
    believes: that is not winking in turn (a pasted clip lost both its events to it).
    Deep closures on both sides in turn still are (``liveportrait_d3``)."""
    left = [_cand("left", t, 0.8, other_peak=0.0) for t in (4.6, 7.0)]
    faint = _cand("right", 9.0, 0.18, other_peak=0.0)
    out = review([*left, faint], _trusting())
    assert [e.kind for e in out[:2]] == ["clonic", "clonic"]
    turns = [*left, _cand("right", 9.0, 0.8, other_peak=0.0)]
    assert {e.kind for e in review(turns, _trusting())} == {"wink"}
