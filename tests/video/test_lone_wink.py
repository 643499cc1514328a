"""A single voluntary wink (generated: the astronaut's face, warp family, clean conditions)
is shown as ``uncertain``, never as a spasm; runs anywhere (no shared clip needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hemifacial.video import analyze_video
from hemifacial_synth.warp_clip import CLEAN, make_warp_clip, wink


@pytest.mark.parametrize(("side", "hold_s"), [("right", 0.45), ("left", 0.6)])
def test_a_single_voluntary_wink_is_not_an_event(tmp_path: Path, side: str, hold_s: float):
    clip = tmp_path / "wink.mp4"
    truth = make_warp_clip(
        clip, 1, "astronaut", duration_s=6.0, voluntary=[wink(2.5, side, hold_s)], conditions=CLEAN
    )
    assert truth["events"] == [] and truth["healthy"]
    a = analyze_video(clip, jobs=2)
    assert a.one_sided_events == ()
    shown = [e for e in a.events if e.side == side]
    assert [e.kind for e in shown] == ["uncertain"]  # on the timeline, not counted
    assert shown[0].start_s == pytest.approx(2.5, abs=0.15)
    assert a.metrics.severity.jankovic_total == 0
    assert "side" not in a.findings
