"""Clinic pages (login required): dashboard, case page with its forms, evidence browser."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pydantic import BaseModel

from hemifacial.domain.knowledge.model import FindingType
from hemifacial.domain.reasoning.assess import LIMITS
from hemifacial.errors import FormError, InputError
from hemifacial.services import (
    cases,
    dates,
    intake,
    patients,
    reads,
    results,
    videos,
    views,
    worklist,
)
from hemifacial.services.database import UnitOfWork

from ..case_pieces import Pieces, finding_groups, pieces, set_aside
from ..charts import course_svg
from ..deps import Audit, Ctx, CurrentUser, FormFields, Read, Tx
from ..flash import flash_of, saved
from ..links import public_base
from ..render import not_modified, page_etag, render
from ..timeline import event_label, timeline_svg
from ..uploads import add_video
from .clinic_patient import patient_side

router = APIRouter(include_in_schema=False)
SOURCE_WORDS = {
    "patient": "the patient says",
    "video": "the video suggests",
    "clinician": "the clinician recorded",
    "test": "a test shows",
}


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _case_context(ctx: Ctx, view: views.CaseView, kept: Pieces | None = None) -> dict[str, Any]:
    """What case.html shows; ``kept``: the pieces of the view when the caller has them
    already (cached by revision)."""
    groups = finding_groups(ctx)
    kept = kept or pieces(ctx, view)
    g, html = kept.g, kept.assessment_html
    return {
        "v": view,
        "c": view.case,
        "stored": view.assessment,
        "a": view.assessment.result if view.assessment else None,
        "g": g,
        "assessment_html": html,
        "statuses": cases.STATUSES,
        "exam_findings": groups["clinician"],
        "test_findings": groups["test"],
        "numeric": FindingType.NUMERIC,
        "limits": LIMITS,
        "chart": Markup(course_svg(view.course, view.visits)),
        "errors": {},
        "form": None,
        "new_link": None,
        "links_revoked": None,
        "blank_grids": kept.grids,
        "timelines": {
            r.video.id: timeline_svg(r.video.id, r.analysis) for r in view.videos if r.analysis
        },
        "tests": ctx.kb.tests,
        "today": dates.today().isoformat(),
        "flash": None,
        "result_form": {},
        "source_words": SOURCE_WORDS,
        "set_aside": set_aside(view),
        "event_label": event_label,
    }


def _case_page(
    request: Request,
    ctx: Ctx,
    s: UnitOfWork,
    case_id: int,
    extra: dict[str, Any],
    status: int = 200,
) -> Response:
    """The case page after a form post: with its errors or the new link (never cached)."""
    view = reads.case_view(s, ctx.kb, case_id)
    context = {**_case_context(ctx, view), "assignees": worklist.assignees(s, ctx.views)}
    context |= {**patient_side(s, view), **extra}
    return render(request, "clinic/case.html", context, status)


@router.get("/clinic/cases/{case_id}")
def case_page(
    case_id: int, request: Request, ctx: Ctx, user: CurrentUser, read: Read, audit: Audit
) -> Response:
    """The case page, or 304 when the browser holds this revision of it."""
    audit(user.username, "case.view", case_id)
    flash = flash_of(request)
    if flash is not None:  # after a save: what changed, never cached
        view = reads.case_view(read, ctx.kb, case_id, since=flash.since)
        ctx.db.seen.record(user.username, case_id, view.case.revision)
        context = {**_case_context(ctx, view), "assignees": worklist.assignees(read, ctx.views)}
        context |= patient_side(read, view)
        return render(request, "clinic/case.html", {**context, "flash": flash})
    revision = reads.case_revision(read, case_id)
    ctx.db.seen.record(user.username, case_id, revision)  # no longer "new" on the worklist
    # today's date is part of the page (the date fields' default and limit)
    today = dates.today()
    etag = page_etag(request, "case", case_id, revision, today)
    unchanged = not_modified(request, etag)
    if unchanged is not None:
        return unchanged
    view = reads.case_view_at(read, ctx.kb, case_id, revision, ctx.views)

    def build() -> tuple[dict[str, Any], Pieces]:
        return patient_side(read, view), pieces(ctx, view)

    # kept by revision beside the view (one entry: the LRU's size counts case pages): the
    # patient's side (the patient's requests raise the revision, and so does a new request
    # with the same contact, duplicates.flag_twins; it was a third of the page's time) and
    # the pieces derived from the view alone: the assessment's HTML (most of the rendering)
    # and the result forms' fields with the case's values; the glance's summary line holds
    # the age, so the day is part of the key as of the ETag
    key = ("case_page", case_id, revision, today)
    side, kept = ctx.views.get_or_build(key, build)
    context = {
        **_case_context(ctx, view, kept),
        "assignees": worklist.assignees(read, ctx.views),
    }
    context |= side
    return render(request, "clinic/case.html", context, etag=etag)


def _refused(
    request: Request,
    ctx: Ctx,
    tx: UnitOfWork,
    case_id: int,
    exc: InputError,
    extra: dict[str, Any],
    field: str = "_form",
) -> Response:
    """The case page again with the form's errors (a single error shown at ``field``);
    nothing of the refused form is kept."""
    tx.rollback()
    errors = exc.fields if isinstance(exc, FormError) else {field: str(exc)}
    return _case_page(request, ctx, tx, case_id, {"errors": errors, **extra}, exc.http_status)


@router.post("/clinic/cases/{case_id}/findings")
def record(
    case_id: int, request: Request, ctx: Ctx, user: CurrentUser, tx: Tx, form: FormFields
) -> Response:
    """Exam or test results: the form's finding fields are named ``f.<finding id>``."""
    source = form.get("source", "clinician")
    raw: dict[str, Any] = {k[2:]: v for k, v in form.items() if k.startswith("f.") and v.strip()}
    for key, word in form.items():  # "c.<finding>": how sure the report is (test results)
        if key.startswith("c.") and word and key[2:] in raw:
            raw[key[2:]] = {"value": raw[key[2:]], "certainty": word}
    since = results.latest_assessment_id(tx, case_id)
    try:
        cases.record_findings(
            tx, ctx.kb, case_id, raw, source=source, actor=user.username, only_changed=True
        )
    except InputError as exc:
        typed = {k: v["value"] if isinstance(v, dict) else v for k, v in raw.items()}
        return _refused(request, ctx, tx, case_id, exc, {"form": source, "submitted": typed})
    return saved(case_id, "findings", since)


