"""The course chart of the case page: matplotlib SVG inline (no JavaScript, no build step),
drawn by :mod:`hemifacial.video.plots` like every other plot of the project."""

from __future__ import annotations

import re
from collections.abc import Sequence

from hemifacial.services.views import CourseRow, VisitView
from hemifacial.video.plots import course_svg as draw

# matplotlib is imported with this module, when the app is built: importing it on the first
# case page made that page take seconds on a busy machine.

TITLE = "Course over visits: spasm events per minute and % time in spasm, by date"
_ISO = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")


def treatment_marks(visits: Sequence[VisitView]) -> tuple[tuple[str, str], ...]:
    """(date, text) of each treatment: the date written in its text if there is one
    ("botulinum toxin 2026-03-01"), else the visit's date."""
    marks = []
    for v in visits:
        text = v.treatment.strip()
        if text:
            found = _ISO.search(text)
            marks.append((found.group(1) if found else v.visited_on.isoformat(), text))
    return tuple(dict.fromkeys(marks))


def course_svg(rows: Sequence[CourseRow], visits: Sequence[VisitView] = ()) -> str:
    """Spasm rate and % time in spasm, one panel each, per measured video by date; visits
    without a video and treatments marked ("" without any measured video)."""
    if not rows:
        return ""
    measured = {(r.date, r.visit) for r in rows}
    unmeasured = tuple(
        (v.visited_on.isoformat(), v.label)
        for v in visits
        if (v.visited_on.isoformat(), v.label) not in measured
    )
    return draw(
        tuple(r.date for r in rows),
        (
            ("spasm events per minute", tuple(r.events_per_min for r in rows), "#b03a2e"),
            ("% time in spasm", tuple(r.time_in_spasm_pct for r in rows), "#1f618d"),
        ),
        unmeasured,
        treatment_marks(visits),
        TITLE,
        tuple((r.date, r.visit) for r in rows if r.visit) + unmeasured,
    )
