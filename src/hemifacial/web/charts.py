"""The course chart of the case page: matplotlib SVG inline (no JavaScript, no build step),
drawn by :mod:`hemifacial.video.plots` like every other plot of the project."""

from __future__ import annotations

from collections.abc import Sequence

from hemifacial.services.views import CourseRow
from hemifacial.video.plots import course_svg as draw

# matplotlib is imported with this module, when the app is built: importing it on the first
# case page made that page take seconds on a busy machine.

TITLE = "Course over visits: spasm rate and time in spasm"


def course_svg(rows: Sequence[CourseRow]) -> str:
    """Spasm rate and % time in spasm per analysed video, in date order ("" without any)."""
    if not rows:
        return ""
    return draw(
        tuple((r.visit or r.date)[:18] for r in rows),
        tuple(r.treatment[:22] for r in rows),
        (
            ("events/min", tuple(r.events_per_min for r in rows), "#b03a2e"),
            ("% time in spasm", tuple(r.time_in_spasm_pct for r in rows), "#1f618d"),
        ),
        TITLE,
    )
