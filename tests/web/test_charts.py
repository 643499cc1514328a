"""The course chart: matplotlib's SVG inline, one line and one dot per value, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hemifacial.services.views import CourseRow
from hemifacial.web.charts import course_svg

SVG = "{http://www.w3.org/2000/svg}"
ROWS = [
    CourseRow(
        1, "2026-01-05", "baseline <b>&", "botox $50 <script>x</script>", "right", 12.0, 8.5, 4
    ),
    CourseRow(2, "2026-03-02", "", "", "right", None, 3.0, 2),
    CourseRow(3, "2026-05-11", "v3", "", "right", 4.0, 1.0, 1),
]


def _series(root: ET.Element, index: int) -> list[tuple[float, float]]:
    """(x, y) of each dot of one series, in SVG coordinates (y grows downwards)."""
    group = root.find(f".//{SVG}g[@id='series-{index}']")
    assert group is not None, f"series {index} not drawn"
    return [(float(u.get("x", "nan")), float(u.get("y", "nan"))) for u in group.iter(f"{SVG}use")]


def test_no_analysed_video_draws_nothing() -> None:
    assert course_svg([]) == ""


def test_the_chart_is_inline_svg_with_text_as_text() -> None:
    svg = course_svg(ROWS)
    assert svg.startswith("<svg") and "<?xml" not in svg and "<!DOCTYPE" not in svg
    root = ET.fromstring(svg)  # well-formed
    assert root.get("class") == "chart" and root.get("role") == "img"
    assert root.get("width") is None and root.get("viewBox")  # sized by the page's CSS
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    for expected in ("events/min", "% time in spasm", "2026-03-02", "v3"):
        assert expected in texts


def test_each_series_has_a_dot_per_value_in_the_right_order() -> None:
    root = ET.fromstring(course_svg(ROWS))
    rate, time_pct = _series(root, 0), _series(root, 1)
    assert len(rate) == 2 and len(time_pct) == 3  # the missing rate is left out
    assert rate[0][1] < rate[1][1]  # 12/min drawn higher than 4/min
    assert [y for _, y in time_pct] == sorted(y for _, y in time_pct)  # 8.5 > 3 > 1
    assert rate[0][0] == time_pct[0][0] and rate[1][0] == time_pct[2][0]  # same visits


def test_labels_are_escaped_and_never_read_as_markup_or_maths() -> None:
    svg = course_svg(ROWS)
    assert "<script" not in svg and "<b>" not in svg
    assert "baseline &lt;b&gt;&amp;" in svg and "&lt;script&gt;" in svg
    texts = ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "baseline <b>&" in texts
    assert "botox $50 <script>x</s" in texts  # the treatment note, cut at 22 characters


def test_a_course_without_spasm_is_a_flat_line_on_a_readable_scale() -> None:
    rows = [CourseRow(i, f"2026-0{i}-01", f"v{i}", "", "none", 0.0, 0.0, 0) for i in (1, 2)]
    root = ET.fromstring(course_svg(rows))
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "1.0" in texts  # the axis reaches 1, so zero is not blown up into a scale of 0.05
    assert len({y for _, y in _series(root, 0)}) == 1
