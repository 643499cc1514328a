"""Real healthy faces (shared clips): no one-sided spasm invented, winks and flutter right."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.shared_data

NORMAL = [
    "liveportrait_d6.mp4",
    "liveportrait_d9.mp4",
    "liveportrait_d13.mp4",
    "liveportrait_d14.mp4",
    "liveportrait_d18.mp4",
    "liveportrait_d19.mp4",
    "pyfeat_WolfgangLanger_Pexels.mp4",
    "pyfeat_single_face.mp4",
]


@pytest.mark.parametrize("name", NORMAL)
def test_normal_clips_have_no_one_sided_events(analysed, name):
    a = analysed(name)
    assert a.one_sided_events == ()
    assert a.findings.get("laterality") != "unilateral"


def test_winks_are_found_on_the_correct_side(analysed):
    a = analysed("liveportrait_d3.mp4")
    # winks on each side in turn are reported per side as winks, not as one-sided spasm
    assert a.one_sided_events == ()
    sides = [(e.side, round(e.start_s, 1)) for e in a.events if e.kind == "wink"]
    # manifest: frame 15 (0.5 s) left eye shut, frame 45 (1.5 s) right eye shut
    assert any(s == "left" and st <= 0.5 for s, st in sides)
    assert any(s == "right" and 0.5 < st <= 1.5 for s, st in sides)
    # and the clip feeds no bilateral finding at full weight (nothing plain, soft ≤ 0.3)
    assert "laterality" not in a.findings
    assert a.metrics.severity.jankovic_total == 0


def test_flutter_is_reported_as_bilateral(analysed):
    a = analysed("liveportrait_d14.mp4")
    flutter = [e for e in a.events if e.kind == "bilateral_clonic"]
    assert len(flutter) == 1
    assert 3.5 < flutter[0].start_s < 4.5 and flutter[0].duration_s > 2.0
    assert a.findings["side"] == "both"
    assert a.findings["laterality"] == "bilateral_synchronous"


def test_no_face_opening_is_flagged_not_invented(analysed):
    a = analysed("pyfeat_noface_face.mov")
    first = a.quality.flags[0]
    assert first.reason == "no face found" and first.start_s == 0.0 and first.end_s > 3.5
    assert 0.3 < a.quality.usable_fraction < 0.5
    # the note gives the same share as the headline (by time, not frames) and says where
    pct = f"{100 * a.quality.usable_fraction:.0f}%"
    [note] = [n for n in a.quality.notes if "could be measured" in n]
    assert pct in note and "longest gap 0.0–" in note and "no face found" in note
    assert all(e.start_s > 3.5 for e in a.events)
    assert a.inputs["codec"] == "hevc"
    gaps = a.inputs["frame_interval_s"]
    assert gaps["min"] < 0.02 and gaps["max"] > 0.04  # variable frame rate, timed by pts


def test_1080p_clip_with_late_start(analysed):
    a = analysed("jefapato_test_format_2sec.mp4")
    assert a.inputs["height"] == 1080
    assert a.quality.n_frames == 30
    assert a.traces.times[0] == pytest.approx(0.0, abs=0.05)  # times from the clip's start
    assert a.quality.usable_fraction > 0.9
