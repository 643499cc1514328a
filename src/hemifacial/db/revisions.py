"""Per-case revisions: the ETag of a case page.

Every change to a case — its own row or a row that belongs to it (findings, assessments,
notes, visits, videos, their jobs and analyses) — raises that case's ``revision`` by one in
the same transaction, so a page sent at revision *r* is still current while the case reads
*r*. A flush hook on the package's session class (:class:`TrackedSession`) does it, so no
ORM write can forget it. Job progress is written with a core ``UPDATE`` outside the ORM and
raises nothing: the progress bar is refreshed by the page itself, not by a new page.
There is no clinic-wide counter: writes to different cases never wait on each other;
clinic-wide reads learn of changes through :mod:`.changes`.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from . import changes
from . import tables as t

# Rows that belong to a case through ``case_id`` / through ``video_id``.
_BY_CASE = (
    t.Finding,
    t.Assessment,
    t.Note,
    t.Visit,
    t.Video,
    t.PatientLink,
    t.TestResult,
    t.VideoReview,
    t.PatientRequest,
    t.Booking,
    t.BookingOffer,
)
_BY_VIDEO = (t.Job, t.Analysis)


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
    conn.execute(
        update(t.Case)
        .where(t.Case.id.in_(sorted(case_ids)))
        .values(revision=t.Case.revision + 1)
        .execution_options(synchronize_session=False)
    )
    changes.notify(session, conn)


class TrackedSession(Session):
    """The session class of this package: its flushes raise the revision of changed cases."""


event.listen(TrackedSession, "after_flush", _after_flush)


def _audit_before_commit(session: Session) -> None:
    from .audit import flush_pending

    flush_pending(session)


def _audit_after_rollback(session: Session, _previous: Any) -> None:
    from .audit import discard_pending

    discard_pending(session)


# Audit rows queued by a unit of work join the chain just before it commits.
event.listen(TrackedSession, "before_commit", _audit_before_commit)
event.listen(TrackedSession, "after_soft_rollback", _audit_after_rollback)
changes.install(TrackedSession)
