"""The worklist: which cases a clinician sees, sorted and filtered in the database, and the
assignment of a case to a clinician.

Parameters arrive as text (a page's query string, the API's); :func:`parse_query` turns them
into a :class:`WorklistQuery`. The page ignores a value it does not know (a stale bookmark
still opens); the API refuses it with every bad parameter named (400).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import replace

from hemifacial.db import repositories as repo
from hemifacial.db import worklist as db
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.status import STATUS_LABELS, CaseStatus
from hemifacial.errors import InvalidValueError, QueryParamError

from .database import UnitOfWork
from .readcache import ReadCache
from .views import Dashboard, DashboardRow, WorklistQuery

VIEWS = {"submitted": "Submitted", "drafts": "Drafts", "duplicates": "Possible duplicates"}
SORTS = (
    "red",
    "updated",
    "submitted",
    "age",
    "sex",
    "side",
    "cause",
    "probability",
    "video",
    "assignee",
    "unread",
    "name",
    "id",
    "contact",
)
# First click on a column: newest, most urgent, most likely and unread first; else A→Z.
DESCENDING_FIRST = frozenset({"red", "updated", "submitted", "probability", "unread", "id"})
RED = {"soon": 1, "urgent": 2}
SIDES = ("left", "right", "both")
VIDEO_STATUS = {
    "none": "no video",
    "queued": "queued",
    "running": "analysing",
    "failed": "failed",
    "done": "analysed",
}
PER_PAGE = 50


def _choices(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    sex = kb.findings["sex"].values if "sex" in kb.findings else ()
    return {
        "view": tuple(VIEWS),
        "status": tuple(s for s in STATUS_LABELS),
        "red": tuple(RED),
        "sex": tuple(sex),
        "side": SIDES,
        "video": tuple(VIDEO_STATUS),
        "cause": tuple(kb.conditions),
        "sort": SORTS,
        "order": ("asc", "desc"),
    }


def parse_query(
    kb: KnowledgeBase, params: Mapping[str, str], *, strict: bool = False
) -> WorklistQuery:
    """The validated query; with ``strict`` a value not allowed raises :class:`QueryParamError`
    naming each bad parameter, otherwise it is ignored (the default applies)."""
    errors: dict[str, str] = {}
    chosen: dict[str, str] = {}
    for name, allowed in _choices(kb).items():
        given = (params.get(name) or "").strip()
        if not given:
            continue
        if given in allowed:
            chosen[name] = given
        else:
            errors[name] = f"must be one of {', '.join(allowed)}, got {given[:40]!r}"
    page_text = (params.get("page") or "1").strip()
    page = int(page_text) if page_text.isdigit() and 0 < int(page_text) < 1_000_000 else 0
    if not page:
        errors["page"] = "must be a whole number from 1"
    q = (params.get("q") or "").strip()
    if len(q) > 100:
        errors["q"] = "at most 100 characters"
    assignee = (params.get("assignee") or "").strip()
    if len(assignee) > 80:
        errors["assignee"] = "at most 80 characters"
    if errors and strict:
        raise QueryParamError(errors)
    sort = chosen.get("sort", "contact" if chosen.get("view") == "duplicates" else "red")
    status = chosen.get("status")
    return WorklistQuery(
        view=chosen.get("view", "submitted"),
        status=CaseStatus(status) if status and "status" not in errors else None,
        q=q[:100],
        red=chosen.get("red", ""),
        sex=chosen.get("sex", ""),
        side=chosen.get("side", ""),
        video=chosen.get("video", ""),
        assignee=assignee[:80] if "assignee" not in errors else "",
        cause=chosen.get("cause", ""),
        unread=(params.get("unread") or "") in ("1", "true", "yes"),
        sort=sort,
        order=chosen.get("order", "desc" if sort in DESCENDING_FIRST else "asc"),
        page=page or 1,
    )


def _filters(q: WorklistQuery, viewer: str) -> db.Filters:
    assignee = {"": None, "me": viewer, "none": ""}.get(q.assignee, q.assignee)
    return db.Filters(
        viewer=viewer,
        view=q.view,
        status=q.status.value if q.status and q.view == "submitted" else None,
        query=q.q or None,
        red=RED.get(q.red, 0),
        sex=q.sex or None,
        side=q.side or None,
        video=q.video or None,
        assignee=assignee,
        cause=q.cause or None,
        unread=q.unread,
    )


def _page(s: UnitOfWork, kb: KnowledgeBase, q: WorklistQuery, f: db.Filters) -> Dashboard:
    """The page without the viewer's unread marks (the same for every viewer)."""
    descending = q.order == "desc"
    if q.sort == "age":  # youngest first = born last first
        descending = not descending
    data = db.worklist(s, f, sort=q.sort, descending=descending, page=q.page, per_page=PER_PAGE)
    year = dt.date.today().year
    rows = tuple(
        DashboardRow(
            r.id,
            r.patient_name,
            CaseStatus(r.status),
            r.red_flag_level,
            r.top_condition,
            r.top_probability,
            r.updated_at,
            age=year - r.birth_year if r.birth_year else None,
            sex=r.sex,
            side=r.side,
            submitted_at=r.submitted_at,
            no_findings=r.findings_count == 0,
            top_name=_name(kb, r.top_condition),
            video_status=r.video_status,
            assigned_to=r.assigned_to,
            possible_duplicate=r.id in data.duplicates,
            revision=r.revision,
        )
        for r in data.rows
    )
    people = tuple(db.assignees(s))
    return Dashboard(rows, data.total, data.counts, data.page, data.pages, q, people)


