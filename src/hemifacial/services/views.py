"""Read models: everything a case page or the API shows, built in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.domain.knowledge.model import KnowledgeBase

from .cases import effective_findings


@dataclass(frozen=True)
class FindingView:
    finding_id: str
    label: str
    value: str
    source: str
    recorded_by: str
    recorded_at: str
    in_use: bool


@dataclass(frozen=True)
class CourseRow:
    """One analysed video as a point of the course over visits."""

    video_id: int
    date: str
    visit: str
    treatment: str
    affected_side: str
    events_per_min: float | None
    time_in_spasm_pct: float | None
    severity: int | None


@dataclass(frozen=True)
class CourseChange:
    """The first measured video against the latest one (same numbers as the course table)."""

    first: CourseRow
    latest: CourseRow
    lines: tuple[str, ...]


def course_change(course: list[CourseRow]) -> CourseChange | None:
    """How the spasm changed from the first to the latest measured video, in words."""
    if len(course) < 2:
        return None
    first, latest = course[0], course[-1]

    def pair(a: float | None, b: float | None, fmt: str) -> str:
        return " → ".join("–" if x is None else format(x, fmt) for x in (a, b))

    return CourseChange(
        first,
        latest,
        (
            f"spasm events per minute {pair(first.events_per_min, latest.events_per_min, '.1f')}",
            f"time in spasm {pair(first.time_in_spasm_pct, latest.time_in_spasm_pct, '.1f')} %",
            f"estimated severity (Jankovic) {pair(first.severity, latest.severity, 'd')}",
        ),
    )


@dataclass(frozen=True)
class CaseView:
    case: t.Case
    findings: list[FindingView]
    assessment: dict[str, Any] | None
    assessment_meta: dict[str, Any] | None
    history: list[dict[str, Any]]
    videos: list[repo.VideoRecord]
    course: list[CourseRow]
    change: CourseChange | None
    notes: list[t.Note]
    visits: list[t.Visit]


def case_view(s: Session, kb: KnowledgeBase, case_id: int) -> CaseView:
    record = repo.case_record(s, case_id)
    case, rows = record.case, record.findings
    eff = effective_findings(kb, rows)
    in_use = {(k, v, src) for k, v in eff.values.items() for src in [eff.sources[k]]}
    findings = [
        FindingView(
            r.finding_id,
            kb.findings[r.finding_id].label if r.finding_id in kb.findings else r.finding_id,
            r.value,
            r.source,
            r.recorded_by,
            r.recorded_at.strftime("%Y-%m-%d %H:%M"),
            (r.finding_id, r.value, r.source) in in_use,
        )
        for r in rows
    ]
    assessments = record.assessments
    latest = assessments[-1] if assessments else None
    history = [
        {
            "id": a.id,
            "created_at": a.created_at.strftime("%Y-%m-%d %H:%M"),
            "trigger": a.trigger,
            "kb_version": a.kb_version,
            "kb_hash": a.kb_hash,
            "top": a.result["ranking"][0]["name"],
            "top_probability": a.result["ranking"][0]["probability"],
        }
        for a in assessments
    ]
    videos = record.videos
    course = [
        CourseRow(
            v.video.id,
            (v.visit.visited_on.isoformat() if v.visit else v.video.created_at.date().isoformat()),
            v.visit.label if v.visit else "",
            v.visit.treatment if v.visit else "",
            v.analysis.affected_side,
            v.analysis.events_per_min,
            v.analysis.time_in_spasm_pct,
            v.analysis.severity,
        )
        for v in videos
        if v.analysis is not None
    ]
    course.sort(key=lambda c: (c.date, c.video_id))
    meta = (
        {
            "id": latest.id,
            "kb_version": latest.kb_version,
            "kb_hash": latest.kb_hash,
            "created_at": latest.created_at.strftime("%Y-%m-%d %H:%M"),
            "trigger": latest.trigger,
        }
        if latest
        else None
    )
    return CaseView(
        case,
        findings,
        latest.result if latest else None,
        meta,
        history,
        videos,
        course,
        course_change(course),
        list(record.notes),
        list(record.visits),
    )
