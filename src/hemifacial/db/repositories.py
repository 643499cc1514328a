"""Queries and writes on the rows; the only module that builds SQL for the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    BindParameter,
    bindparam,
    case,
    delete,
    func,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session, aliased

from hemifacial.errors import NotFoundError

from . import audit as audit_chain
from . import tables as t


def audit(s: Session, actor: str, action: str, case_id: int | None = None, **detail: Any) -> None:
    """Queue one audit row (who did what to which case) on the unit of work: it joins the
    hash chain right before ``s`` commits, from the request's client address (see
    :mod:`hemifacial.db.audit`), and is lost with ``s`` if it rolls back."""
    audit_chain.add(s, audit_chain.Entry(actor, action, case_id, detail))


def get_case(s: Session, case_id: int, *, lock: bool = False) -> t.Case:
    stmt = select(t.Case).where(t.Case.id == case_id)
    if lock:
        stmt = stmt.with_for_update()
    row = s.scalars(stmt).first()
    if row is None:
        raise NotFoundError(f"case {case_id} does not exist")
    return row


# Statements run on every case page that is rendered, built once (building a statement costs
# more Python than running it).
_CASE_ID: BindParameter[int] = bindparam("case_id")
_FINDINGS = select(t.Finding).where(t.Finding.case_id == _CASE_ID).order_by(t.Finding.id)
_ASSESSMENTS = (
    select(t.Assessment).where(t.Assessment.case_id == _CASE_ID).order_by(t.Assessment.id)
)
_NOTES = select(t.Note).where(t.Note.case_id == _CASE_ID).order_by(t.Note.id)
_VISITS = (
    select(t.Visit).where(t.Visit.case_id == _CASE_ID).order_by(t.Visit.visited_on, t.Visit.id)
)


_REVIEWS = select(t.VideoReview).where(t.VideoReview.case_id == _CASE_ID).order_by(t.VideoReview.id)
RESULTS_OF_CASE = (
    select(t.TestResult)
    .where(t.TestResult.case_id == _CASE_ID)
    .order_by(t.TestResult.performed_on.desc(), t.TestResult.id.desc())
)


_REQUESTS = (
    select(t.PatientRequest)
    .where(t.PatientRequest.case_id == _CASE_ID)
    .order_by(t.PatientRequest.id)
)


def _count(
    table: type[t.Video]
    | type[t.Note]
    | type[t.Visit]
    | type[t.TestResult]
    | type[t.VideoReview]
    | type[t.PatientRequest],
) -> Any:
    return select(func.count()).where(table.case_id == _CASE_ID).scalar_subquery()


_OTHER = aliased(t.Case)


def _twin(own: Any, theirs: Any) -> Any:
    """Whether another open request has this one's value (never for an empty one)."""
    return (
        select(_OTHER.id)
        .where(own != "", theirs == own, _OTHER.id != t.Case.id, _OTHER.merged_into.is_(None))
        .exists()
    )


# whether another open request has this one's e-mail or phone, compared as
# services.duplicates does (the e-mail lower-cased, the phone by its key), each by its own
# index; the page looks for its duplicates only when one has
_EMAIL_TWIN = _twin(func.lower(t.Case.email), func.lower(_OTHER.email))
_PHONE_TWIN = _twin(t.Case.phone_key, _OTHER.phone_key)
_CASE_WITH_COUNTS = select(
    t.Case,
    _count(t.Video),
    _count(t.Note),
    _count(t.Visit),
    _count(t.TestResult),
    _count(t.VideoReview),
    _count(t.PatientRequest),
    _EMAIL_TWIN,
    _PHONE_TWIN,
).where(t.Case.id == _CASE_ID)


# The history of a case's assessments in one query: the whole stored result (tens of kB of
# JSON each) only of the latest one and of ``since``, the top of the ranking of the others
_WHOLE = or_(
    t.Assessment.id == func.max(t.Assessment.id).over(), t.Assessment.id == bindparam("since")
)
_HISTORY = (
    select(
        t.Assessment.id,
        t.Assessment.created_at,
        t.Assessment.trigger,
        t.Assessment.kb_version,
        t.Assessment.kb_hash,
        type_coerce(case((_WHOLE, None), else_=t.Assessment.result["ranking"][0]), JSON),
        type_coerce(case((_WHOLE, t.Assessment.result), else_=None), JSON),
    )
    .where(t.Assessment.case_id == _CASE_ID)
    .order_by(t.Assessment.id)
)


@dataclass(frozen=True)
class AssessmentRow:
    """One stored assessment of a case's history (:data:`_HISTORY`)."""

    id: int
    created_at: dt.datetime
    trigger: str
    kb_version: str
    kb_hash: str
    top: dict[str, Any]  # result["ranking"][0], the leading cause
    result: dict[str, Any] | None  # the whole result: the latest one's and ``since``'s only


