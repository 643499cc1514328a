"""The worklist's SQL: one page of cases sorted and filtered in the database, the counts of
its tabs, possible duplicates, who last saw what, and the videos' state of each case.

Every sort key has an index ``(column, id)`` (see ``tables.WORKLIST_SORTED``); a page is
``ORDER BY … LIMIT``, never a sort of all cases in Python; the few extra facts a page shows
(possible duplicates of its rows) come from one query for the whole page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    any_,
    bindparam,
    case,
    event,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from . import tables as t
from .revisions import TrackedSession

VIDEO_RANK = {"running": 4, "queued": 3, "failed": 2, "done": 1}
_EMAIL = func.lower(t.Case.email)

# sort key → the column(s) it orders by
SORT_COLUMNS: dict[str, tuple[Any, ...]] = {
    "updated": (t.Case.updated_at,),
    "red": (t.Case.red_flag_level, t.Case.updated_at),
    "submitted": (t.Case.submitted_at,),
    "age": (t.Case.birth_year,),  # the caller turns "youngest first" into "born last first"
    "sex": (t.Case.sex,),
    "side": (t.Case.side,),
    "cause": (t.Case.top_condition, t.Case.top_probability),
    "probability": (t.Case.top_probability,),
    "video": (t.Case.video_status,),
    "assignee": (t.Case.assigned_to,),
    "name": (t.Case.patient_name,),
    "id": (t.Case.id,),
    "contact": (_EMAIL, t.Case.phone),
}


@dataclass(frozen=True)
class Filters:
    """What the page asks for (already validated by the service)."""

    viewer: str
    view: str = "submitted"  # "submitted", "drafts" or "duplicates"
    status: str | None = None
    query: str | None = None
    red: int = 0  # at least this red-flag level
    sex: str | None = None
    side: str | None = None
    video: str | None = None
    assignee: str | None = None  # a username, or "" for nobody
    cause: str | None = None
    unread: bool = False


@dataclass(frozen=True)
class WorklistPage:
    rows: Sequence[Any]
    total: int
    counts: dict[str, int]
    duplicates: frozenset[int]  # ids of the page's cases that share an e-mail or phone
    page: int
    pages: int


def status_counts(s: Session) -> dict[str, int]:
    """Cases per status, drafts included (an index-only scan)."""
    rows = s.execute(select(t.Case.status, func.count()).group_by(t.Case.status)).all()
    return {str(k): int(v) for k, v in rows}


def _duplicated() -> ColumnElement[bool]:
    emails = select(_EMAIL).where(t.Case.email != "").group_by(_EMAIL).having(func.count() > 1)
    phones = (
        select(t.Case.phone_key)
        .where(t.Case.phone_key != "")
        .group_by(t.Case.phone_key)
        .having(func.count() > 1)
    )
    return or_(_EMAIL.in_(emails), t.Case.phone_key.in_(phones))


def _conditions(f: Filters, unread: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    if f.view == "drafts":
        cond = [t.Case.status == "draft"]
    elif f.view == "duplicates":
        cond = [_duplicated()]
    else:
        cond = [t.Case.status == f.status] if f.status else [t.Case.status.in_(t.CASE_STATUSES)]
    if f.red:
        cond.append(t.Case.red_flag_level >= f.red)
    for column, value in (
        (t.Case.sex, f.sex),
        (t.Case.side, f.side),
        (t.Case.video_status, f.video),
        (t.Case.top_condition, f.cause),
    ):
        if value is not None:
            cond.append(column == value)
    if f.assignee is not None:
        nobody = t.Case.assigned_to.is_(None)
        cond.append(t.Case.assigned_to == f.assignee if f.assignee else nobody)
    if f.unread:
        cond.append(unread)
    if f.query:
        q = f.query.strip().lower()
        text_match = t.Case.search_text.contains(q, autoescape=True)
        cond.append(or_(t.Case.id == int(q), text_match) if q.isdigit() else text_match)
    return cond


# Sort keys whose columns may be empty: those sort last in either direction.
NULLABLE = frozenset({"submitted", "age", "sex", "side", "cause", "probability", "assignee"})


def _order(sort: str, descending: bool, unread: ColumnElement[bool]) -> list[Any]:
    """ORDER BY for ``sort``; keys that are never empty keep the plain direction, so the
    default (red flags, then most recently changed) is read from its index."""
    columns = (case((unread, 1), else_=0),) if sort == "unread" else SORT_COLUMNS[sort]
    keys = [c.desc() if descending else c.asc() for c in columns]
    if sort in NULLABLE:
        keys = [k.nulls_last() for k in keys]
    return [*keys, t.Case.id.desc() if descending else t.Case.id.asc()]


def _unfiltered(f: Filters) -> bool:
    return f.view == "submitted" and not any(
        (f.red, f.sex, f.side, f.video, f.cause, f.unread, f.query, f.assignee is not None)
    )


def worklist(
    s: Session,
    f: Filters,
    *,
    sort: str = "red",
    descending: bool = True,
    page: int = 1,
    per_page: int = 50,
) -> WorklistPage:
    """One page of the worklist; the total comes from the status counts when only a status
    tab is chosen (no count query)."""
    seen = aliased(t.CaseSeen)
    unread = or_(seen.revision.is_(None), seen.revision < t.Case.revision)
    cond = _conditions(f, unread)
    joined = and_(seen.case_id == t.Case.id, seen.username == f.viewer)
    counts = status_counts(s)
    if _unfiltered(f):
        shown = (f.status,) if f.status else t.CASE_STATUSES
        total = sum(counts.get(x, 0) for x in shown)
    else:
        count = select(func.count()).select_from(t.Case)
        if f.unread:
            count = count.outerjoin(seen, joined)
        total = s.scalar(count.where(*cond)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    stmt = select(*PAGE_COLUMNS)
    if f.unread or sort == "unread":  # the viewer's marks only when they filter or sort
        stmt = stmt.outerjoin(seen, joined)
    rows = s.execute(
        stmt.where(*cond)
        .order_by(*_order(sort, descending, unread))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return WorklistPage(rows, total, counts, _duplicates_among(s, rows), page, pages)


PAGE_COLUMNS = (
    t.Case.id,
    t.Case.patient_name,
    t.Case.status,
    t.Case.birth_year,
    t.Case.sex,
    t.Case.side,
    t.Case.submitted_at,
    t.Case.red_flag_level,
    t.Case.top_condition,
    t.Case.top_probability,
    t.Case.findings_count,
    t.Case.video_status,
    t.Case.assigned_to,
    t.Case.updated_at,
    t.Case.email,
    t.Case.phone_key,
    t.Case.revision,
)


def _duplicates_among(s: Session, rows: Sequence[Any]) -> frozenset[int]:
    """Which of these cases share an e-mail or a phone with another case (one query)."""
    emails = {r.email.lower() for r in rows if r.email}
    phones = {r.phone_key for r in rows if r.phone_key}
    if not emails and not phones:
        return frozenset()
    shared = union_all(
        select(literal("e"), _EMAIL)
        .where(_EMAIL.in_(emails))
        .group_by(_EMAIL)
        .having(func.count() > 1),
        select(literal("p"), t.Case.phone_key)
        .where(t.Case.phone_key.in_(phones))
        .group_by(t.Case.phone_key)
        .having(func.count() > 1),
    )
    found = {(k, v) for k, v in s.execute(shared)}
    return frozenset(
        r.id for r in rows if ("e", r.email.lower()) in found or ("p", r.phone_key) in found
    )


def seen_revisions(s: Session, username: str, case_ids: Iterable[int]) -> dict[int, int]:
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    # PostgreSQL: one array parameter, so the statement's text is the same for every page
    # (an IN list renders new SQL per set of ids, which psycopg converts afresh each time and
    # never prepares); SQLite has no arrays
    if s.get_bind().dialect.name == "postgresql":
        among = t.CaseSeen.case_id == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
    else:
        among = t.CaseSeen.case_id.in_(ids)
    rows = s.execute(
        select(t.CaseSeen.case_id, t.CaseSeen.revision).where(
            t.CaseSeen.username == username, among
        )
    )
    return {int(c): int(r) for c, r in rows}


ASSIGNABLE_ROLES = ("admin", "clinician")


def assignees(s: Session) -> list[tuple[str, str]]:
    """(username, display name) of every user a case can be assigned to: clinicians and
    administrators whose account is not disabled."""
    rows = s.execute(
        select(t.User.username, t.User.display_name)
        .where(t.User.role.in_(ASSIGNABLE_ROLES), t.User.disabled.is_(False))
        .order_by(t.User.display_name)
    )
    return [(str(u), str(d)) for u, d in rows]


def _video_status(session: Session, _context: Any) -> None:
    """After a flush that touched videos or jobs: each case's ``video_status`` is the most
    pressing state of its videos' jobs (running > queued > failed > done; "none")."""
    video_ids = {
        o.video_id if isinstance(o, t.Job) else o.id
        for o in chain(session.new, session.dirty, session.deleted)
        if isinstance(o, t.Job | t.Video)
    }
    if not video_ids:
        return
    conn = session.connection()
    case_ids = sorted(
        set(conn.execute(select(t.Video.case_id).where(t.Video.id.in_(video_ids))).scalars())
    )
    if not case_ids:
        return
    rank = case(*((t.Job.status == k, v) for k, v in VIDEO_RANK.items()), else_=0)
    best: dict[int, int] = dict(
        conn.execute(
            select(t.Video.case_id, func.max(rank))
            .join(t.Job, t.Job.video_id == t.Video.id)
            .where(t.Video.case_id.in_(case_ids))
            .group_by(t.Video.case_id)
        ).all()
    )
    name = {v: k for k, v in VIDEO_RANK.items()}
    for case_id in case_ids:
        status = name.get(int(best.get(case_id) or 0), "none")
        conn.execute(
            update(t.Case)
            .where(t.Case.id == case_id, t.Case.video_status != status)
            .values(video_status=status)
            .execution_options(synchronize_session=False)
        )


event.listen(TrackedSession, "after_flush", _video_status)