class StatusForm(BaseModel):
    status: str = ""


@router.post("/clinic/cases/{case_id}/status")
def set_status(
    case_id: int,
    request: Request,
    ctx: Ctx,
    tx: Tx,
    user: CurrentUser,
    form: Annotated[StatusForm, Form()],
) -> Response:
    cases.set_status(tx, case_id, form.status, user.username)
    patients.status_news(tx, ctx.outbox, case_id, public_base(request))  # e-mail after commit
    return _see(f"/clinic/cases/{case_id}")


class NoteForm(BaseModel):
    text: str = ""


@router.post("/clinic/cases/{case_id}/notes")
def add_note(
    case_id: int,
    request: Request,
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    form: Annotated[NoteForm, Form()],
) -> Response:
    try:
        cases.add_note(tx, case_id, form.text, user.username)
    except FormError as exc:
        return _refused(request, ctx, tx, case_id, exc, {"form": "note"})
    return _see(f"/clinic/cases/{case_id}#notes")


class VisitForm(BaseModel):
    visited_on: str = ""
    label: str = ""
    treatment: str = ""


@router.post("/clinic/cases/{case_id}/visits")
def add_visit(
    case_id: int,
    request: Request,
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    form: Annotated[VisitForm, Form()],
) -> Response:
    try:
        cases.add_visit(tx, case_id, form.visited_on, form.label, form.treatment, user.username)
    except FormError as exc:
        return _refused(request, ctx, tx, case_id, exc, {"form": "visit"})
    return _see(f"/clinic/cases/{case_id}#course")


@router.post("/clinic/cases/{case_id}/link")
def new_link(case_id: int, request: Request, ctx: Ctx, user: CurrentUser, tx: Tx) -> Response:
    """A new private link for the patient; every earlier link of the case stops working."""
    token = intake.new_link_for(tx, case_id, ctx.settings.link_days, user.username)
    return _case_page(request, ctx, tx, case_id, {"new_link": ctx.patient_link(token)})


@router.post("/clinic/cases/{case_id}/link/revoke")
def revoke_link(case_id: int, request: Request, ctx: Ctx, user: CurrentUser, tx: Tx) -> Response:
    """End the patient's link (a lost phone, a wrong address); audited."""
    revoked = intake.revoke_links(tx, case_id, user.username)
    return _case_page(request, ctx, tx, case_id, {"links_revoked": revoked})


@router.post("/clinic/cases/{case_id}/videos")
def upload_video(
    case_id: int,
    request: Request,
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    file: Annotated[UploadFile | None, File()] = None,
    mirrored: Annotated[str, Form()] = "",
    visit_id: Annotated[str, Form()] = "",
) -> Response:
    try:
        add_video(
            request,
            ctx,
            tx,
            case_id,
            file,
            mirrored=mirrored == "yes",
            actor=user.username,
            visit_id=int(visit_id) if visit_id.isdigit() else None,
        )
    except InputError as exc:
        return _refused(request, ctx, tx, case_id, exc, {"form": "video"}, field="file")
    return _see(f"/clinic/cases/{case_id}#videos")


@router.post("/clinic/jobs/{job_id}/retry")
def retry(job_id: int, ctx: Ctx, tx: Tx, user: CurrentUser) -> Response:
    job = videos.retry(tx, job_id, user.username, ctx.runner.submit)
    return _see(f"/clinic/cases/{videos.case_of_job(tx, job.id)}#videos")


@router.get("/clinic/evidence")
def evidence(request: Request, user: CurrentUser) -> Response:
    return render(request, "clinic/evidence.html", {"limits": LIMITS})