def history_of(s: Session, case_id: int, since: int | None = None) -> list[AssessmentRow]:
    rows = s.execute(_HISTORY, {"case_id": case_id, "since": since})
    return [
        AssessmentRow(i, at, why, version, digest, top or whole["ranking"][0], whole)
        for i, at, why, version, digest, top, whole in rows
    ]


def findings_of(s: Session, case_id: int) -> Sequence[t.Finding]:
    return s.scalars(_FINDINGS, {"case_id": case_id}).all()


def latest_assessment(s: Session, case_id: int) -> t.Assessment | None:
    return s.scalars(
        select(t.Assessment)
        .where(t.Assessment.case_id == case_id)
        .order_by(t.Assessment.id.desc())
        .limit(1)
    ).first()


def assessment_history(s: Session, case_id: int) -> Sequence[t.Assessment]:
    return s.scalars(_ASSESSMENTS, {"case_id": case_id}).all()


def notes_of(s: Session, case_id: int) -> Sequence[t.Note]:
    return s.scalars(_NOTES, {"case_id": case_id}).all()


def visits_of(s: Session, case_id: int) -> Sequence[t.Visit]:
    return s.scalars(_VISITS, {"case_id": case_id}).all()


@dataclass(frozen=True)
class VideoRecord:
    video: t.Video
    job: t.Job | None
    analysis: t.Analysis | None
    visit: t.Visit | None


def videos_of(
    s: Session, case_id: int, visits: Sequence[t.Visit] | None = None
) -> list[VideoRecord]:
    """The case's videos with their job, analysis and visit (``visits``: already loaded)."""
    videos = s.scalars(select(t.Video).where(t.Video.case_id == case_id).order_by(t.Video.id)).all()
    if not videos:
        return []
    ids = [v.id for v in videos]
    jobs: dict[int, t.Job] = {}
    for j in s.scalars(select(t.Job).where(t.Job.video_id.in_(ids)).order_by(t.Job.id)):
        jobs[j.video_id] = j
    analyses = {
        a.video_id: a for a in s.scalars(select(t.Analysis).where(t.Analysis.video_id.in_(ids)))
    }
    by_id = {v.id: v for v in (visits_of(s, case_id) if visits is None else visits)}
    return [
        VideoRecord(v, jobs.get(v.id), analyses.get(v.id), by_id.get(v.visit_id or -1))
        for v in videos
    ]


@dataclass(frozen=True)
class CaseRecord:
    """A case with every row that belongs to it."""

    case: t.Case
    findings: Sequence[t.Finding]
    assessments: Sequence[AssessmentRow]  # oldest first; the whole result of the latest
    videos: list[VideoRecord]
    notes: Sequence[t.Note]
    visits: Sequence[t.Visit]
    reviews: Sequence[t.VideoReview] = ()
    results: Sequence[t.TestResult] = ()
    requests: Sequence[t.PatientRequest] = ()  # the patient's, from the private link
    contact_twin: bool = True  # another open request has its e-mail or phone (True: unknown)


def case_record(s: Session, case_id: int, since: int | None = None) -> CaseRecord:
    """Load a whole case in as few round trips as its data needs.

    The first query brings the case with how many videos, notes, visits, test results,
    video reviews and patient's requests it has, and whether another request shares its
    e-mail, so the kinds it has none of cost nothing (most cases early in their work-up).
    Of the assessments only the latest, and ``since``, come with their whole result.
    """
    row = s.execute(_CASE_WITH_COUNTS, {"case_id": case_id}).first()
    if row is None:
        raise NotFoundError(f"case {case_id} does not exist")
    case, n_videos, n_notes, n_visits, n_results, n_reviews, n_requests, email, phone = row
    visits = visits_of(s, case_id) if n_visits else []
    return CaseRecord(
        case,
        findings_of(s, case_id),
        history_of(s, case_id, since),
        videos_of(s, case_id, visits) if n_videos else [],
        notes_of(s, case_id) if n_notes else [],
        visits,
        s.scalars(_REVIEWS, {"case_id": case_id}).all() if n_reviews else (),
        s.scalars(RESULTS_OF_CASE, {"case_id": case_id}).all() if n_results else (),
        s.scalars(_REQUESTS, {"case_id": case_id}).all() if n_requests else (),
        bool(email or phone),
    )


def get_video(s: Session, video_id: int) -> t.Video:
    row = s.get(t.Video, video_id)
    if row is None:
        raise NotFoundError(f"video {video_id} does not exist")
    return row


