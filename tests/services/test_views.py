"""Read models: the change over visits in words."""

from __future__ import annotations

from hemifacial.services.reads import course_change
from hemifacial.services.views import CourseRow


def row(video_id: int, date: str, rate: float | None, pct: float, sev: int | None) -> CourseRow:
    return CourseRow(video_id, date, f"visit {video_id}", "", "left", rate, pct, sev)


def test_course_change_compares_the_first_and_the_latest_measured_video() -> None:
    assert course_change([]) is None
    assert course_change([row(1, "2026-01-10", 12.0, 20.0, 3)]) is None
    change = course_change(
        [
            row(1, "2026-01-10", 12.0, 20.0, 3),
            row(2, "2026-02-10", 9.0, 15.0, 3),
            row(3, "2026-04-02", 3.0, 5.0, None),
        ]
    )
    assert change is not None
    assert (change.first.date, change.latest.date) == ("2026-01-10", "2026-04-02")
    assert change.lines == (
        "spasm events per minute 12.0 → 3.0",
        "time in spasm 20.0 → 5.0 %",
        "estimated severity (Jankovic) 3 → –",
    )
