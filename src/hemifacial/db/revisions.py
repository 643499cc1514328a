"""Change counters that key the page caches.

Every change to a case — its own row or any row that belongs to it (findings, assessments,
notes, visits, videos, their jobs and analyses, patient links) — raises one clinic-wide
counter and stamps the case with the new value, in the same transaction as the change. A
page rendered for revision *r* can then be reused for as long as the counter (the dashboard)
or the case's stamp (the case page) still reads *r*.

Correctness rests on two rules: the stamp is written by a flush hook on every session this
package makes (:class:`TrackedSession`), so no ORM write can forget it; and readers take
the stamp *before* the data, so a cached page is never older than its key (at worst newer,
which is harmless).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

from sqlalchemy import Connection, bindparam, event, insert, select, update
from sqlalchemy.orm import Session

from . import tables as t

# Rows that belong to a case through ``case_id`` / through ``video_id``.
_BY_CASE = (t.Finding, t.Assessment, t.Note, t.Visit, t.Video, t.PatientLink)
_BY_VIDEO = (t.Job, t.Analysis)


def bump(conn: Connection, case_ids: Iterable[int]) -> int:
    """Raise the clinic counter and stamp ``case_ids`` with it; return the new value.

    The ``UPDATE`` takes the counter row's lock until commit, so concurrent writers get
    distinct, increasing values in PostgreSQL and SQLite alike.
    """
    raised = conn.execute(
        update(t.ClinicRevision)
        .where(t.ClinicRevision.id == 1)
        .values(value=t.ClinicRevision.value + 1)
        .returning(t.ClinicRevision.value)
    ).scalar_one_or_none()
    if raised is None:  # the row was removed (e.g. a table emptied by hand): restart
        conn.execute(insert(t.ClinicRevision).values(id=1, value=1))
    value = 1 if raised is None else int(raised)
    ids = sorted(set(case_ids))
    if ids:
        conn.execute(update(t.Case).where(t.Case.id.in_(ids)).values(revision=value))
    return value


def bump_for_job(s: Session, job_id: int) -> None:
    """For writes that bypass the ORM (job progress): stamp the job's case."""
    case_id = s.execute(
        select(t.Video.case_id).join(t.Job, t.Job.video_id == t.Video.id).where(t.Job.id == job_id)
    ).scalar_one_or_none()
    if case_id is not None:
        bump(s.connection(), [case_id])


# The stamps as scalar subqueries, read with the login check in one round trip
# (:func:`hemifacial.services.accounts.current_and`).
CLINIC_STAMP = select(t.ClinicRevision.value).where(t.ClinicRevision.id == 1).scalar_subquery()
CASE_STAMP = select(t.Case.revision).where(t.Case.id == bindparam("case_id")).scalar_subquery()


def _after_flush(session: Session, _context: Any) -> None:
    case_ids: set[int] = set()
    video_ids: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, t.Case):
            case_ids.add(obj.id)
        elif isinstance(obj, _BY_CASE):
            case_ids.add(obj.case_id)
        elif isinstance(obj, _BY_VIDEO):
            video_ids.add(obj.video_id)
    if not case_ids and not video_ids:
        return
    conn = session.connection()
    if video_ids:
        case_ids.update(
            conn.execute(select(t.Video.case_id).where(t.Video.id.in_(video_ids))).scalars()
        )
    bump(conn, case_ids)


class TrackedSession(Session):
    """The session class of this package: its flushes stamp the cases they change."""


event.listen(TrackedSession, "after_flush", _after_flush)
