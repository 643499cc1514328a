"""Reports API: the case report (PDF, HTML) and the patient letter (login needed, audited).

Each view of a report is a view of patient data, so it is audited with its kind
(committed before the report is sent). Rendering a PDF takes a moment: the routes are
plain functions (FastAPI runs them in the thread pool), and nothing is cached
(``no-store``: patient data).
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from hemifacial.services import reports

from ..deps import Audit, Ctx, CurrentUser, Read

router = APIRouter(prefix="/api/v1", tags=["reports"])
PDF = "application/pdf"
HTML = "text/html; charset=utf-8"


def _send(body: bytes | str, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/cases/{case_id}/report.pdf", response_class=Response)
def report_pdf(case_id: int, ctx: Ctx, read: Read, user: CurrentUser, audit: Audit) -> Response:
    """The case report for the referring physician as PDF."""
    body = reports.case_report_pdf(read, ctx.kb, ctx.settings.plot_dir, case_id)
    audit(user.username, "report.view", case_id, kind="pdf")
    return _send(body, PDF, f"case-{case_id}-report.pdf")


@router.get("/cases/{case_id}/report.html", response_class=Response)
def report_html(case_id: int, ctx: Ctx, read: Read, user: CurrentUser, audit: Audit) -> Response:
    """The case report as one self-contained HTML page (styles and plots inlined)."""
    body = reports.case_report_html(read, ctx.kb, ctx.settings.plot_dir, case_id)
    audit(user.username, "report.view", case_id, kind="html")
    return _send(body, HTML, f"case-{case_id}-report.html")


@router.get("/cases/{case_id}/letter.pdf", response_class=Response)
def letter_pdf(case_id: int, ctx: Ctx, read: Read, user: CurrentUser, audit: Audit) -> Response:
    """The plain-language letter for the patient as PDF."""
    body = reports.patient_letter_pdf(read, ctx.kb, case_id)
    audit(user.username, "report.view", case_id, kind="letter")
    return _send(body, PDF, f"case-{case_id}-letter.pdf")


@router.get("/cases/{case_id}/letter.html", response_class=Response)
def letter_html(case_id: int, ctx: Ctx, read: Read, user: CurrentUser, audit: Audit) -> Response:
    """The plain-language letter for the patient as HTML."""
    body = reports.patient_letter_html(read, ctx.kb, case_id)
    audit(user.username, "report.view", case_id, kind="letter-html")
    return _send(body, HTML, f"case-{case_id}-letter.html")
