"""The worklist (``/clinic``): sortable, filterable columns, views for drafts and possible
duplicates, assignment to a clinician, cases new since the viewer last looked."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pydantic import BaseModel

from hemifacial.services import cases, views, worklist
from hemifacial.services.views import WorklistQuery

from ..deps import Audit, Ctx, CurrentUser, Read, Tx
from ..render import render

router = APIRouter(include_in_schema=False)

# The columns of the table: (sort key, heading); None is not sortable.
COLUMNS = (
    ("id", "#"),
    ("name", "Patient"),
    ("age", "Age"),
    ("sex", "Sex"),
    ("side", "Side"),
    ("submitted", "Submitted"),
    ("red", "Red flags"),
    ("cause", "Leading cause"),
    ("probability", "Probability"),
    ("video", "Video"),
    ("assignee", "Assigned to"),
    ("unread", "Unread"),
)


def link(q: WorklistQuery, **change: object) -> str:
    """The worklist's URL for ``q`` with ``change`` applied (defaults left out)."""
    values: dict[str, object] = {
        "view": q.view if q.view != "submitted" else "",
        "status": q.status.value if q.status else "",
        "q": q.q,
        "red": q.red,
        "sex": q.sex,
        "side": q.side,
        "video": q.video,
        "assignee": q.assignee,
        "cause": q.cause,
        "unread": "1" if q.unread else "",
        "sort": q.sort,
        "order": q.order,
        "page": q.page if q.page > 1 else "",
    }
    values.update(change)
    return "/clinic?" + urlencode({k: v for k, v in values.items() if v not in ("", None)})


def sort_link(q: WorklistQuery, key: str) -> str:
    """Sorting by ``key``: its first direction, or the other one when it is the current."""
    if q.sort == key:
        order = "asc" if q.order == "desc" else "desc"
    else:
        order = "desc" if key in worklist.DESCENDING_FIRST else "asc"
    return link(q, sort=key, order=order, page="")


@router.get("/clinic")
def dashboard(request: Request, ctx: Ctx, user: CurrentUser, read: Read, audit: Audit) -> Response:
    q = worklist.parse_query(ctx.kb, request.query_params)
    if q.unread or q.sort == "unread":  # the database must know the latest views
        ctx.db.seen.flush()
    pending = ctx.db.seen.pending(user.username)
    generation = ctx.db.cases_generation()
    data = worklist.dashboard(
        read, ctx.kb, q, user.username, pending, generation=generation, cache=ctx.views
    )
    # the cases shown, not the search text: audit rows are kept for years and cannot be
    # erased, so they hold no name (SECURITY.md)
    shown = [row.id for row in data.rows]
    audit(user.username, "dashboard.view", cases=shown, searched=bool(q.q), page=q.page)
    context = {
        "rows_html": _rows_html(ctx, data.rows, listed=q.status is None),
        "page": data,
        "wq": q,
        "statuses": cases.STATUSES,
        "submitted_total": sum(data.counts.get(k, 0) for k in cases.STATUSES),
        "views": worklist.VIEWS,
        "video_labels": worklist.VIDEO_STATUS,
        "columns": COLUMNS,
        "link": link,
        "sort_link": sort_link,
        "sides": worklist.SIDES,
        "sexes": ctx.kb.findings["sex"].values if "sex" in ctx.kb.findings else (),
    }
    return render(request, "clinic/dashboard.html", context)


def _rows_html(ctx: Ctx, rows: tuple[views.DashboardRow, ...], *, listed: bool) -> Markup:
    """The table's rows, kept by their read models (frozen values that hold every field the
    rows show, the revision and this viewer's "unread" included): the same page of the
    worklist seen again costs a dictionary lookup instead of most of its rendering."""

    def build() -> Markup:
        template = ctx.templates.env.get_template("clinic/_worklist_rows.html")
        return Markup(
            template.render(
                rows=rows,
                listed=listed,
                video_labels=worklist.VIDEO_STATUS,
                n_columns=len(COLUMNS),
            )
        )

    return ctx.views.get_or_build(("worklist_rows", rows, listed), build)


class AssignForm(BaseModel):
    assignee: str = ""
    back: str = ""


@router.post("/clinic/cases/{case_id}/assign")
def assign(
    case_id: int, tx: Tx, user: CurrentUser, form: Annotated[AssignForm, Form()]
) -> Response:
    """Assign the case ("me" is the current user; empty: nobody)."""
    who = user.username if form.assignee == "me" else form.assignee
    worklist.assign(tx, case_id, who, user.username)
    back = form.back if form.back.startswith("/clinic") and "//" not in form.back else ""
    return RedirectResponse(back or f"/clinic/cases/{case_id}", status_code=303)