def get_job(s: Session, job_id: int) -> t.Job:
    row = s.get(t.Job, job_id)
    if row is None:
        raise NotFoundError(f"job {job_id} does not exist")
    return row


def analysis_of(s: Session, video_id: int) -> t.Analysis | None:
    return s.scalars(select(t.Analysis).where(t.Analysis.video_id == video_id)).first()


def unfinished_jobs(s: Session) -> Sequence[t.Job]:
    return s.scalars(
        select(t.Job).where(t.Job.status.in_(("queued", "running"))).order_by(t.Job.id)
    ).all()


def set_job_progress(s: Session, job_id: int, progress: float) -> None:
    s.execute(
        update(t.Job)
        .where(t.Job.id == job_id, t.Job.status == "running")
        .values(progress=progress, updated_at=t.utcnow())
    )


def link_by_hash(s: Session, token_hash: str) -> t.PatientLink | None:
    return s.scalars(select(t.PatientLink).where(t.PatientLink.token_hash == token_hash)).first()


def user_by_name(s: Session, username: str) -> t.User | None:
    return s.scalars(select(t.User).where(t.User.username == username)).first()


@dataclass(frozen=True)
class LoginRecord:
    session_id: int
    created_at: dt.datetime
    last_seen: dt.datetime
    csrf_token: str
    stage: str
    user_id: int
    username: str
    display_name: str
    role: str
    disabled: bool


# Plain SQL built once: it runs on every clinic request.
_SESSION_BY_HASH = (
    select(
        t.LoginSession.id,
        t.LoginSession.created_at,
        t.LoginSession.last_seen,
        t.LoginSession.csrf_token,
        t.LoginSession.stage,
        t.User.id,
        t.User.username,
        t.User.display_name,
        t.User.role,
        t.User.disabled,
    )
    .join(t.User, t.User.id == t.LoginSession.user_id)
    .where(t.LoginSession.token_hash == bindparam("token_hash"))
)


def session_by_hash(s: Session, token_hash: str) -> LoginRecord | None:
    """The login session of a cookie token's hash, with its user."""
    row = s.connection().execute(_SESSION_BY_HASH, {"token_hash": token_hash}).first()
    return None if row is None else LoginRecord(*list(row))


def user_by_id(s: Session, user_id: int) -> t.User:
    row = s.get(t.User, user_id)
    if row is None:
        raise NotFoundError(f"user {user_id} does not exist")
    return row


def all_users(s: Session) -> Sequence[t.User]:
    return s.scalars(select(t.User).order_by(t.User.username)).all()


def session_counts(s: Session) -> dict[int, int]:
    rows = s.execute(
        select(t.LoginSession.user_id, func.count()).group_by(t.LoginSession.user_id)
    ).all()
    return {int(uid): int(n) for uid, n in rows}


def end_sessions_of(s: Session, user_id: int, *, keep: int | None = None) -> int:
    """End every login session of ``user_id`` (but ``keep``); returns how many ended."""
    stmt = delete(t.LoginSession).where(t.LoginSession.user_id == user_id)
    if keep is not None:
        stmt = stmt.where(t.LoginSession.id != keep)
    return int(s.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def set_session_stage(s: Session, session_id: int, stage: str) -> None:
    s.execute(update(t.LoginSession).where(t.LoginSession.id == session_id).values(stage=stage))


def revoke_links(s: Session, case_id: int) -> int:
    """Revoke every still-valid link of a case; returns how many were revoked."""
    stmt = (
        update(t.PatientLink)
        .where(t.PatientLink.case_id == case_id, t.PatientLink.revoked.is_(False))
        .values(revoked=True)
    )
    return int(s.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


_CASE_REVISION = select(t.Case.revision).where(t.Case.id == _CASE_ID)


def case_revision(s: Session, case_id: int) -> int | None:
    """The case's revision (see :mod:`.revisions`), None if there is no such case."""
    value = s.connection().execute(_CASE_REVISION, {"case_id": case_id}).scalar_one_or_none()
    return None if value is None else int(value)


def end_session(s: Session, session_id: int) -> None:
    s.execute(delete(t.LoginSession).where(t.LoginSession.id == session_id))


def touch_session(s: Session, session_id: int, when: dt.datetime) -> None:
    s.execute(update(t.LoginSession).where(t.LoginSession.id == session_id).values(last_seen=when))


def visit_of(s: Session, visit_id: int, case_id: int) -> t.Visit | None:
    """The visit ``visit_id`` if it belongs to ``case_id``."""
    return s.scalars(
        select(t.Visit).where(t.Visit.id == visit_id, t.Visit.case_id == case_id)
    ).first()
