"""The course chart: matplotlib's SVG inline, one panel per metric on a time axis, visits
without a video and treatments marked, text escaped."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from hemifacial.services.views import CourseRow, VisitView
from hemifacial.web.charts import course_svg, treatment_marks

SVG = "{http://www.w3.org/2000/svg}"
ROWS = [
    CourseRow(1, "2026-01-05", "baseline <b>&", "", "right", 12.0, 8.5, 4),
    CourseRow(2, "2026-03-02", "", "", "right", None, 3.0, 2),
    CourseRow(3, "2026-05-11", "v3", "", "right", 4.0, 1.0, 1),
]
VISITS = [
    VisitView(1, dt.date(2026, 1, 5), "baseline <b>&", "botox $50 <script>x</script> 2026-01-20"),
    VisitView(2, dt.date(2026, 2, 10), "phone call", ""),
    VisitView(3, dt.date(2026, 5, 11), "v3", "second injection"),
]


def _dots(root: ET.Element, gid: str) -> list[tuple[float, float]]:
    """(x, y) of each marker of one line, in SVG coordinates (y grows downwards)."""
    group = root.find(f".//{SVG}g[@id='{gid}']")
    assert group is not None, f"{gid} not drawn"
    return [(float(u.get("x", "nan")), float(u.get("y", "nan"))) for u in group.iter(f"{SVG}use")]


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_no_analysed_video_draws_nothing() -> None:
    assert course_svg([], VISITS) == ""


def test_the_chart_is_inline_svg_with_text_as_text() -> None:
    svg = course_svg(ROWS, VISITS)
    assert svg.startswith("<svg") and "<?xml" not in svg and "<!DOCTYPE" not in svg
    root = ET.fromstring(svg)  # well-formed
    assert root.get("class") == "chart" and root.get("role") == "img"
    assert "SHA" not in (root.get("aria-label") or "") and "by date" in root.get("aria-label", "")
    assert root.get("width") is None and root.get("viewBox")  # sized by the page's CSS
    texts = _texts(root)
    for expected in ("spasm events per minute", "% time in spasm", "2026-03-02", "v3"):
        assert any(expected in t for t in texts), expected


def test_one_metric_per_panel_a_dot_per_value_on_the_same_dates() -> None:
    root = ET.fromstring(course_svg(ROWS, VISITS))
    rate, time_pct = _dots(root, "series-0"), _dots(root, "series-1")
    assert len(rate) == 2 and len(time_pct) == 3  # the missing rate is left out
    assert rate[0][1] < rate[1][1]  # 12/min drawn higher than 4/min
    assert [y for _, y in time_pct] == sorted(y for _, y in time_pct)  # 8.5 > 3 > 1
    assert rate[0][0] == time_pct[0][0] and rate[1][0] == time_pct[2][0]  # same dates
    assert max(y for _, y in rate) < min(y for _, y in time_pct)  # rate panel above
    # dates, not evenly spaced visits: Jan→Mar is shorter than Mar→May
    assert time_pct[1][0] - time_pct[0][0] < time_pct[2][0] - time_pct[1][0]


def test_visits_without_a_video_and_treatments_are_marked() -> None:
    root = ET.fromstring(course_svg(ROWS, VISITS))
    (no_video,) = _dots(root, "no-video-0")  # the phone call of 2026-02-10
    first, second = _dots(root, "series-1")[:2]
    assert first[0] < no_video[0] < second[0]
    assert any("phone call" in t for t in _texts(root))
    assert root.find(f".//{SVG}g[@id='treatment-0-0']") is not None
    assert root.find(f".//{SVG}g[@id='treatment-1-1']") is not None
    assert treatment_marks(VISITS) == (
        ("2026-01-20", "botox $50 <script>x</script> 2026-01-20"),  # the date in its text
        ("2026-05-11", "second injection"),  # else the visit's date
    )


def test_labels_are_escaped_and_never_read_as_markup_or_maths() -> None:
    svg = course_svg(ROWS, VISITS)
    assert "<script" not in svg and "<b>" not in svg
    assert "baseline &lt;b&gt;&amp;" in svg and "&lt;script&gt;" in svg
    texts = _texts(ET.fromstring(svg))
    assert any("baseline <b>&" in t for t in texts)
    assert "botox $50 <script>x</script>" in texts  # the treatment, cut at 28 characters


def test_a_course_without_spasm_is_a_flat_line_on_a_readable_scale() -> None:
    rows = [CourseRow(i, f"2026-0{i}-01", f"v{i}", "", "none", 0.0, 0.0, 0) for i in (1, 2)]
    root = ET.fromstring(course_svg(rows))
    assert "1.0" in _texts(root)  # the axis reaches 1, so zero is not blown up
    assert len({y for _, y in _dots(root, "series-0")}) == 1
