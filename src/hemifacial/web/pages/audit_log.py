"""Administrator pages: the audit trail with filters, and its CSV export.

Looking at the audit trail is itself audited (``audit.view``, ``audit.export``)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hemifacial.errors import FormError
from hemifacial.services import audit as audit_service
from hemifacial.services import reads
from hemifacial.services.admin_views import AuditFilters

from ..deps import Audit, CurrentUser, Read
from ..render import render

router = APIRouter(include_in_schema=False)
PAGE = 100
EXPORT_LIMIT = 100_000


def _filters(request: Request) -> AuditFilters:
    """The filters of the query string; a bad one is named (422)."""
    q = request.query_params
    errors: dict[str, str] = {}

    def day(name: str) -> dt.date | None:
        raw = q.get(name, "").strip()
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            errors[name] = "must be a date like 2026-12-01"
            return None

    case = q.get("case", "").strip()
    if case and not (case.isdigit() and len(case) < 12):
        errors["case"] = "must be a case number"
    found = AuditFilters(
        actor=q.get("actor", "").strip() or None,
        case_id=int(case) if case and "case" not in errors else None,
        action=q.get("action", "").strip() or None,
        since=day("since"),
        until=day("until"),
    )
    if errors:
        raise FormError(errors)
    return found


@router.get("/clinic/audit")
def audit_page(request: Request, user: CurrentUser, read: Read, audit: Audit) -> Response:
    f = _filters(request)
    before = request.query_params.get("before", "")
    before_seq = int(before) if before.isdigit() and len(before) < 19 else None
    rows = reads.audit_rows(read, f, before_seq=before_seq, limit=PAGE)
    audit(user.username, "audit.view", f.case_id, filters=_described(f))
    data = {"rows": rows, "f": f, "more": len(rows) == PAGE, "query": request.url.query}
    return render(request, "clinic/audit.html", data)


@router.get("/clinic/audit.csv")
def audit_csv(request: Request, user: CurrentUser, read: Read, audit: Audit) -> Response:
    f = _filters(request)
    rows = reads.audit_rows(read, f, limit=EXPORT_LIMIT)
    audit(user.username, "audit.export", f.case_id, filters=_described(f), rows=len(rows))
    return Response(
        audit_service.to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="audit.csv"',
            "Cache-Control": "no-store",
        },
    )


def _described(f: AuditFilters) -> dict[str, str]:
    return {
        k: str(v)
        for k, v in (
            ("actor", f.actor),
            ("action", f.action),
            ("since", f.since),
            ("until", f.until),
        )
        if v
    }