def dashboard(
    s: UnitOfWork,
    kb: KnowledgeBase,
    q: WorklistQuery,
    viewer: str,
    pending: Mapping[int, int] | None = None,
    *,
    generation: int | None = None,
    cache: ReadCache | None = None,
) -> Dashboard:
    """One page of the worklist for ``viewer``. With the cases' ``generation`` (read before
    this call) and a ``cache``, the page is built once per generation and filters; the
    viewer's unread marks are then read for its rows alone (one query). ``pending`` are
    views of this viewer not written yet (case id → revision seen)."""
    f = _filters(q, viewer)
    personal = q.unread or q.sort == "unread"
    if cache is not None and generation is not None and not personal:
        key = ("worklist", generation, replace(f, viewer=""), q.sort, q.order, q.page)
        page, as_unread = cache.get_or_build(key, lambda: _with_unread(_page(s, kb, q, f)))
    else:
        page, as_unread = _with_unread(_page(s, kb, q, f))
    seen = db.seen_revisions(s, viewer, (r.id for r in page.rows))
    for case_id, revision in (pending or {}).items():
        seen[case_id] = max(revision, seen.get(case_id, -1))
    rows = tuple(
        unread if seen.get(r.id, -1) < r.revision else r
        for r, unread in zip(page.rows, as_unread, strict=True)
    )
    return replace(page, rows=rows, query=q)


def _with_unread(page: Dashboard) -> tuple[Dashboard, tuple[DashboardRow, ...]]:
    """The page (its rows read) and each of its rows as unread, made once with the page: a
    viewer's page then picks one of the two per row instead of copying every row."""
    return page, tuple(replace(r, unread=True) for r in page.rows)


def _name(kb: KnowledgeBase, condition: str | None) -> str | None:
    if condition is None:
        return None
    return kb.conditions[condition].name if condition in kb.conditions else condition


ASSIGNEES_FRESH_S = 30


def assignees(s: UnitOfWork, cache: ReadCache | None = None) -> tuple[tuple[str, str], ...]:
    """(username, display name) of everyone a case can be assigned to. With ``cache``, the
    list is read at most once per :data:`ASSIGNEES_FRESH_S` per process (it was a tenth of
    a case page's time): an account added or disabled shows in the selector within that,
    and :func:`assign` always checks the choice against the accounts as they are now."""
    if cache is None:
        return tuple(db.assignees(s))
    bucket = int(time.monotonic() // ASSIGNEES_FRESH_S)
    return cache.get_or_build(("assignees", bucket), lambda: tuple(db.assignees(s)))


def assign(s: UnitOfWork, case_id: int, assignee: str, actor: str) -> str | None:
    """Assign the case to the user ``assignee`` ("" for nobody); audited."""
    name = assignee.strip()
    if name and name not in {u for u, _ in db.assignees(s)}:
        raise InvalidValueError(
            f"there is no clinician {name[:80]!r} to assign the case to (an active clinician "
            "or administrator)"
        )
    case = repo.get_case(s, case_id)
    old, case.assigned_to = case.assigned_to, name or None
    repo.audit(s, actor, "case.assign", case_id, old=old, new=case.assigned_to)
    s.flush()
    return case.assigned_to
