"""Pure analysis on synthetic face tracks (template face with programmed lid closures)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hemifacial.analysis.analyze import analyze_track
from hemifacial.analysis.types import FaceTrack
from hemifacial.errors import VideoInputError
from hemifacial.video.landmarks import template_points


def make_track(times, closure_r, closure_l, mouth_r=None, mouth_l=None, found=None):
    n = len(times)
    mouth_r = np.zeros(n) if mouth_r is None else mouth_r
    mouth_l = np.zeros(n) if mouth_l is None else mouth_l
    rng = np.random.default_rng(0)
    pts = np.stack(
        [
            template_points(closure_r[i], closure_l[i], mouth_r[i], mouth_l[i]).astype(float)
            for i in range(n)
        ]
    )
    pts = pts * np.array([480, 480, 480]) + rng.normal(0, 0.15, pts.shape)
    found = np.ones(n, bool) if found is None else found
    pts[~found] = np.nan
    return FaceTrack(
        times=np.asarray(times, float),
        points=pts,
        face_found=found,
        brightness=np.full(n, 120.0),
        sharpness=np.full(n, 100.0),
        n_faces=np.full(n, np.nan),
        width=480,
        height=480,
    )


def pulse(times, start, dur, depth=1.0):
    return np.where((times >= start) & (times < start + dur), depth, 0.0)


T = np.arange(0, 20, 1 / 30)


def test_blinks_are_bilateral_and_not_spasm():
    c = pulse(T, 3, 0.2) + pulse(T, 9, 0.25) + pulse(T, 15, 0.15)
    a, _ = analyze_track(make_track(T, c, c))
    assert [e.kind for e in a.events] == ["blink"] * 3
    assert a.one_sided_events == ()
    assert a.findings == {}
    assert a.metrics.affected_side == "none"


def test_one_sided_clonic_and_tonic_on_the_right_with_spread():
    c_r = pulse(T, 2, 0.3) + pulse(T, 6, 0.25) + pulse(T, 10, 2.0) + pulse(T, 15, 0.3)
    m_r = 0.08 * c_r
    a, _ = analyze_track(make_track(T, c_r, np.zeros_like(T), m_r))
    ev = a.one_sided_events
    assert [e.side for e in ev] == ["right"] * 4
    assert [e.kind for e in ev] == ["clonic", "clonic", "tonic", "clonic"]
    assert abs(ev[2].duration_s - 2.0) < 0.1
    assert abs(ev[0].start_s - 2.0) < 0.05
    assert all(e.lower_face for e in ev)
    assert a.findings == {
        "side": "right",
        "laterality": "unilateral",
        "contraction_pattern": "clonic_and_tonic",
        "spread_to_lower_face": "yes",
        "other_babinski": "no",
    }
    # one deep tonic spasm in 20 s is 3 per minute: "frequent tonic spasms" (SMC III)
    assert a.metrics.severity.smc_grade == 3
    assert a.metrics.right.longest_event_s == pytest.approx(2.0, abs=0.1)


def test_mirrored_swaps_the_side():
    c_r = pulse(T, 2, 0.3) + pulse(T, 6, 0.3)
    a, _ = analyze_track(make_track(T, c_r, np.zeros_like(T)), mirrored=True)
    assert {e.side for e in a.one_sided_events} == {"left"}
    assert a.mirrored and any("mirrored" in n for n in a.notes)


def test_bilateral_flutter_is_bilateral_never_one_sided():
    flutter = np.where((T > 5) & (T < 8), (np.arange(len(T)) % 2).astype(float) * 0.9, 0.0)
    a, _ = analyze_track(make_track(T, flutter, flutter))
    assert a.one_sided_events == ()
    assert [e.kind for e in a.events] == ["bilateral_clonic"]
    assert a.findings["side"] == "both"
    assert a.findings["laterality"] == "bilateral_synchronous"


def test_variable_frame_rate_uses_timestamps():
    rng = np.random.default_rng(3)
    t = np.cumsum(rng.uniform(0.014, 0.042, 900))
    c = pulse(t, 4.0, 1.5) + pulse(t, 10.0, 1.5)
    a, _ = analyze_track(make_track(t, c, np.zeros_like(t)))
    durs = [e.duration_s for e in a.one_sided_events]
    assert len(durs) == 2 and all(abs(d - 1.5) < 0.1 for d in durs)
    assert all(e.kind == "tonic" for e in a.one_sided_events)


def test_no_face_gap_is_flagged_not_invented():
    found = T > 5
    a, _ = analyze_track(make_track(T, np.zeros_like(T), np.zeros_like(T), found=found))
    assert a.quality.flags[0].reason == "no face found"
    assert a.quality.flags[0].end_s == pytest.approx(5.0, abs=0.05)
    assert a.quality.usable_fraction == pytest.approx(0.75, abs=0.02)
    assert a.events == ()


def test_no_face_at_all_is_a_clear_error():
    with pytest.raises(VideoInputError, match="no face"):
        analyze_track(make_track(T, T * 0, T * 0, found=np.zeros(len(T), bool)))


def test_result_is_json_safe_versioned_and_uses_engine_vocabulary(kb):
    c_l = pulse(T, 2, 0.3) + pulse(T, 8, 1.5) + pulse(T, 14, 0.3)
    a, _ = analyze_track(make_track(T, np.zeros_like(T), c_l))
    d = json.loads(json.dumps(a.to_dict(), allow_nan=False))
    assert d["schema_version"] == "1.0.0"
    assert d["events"][0]["side"] == "left"
    for k, v in a.findings.items():
        assert v in kb.findings[k].accepted_values
    assert len(json.dumps(d)) < 60_000
