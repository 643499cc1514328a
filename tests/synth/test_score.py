"""The scorer: onset tolerance, side, counted kinds, healthy clips, depth and region groups."""

from __future__ import annotations

from hemifacial_synth.score import Call, ClipResult, Tally, add_clip, match


def _ev(onset, side="right", depth=0.8, region="eye"):
    return {
        "onset_s": onset,
        "offset_s": onset + 0.3,
        "side": side,
        "region": region,
        "kind": "clonic",
        "depth": depth,
    }


def test_match_needs_same_side_counted_kind_and_onset_within_150_ms():
    truth = [_ev(1.0), _ev(3.0), _ev(5.0)]
    calls = [
        Call(1.14, "right", "clonic"),
        Call(3.0, "left", "tonic"),
        Call(5.0, "right", "uncertain"),
        Call(1.0, "right", "blink"),
    ]
    assert match(truth, calls) == [0, None, None]
    assert match([_ev(1.0)], [Call(1.16, "right", "tonic")]) == [None]


def test_one_call_matches_one_event_nearest_first():
    truth = [_ev(1.0), _ev(1.1)]
    assert match(truth, [Call(1.09, "right", "clonic")]) == [None, 0]


def test_tally_counts_events_groups_laterality_and_healthy_failures():
    t = Tally()
    truth = {"side": "right", "events": [_ev(1.0, depth=0.35), _ev(3.0), _ev(5.0, region="lower")]}
    add_clip(
        t,
        truth,
        ClipResult(
            (
                Call(1.05, "right", "clonic"),
                Call(7.0, "right", "tonic"),
                Call(5.0, "right", "blink"),
            ),
            "right",
            True,
        ),
    )
    add_clip(
        t,
        {"side": "none", "events": []},
        ClipResult((Call(2.0, "left", "clonic"),), "left", True),
        "healthy-1",
    )
    add_clip(t, {"side": "none", "events": []}, ClipResult((), "none", False), "healthy-2")
    f = t.figures()
    assert (t.tp, t.fp, t.fn) == (1, 2, 2)
    assert f["precision"] == 1 / 3 and f["recall"] == 1 / 3
    assert f["laterality"] == 1.0 and f["clips_with_events"] == 1
    assert f["recall_depth_lt_0.4"] == 1.0 and f["recall_depth_ge_0.4"] == 0.0
    assert f["recall_lower_face"] == 0.0
    assert f["healthy_false_one_sided"] == 1 and f["healthy_graded"] == 1
    assert t.failed_healthy == ["healthy-1"]
