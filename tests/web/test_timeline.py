"""The review timeline (inline SVG drawn on the server) and the save confirmation's query."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import replace
from typing import Any

from hemifacial.services.views import AnalysisView, ReviewView
from hemifacial.web.flash import flash_of, saved
from hemifacial.web.timeline import LEFT, RIGHT_PAD, WIDTH, event_label, timeline_svg
from tests.doubles import SPASM_EVENTS, events_analysis


def test_events_sit_at_their_time_in_their_sides_lane() -> None:
    svg = str(timeline_svg(7, AnalysisView(7, events_analysis(), None)))
    rects = re.findall(
        r'<rect class="tl-event ([^"]+)" data-index="(\d)" '
        r'data-start="([\d.]+)" x="([\d.]+)" y="(\d+)"',
        svg,
    )
    assert len(rects) == len(SPASM_EVENTS)
    span = WIDTH - LEFT - RIGHT_PAD
    for (kind, index, start, x, y), e in zip(rects, SPASM_EVENTS, strict=True):
        assert int(index) == SPASM_EVENTS.index(e)
        assert kind == f"k-{e.kind}" and float(start) == e.start_s
        assert math.isclose(float(x), LEFT + span * e.start_s / 6.0, abs_tol=0.06)
        assert y == ("72" if e.side == "left" else "12")  # "both" spans the two lanes
    assert 'data-duration="6.000"' in svg and 'role="img"' in svg
    assert "<title>Event 3: clonic spasm, left eye, 3.7–4.3 s</title>" in svg
    assert svg.count("<polyline") == 2  # one closure trace per eye
    assert "<script" not in svg and "style=" not in svg  # nothing a strict CSP refuses


def test_a_rejected_event_is_drawn_as_such_and_gaps_break_the_trace() -> None:
    a = events_analysis()
    gap = replace(a.traces, closure_right=(math.nan,) * 5 + a.traces.closure_right[5:])
    review = ReviewView(frozenset({2}), frozenset({0}), None, "doc", dt.datetime(2026, 12, 2), a)
    svg = str(timeline_svg(1, AnalysisView(1, replace(a, traces=gap), None, review)))
    assert 'class="tl-event k-clonic v-wrong" data-index="2"' in svg
    assert 'class="tl-event k-clonic v-confirmed" data-index="0"' in svg
    assert "— marked wrong</title>" in svg
    right = re.findall(r'<polyline class="tl-trace" points="([^"]+)"', svg)[0]
    assert right.split()[0].startswith(f"{LEFT + (WIDTH - LEFT - RIGHT_PAD) * 0.5 / 6:.1f}")


def test_event_labels_name_kind_side_and_time() -> None:
    assert event_label(0, SPASM_EVENTS[0]) == "Event 1: clonic spasm, right eye, 0.8–1.7 s"
    assert event_label(4, SPASM_EVENTS[4]) == "Event 5: blink, both eyes, 5.5–5.7 s"
    lower = replace(SPASM_EVENTS[0], region="lower_face")
    assert event_label(0, lower) == "Event 1: clonic spasm, right lower face, 0.8–1.7 s"


class _Req:
    def __init__(self, query: dict[str, str]) -> None:
        self.query_params = query


def test_the_confirmation_shows_only_fixed_messages_and_safe_places() -> None:
    r = saved(3, "result", 41)
    assert (
        r.status_code == 303
        and r.headers["location"] == "/clinic/cases/3?saved=result&since=41#flash"
    )
    req: Any = _Req({"saved": "result", "since": "41"})
    flash = flash_of(req)
    assert flash is not None and (flash.message, flash.since, flash.at) == (
        "Test result saved.",
        41,
        "top",
    )
    assert flash_of(_Req({"saved": "<script>alert(1)</script>"})) is None  # type: ignore[arg-type]
    odd = flash_of(_Req({"saved": "review", "since": "x", "at": 'video-1"><b>'}))  # type: ignore[arg-type]
    assert odd is not None and (odd.since, odd.at) == (None, "top")
    assert flash_of(_Req({"saved": "review", "at": "video-12"})).at == "video-12"  # type: ignore[arg-type,union-attr]
