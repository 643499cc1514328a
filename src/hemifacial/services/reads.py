"""Reads for pages and the API: each returns a read model of :mod:`.views`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from hemifacial.db import audit as audit_chain
from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.errors import NotFoundError

from .admin_views import AuditFilters, AuditRow
from .cases import Effective, effective_findings
from .changes import describe_change
from .conflicts import find_conflicts
from .database import UnitOfWork
from .patient_views import PatientRequestView
from .readcache import ReadCache
from .review import review_view
from .stored import analysis_view, case_header, job_view, stored_assessment, visit_view
from .views import (
    AnalysisView,
    CaseView,
    CourseChange,
    CourseRow,
    FindingView,
    HistoryRow,
    JobView,
    NoteView,
    ResultView,
    StoredAssessment,
    VideoMeta,
    VideoView,
)


def video_view(r: repo.VideoRecord, reviews: Sequence[t.VideoReview] = ()) -> VideoView:
    v = r.video
    analysis = analysis_view(r.analysis) if r.analysis else None
    mine = [x for x in reviews if x.video_id == v.id]
    if analysis is not None and mine:
        analysis = replace(analysis, review=review_view(mine, analysis.result))
    return VideoView(
        VideoMeta(
            v.id, v.filename, v.sha256, v.size, v.mirrored, v.uploaded_by, v.visit_id, v.created_at
        ),
        job_view(r.job) if r.job else None,
        analysis,
        visit_view(r.visit) if r.visit else None,
    )


def course_change(course: Sequence[CourseRow]) -> CourseChange | None:
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


def _course(videos: Sequence[repo.VideoRecord]) -> tuple[CourseRow, ...]:
    rows = [
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
    return tuple(sorted(rows, key=lambda c: (c.date, c.video_id)))


def _findings(
    kb: KnowledgeBase, rows: Sequence[t.Finding], eff: Effective
) -> tuple[FindingView, ...]:
    in_use = {(k, v, eff.sources[k]) for k, v in eff.values.items()}
    return tuple(
        FindingView(
            r.finding_id,
            kb.findings[r.finding_id].label if r.finding_id in kb.findings else r.finding_id,
            r.value,
            r.source,
            r.recorded_by,
            r.recorded_at.strftime("%Y-%m-%d %H:%M"),
            (r.finding_id, r.value, r.source) in in_use,
            r.certainty,
            r.id,
            r.result_id,
            r.video_id,
        )
        for r in rows
    )


def _results(
    kb: KnowledgeBase, rows: Sequence[t.TestResult], findings: Sequence[FindingView]
) -> tuple[ResultView, ...]:
    return tuple(
        ResultView(
            r.id,
            r.test_id,
            kb.tests[r.test_id].name if r.test_id in kb.tests else (r.test_id or "test"),
            r.performed_on,
            r.report,
            r.attachment_name,
            r.attachment_type,
            r.attachment_size,
            r.entered_by,
            r.entered_at,
            r.updated_at,
            tuple(f for f in findings if f.result_id == r.id),
        )
        for r in rows
    )


def _changed(assessments: Sequence[repo.AssessmentRow], since: int | None) -> tuple[str, ...]:
    """What moved from assessment ``since`` to the latest (nothing when none is named);
    both come whole from :func:`repo.case_record` read with ``since``."""
    if since is None or not assessments or assessments[-1].id == since:
        return ()
    before = next((a for a in assessments if a.id == since), None)
    latest = assessments[-1].result
    if before is None or before.result is None or latest is None:
        return ()
    return describe_change(before.result, latest)


def _history_row(a: repo.AssessmentRow) -> HistoryRow:
    top = a.top
    return HistoryRow(
        a.id,
        a.created_at,
        a.trigger,
        a.kb_version,
        a.kb_hash,
        str(top["name"]),
        float(top["probability"]),
    )


def case_view(s: UnitOfWork, kb: KnowledgeBase, case_id: int, since: int | None = None) -> CaseView:
    """Everything the case page shows, read in as few round trips as the case needs;
    ``since``: an earlier assessment, to say what changed from it to the latest."""
    record = repo.case_record(s, case_id, since)
    latest = record.assessments[-1] if record.assessments else None
    course = _course(record.videos)
    eff = effective_findings(kb, record.findings)
    findings = _findings(kb, record.findings, eff)
    return CaseView(
        case_header(record.case),
        findings,
        stored_assessment(latest) if latest else None,
        tuple(_history_row(a) for a in record.assessments),
        tuple(video_view(v, record.reviews) for v in record.videos),
        course,
        course_change(course),
        tuple(NoteView(n.id, n.author, n.text, n.created_at) for n in record.notes),
        tuple(visit_view(v) for v in record.visits),
        _results(kb, record.results, findings),
        find_conflicts(kb, record.findings, eff),
        _changed(record.assessments, since),
        tuple(
            PatientRequestView(r.id, r.kind, r.message, r.created_at, r.handled_at)
            for r in record.requests
        ),
        record.contact_twin,
    )


def case_view_at(
    s: UnitOfWork, kb: KnowledgeBase, case_id: int, revision: int, cache: ReadCache
) -> CaseView:
    """:func:`case_view` of the case at ``revision`` (just read by :func:`case_revision`),
    from ``cache`` when this process has built it already. The view is read after the
    revision, so it is never older than the revision it is stored under."""
    return cache.get_or_build(("case", case_id, revision), lambda: case_view(s, kb, case_id))


def case_revision(s: UnitOfWork, case_id: int) -> int:
    """The case's revision (raised by every change to it); NotFoundError if it is absent."""
    revision = repo.case_revision(s, case_id)
    if revision is None:
        raise NotFoundError(f"case {case_id} does not exist")
    return revision


def latest_assessment(s: UnitOfWork, case_id: int) -> StoredAssessment:
    repo.get_case(s, case_id)
    row = repo.latest_assessment(s, case_id)
    if row is None:
        raise NotFoundError(f"case {case_id} has no assessment yet")
    return stored_assessment(row)


def job(s: UnitOfWork, job_id: int) -> JobView:
    return job_view(repo.get_job(s, job_id))


def analysis(s: UnitOfWork, video_id: int) -> AnalysisView:
    repo.get_video(s, video_id)
    row = repo.analysis_of(s, video_id)
    if row is None:
        raise NotFoundError(f"video {video_id} has not been analysed yet")
    return analysis_view(row)


def audit_rows(
    s: UnitOfWork, f: AuditFilters, *, before_seq: int | None = None, limit: int = 100
) -> list[AuditRow]:
    """Audit rows matching the filters, newest first (``before_seq`` pages back)."""
    day = dt.timedelta(days=1)
    rows = audit_chain.search(
        s,
        actor=f.actor,
        case_id=f.case_id,
        action=f.action,
        since=dt.datetime.combine(f.since, dt.time()) if f.since else None,
        until=dt.datetime.combine(f.until + day, dt.time()) if f.until else None,
        before_seq=before_seq,
        limit=limit,
    )
    return [
        AuditRow(r.seq, r.at, r.actor, r.action, r.case_id, r.detail, r.ip, r.user_agent, r.hash)
        for r in rows
    ]


def changes_since(s: UnitOfWork, case_id: int, since: int | None) -> tuple[str, ...]:
    """What moved in the ranking from assessment ``since`` to the latest (the API's
    counterpart of the case page's "what changed" confirmation)."""
    if since is None:
        return ()
    return _changed(repo.case_record(s, case_id, since).assessments, since)
