"""Patient pages: the consultation request (contact → history steps → review → send), the
private link's home page with follow-up questions, and the video upload."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from hemifacial.domain.status import CaseStatus
from hemifacial.errors import FormError, InputError, PatientFindingError
from hemifacial.services import forms, i18n, idempotency, intake, patients
from hemifacial.services.database import UnitOfWork

from ..deps import Audit, Ctx, FormFields, Read, Tx
from ..limits import limit_intake
from ..links import public_base
from ..render import render
from ..uploads import add_video

router = APIRouter(include_in_schema=False)


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/")
def landing(request: Request) -> Response:
    return render(request, "patient/landing.html", {})


def _start_page(
    request: Request, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    """The contact form, with a new one-time key: sending it twice makes one request."""
    data = {"values": values, "errors": errors, "submit_key": secrets.token_urlsafe(24)}
    return render(request, "patient/start.html", data, status)


@router.get("/request")
def start_form(request: Request) -> Response:
    return _start_page(request, {}, {})


class ContactForm(BaseModel):
    name: str = ""
    email: str = ""
    phone: str = ""
    birth_year: str = ""
    consent: str = ""
    video_consent: str = ""
    submit_key: str = ""


@router.post("/request", dependencies=[Depends(limit_intake)])
def start(request: Request, ctx: Ctx, tx: Tx, form: Annotated[ContactForm, Form()]) -> Response:
    values = form.model_dump(exclude={"submit_key"})  # all comes back, the boxes included
    earlier = idempotency.claim(tx, "request-form", form.submit_key)
    if earlier is not None:  # sent twice (a double click, a reload): the same request
        token = intake.new_link_for(tx, earlier, ctx.settings.link_days, "patient")
        return _see(f"/p/{token}")
    contact = intake.Contact(
        **form.model_dump(exclude={"consent", "video_consent", "submit_key"}),
        consent=form.consent == "yes",
        video_consent=form.video_consent == "yes",
        language=i18n.current(),  # the language the patient chose on the first page
    )
    try:
        case, token = intake.start(tx, contact, ctx.settings.link_days)
    except FormError as exc:
        tx.rollback()  # the key is free again for the corrected form
        return _start_page(request, values, exc.fields, 422)
    idempotency.bind(tx, "request-form", form.submit_key, case.id)
    patients.send_link(tx, ctx.outbox, case.id, token, public_base(request), ctx.settings.link_days)
    return _see(f"/p/{token}/history/1")


def _page(
    request: Request, template: str, token: str, data: dict[str, Any], status: int = 200
) -> Response:
    link = request.app.state.ctx.patient_link(token)
    return render(request, template, {"token": token, "link": link, **data}, status)


@router.get("/p/{token}", name="patient_home")
def home(token: str, request: Request, ctx: Ctx, read: Read, audit: Audit) -> Response:
    return _home(token, request, ctx, read, {}, 200, audit)


def _home(
    token: str,
    request: Request,
    ctx: Ctx,
    s: UnitOfWork,
    errors: dict[str, str],
    status: int,
    audit: Audit | None = None,
    message: str = "",
) -> Response:
    home = intake.patient_home(s, ctx.kb, token)
    if audit is not None:
        audit("patient", "link.view", home.case_id, page="home")
    if home.status == CaseStatus.DRAFT and not errors:
        return _see(f"/p/{token}/history/1")
    data = {
        "case": home,
        "questions": patients.follow_up_fields(ctx.kb, home),
        "videos": home.videos,
        "errors": errors,
        "sent": request.query_params.get("sent"),
        "uploaded": request.query_params.get("video"),
        "asked": request.query_params.get("asked"),
        "message": message,
        "values": {},
        "visible": lambda _f: True,
    }
    return _page(request, "patient/home.html", token, data, status)


@router.get("/p/{token}/history/{step}")
def history(
    token: str, step: int, request: Request, ctx: Ctx, read: Read, audit: Audit
) -> Response:
    case = intake.case_for_token(read, token)
    audit("patient", "link.view", case.id, page="history", step=step)
    if case.status != CaseStatus.DRAFT:
        return _see(f"/p/{token}")
    return _history(request, ctx, token, step, case.draft, {}, 200)


def _history(
    request: Request,
    ctx: Ctx,
    token: str,
    step: int,
    values: Mapping[str, str],
    errors: dict[str, str],
    status: int,
) -> Response:
    sections = forms.sections(ctx.kb)
    step = min(max(step, 1), len(sections))
    data = {
        "section": sections[step - 1],
        "step": step,
        "steps": len(sections),
        "sections": sections,
        "values": values,
        "errors": errors,
        "visible": lambda f: intake.visible(f, values),
    }
    return _page(request, "patient/history.html", token, data, status)


@router.post("/p/{token}/history/{step}")
def save_history(
    token: str, step: int, request: Request, ctx: Ctx, tx: Tx, form: FormFields
) -> Response:
    sections = forms.sections(ctx.kb)
    step = min(max(step, 1), len(sections))
    raw = {f.key: form.get(f.key, "") for f in sections[step - 1].fields}
    case = intake.case_for_token(tx, token)
    if case.status != CaseStatus.DRAFT:
        return _see(f"/p/{token}")
    draft = intake.save_draft(tx, ctx.kb, case.id, raw)  # saved even when something is wrong
    if form.get("go") == "back":
        return _see(f"/p/{token}/history/{max(step - 1, 1)}")
    _, _, errors = intake.validate_answers(ctx.kb, draft)
    mine = {k: v for k, v in errors.items() if k in raw or k == "_form"}
    if mine:
        return _history(request, ctx, token, step, draft, mine, 422)
    if step < len(sections):
        return _see(f"/p/{token}/history/{step + 1}")
    return _see(f"/p/{token}/review")


def _review(
    request: Request,
    ctx: Ctx,
    token: str,
    draft: Mapping[str, str],
    errors: dict[str, str],
    status: int,
) -> Response:
    _, _, found = intake.validate_answers(ctx.kb, draft)
    data = {
        "sections": forms.sections(ctx.kb),
        "values": draft,
        "errors": errors or found,
        "visible": lambda f: intake.visible(f, draft),
    }
    return _page(request, "patient/review.html", token, data, status)


@router.get("/p/{token}/review")
def review(token: str, request: Request, ctx: Ctx, read: Read, audit: Audit) -> Response:
    case = intake.case_for_token(read, token)
    audit("patient", "link.view", case.id, page="review")
    if case.status != CaseStatus.DRAFT:
        return _see(f"/p/{token}")
    return _review(request, ctx, token, case.draft, {}, 200)


@router.post("/p/{token}/submit")
def submit(token: str, request: Request, ctx: Ctx, tx: Tx) -> Response:
    case = intake.case_for_token(tx, token)
    if case.status != CaseStatus.DRAFT:
        return _see(f"/p/{token}")
    try:
        intake.submit(tx, ctx.kb, case.id)
    except FormError as exc:
        tx.rollback()
        return _review(request, ctx, token, case.draft, exc.fields, 422)
    patients.after_submit(tx, ctx.outbox, case.id, public_base(request))
    return _see(f"/p/{token}?sent=1")


@router.post("/p/{token}/answers")
def follow_up_answers(token: str, request: Request, ctx: Ctx, tx: Tx, form: FormFields) -> Response:
    answers = {k: v for k, v in form.items() if k in ctx.kb.findings}
    try:
        intake.record_patient_answers(tx, ctx.kb, token, answers)
    except FormError as exc:
        tx.rollback()
        return _home(
            token, request, ctx, tx, patients.plain_errors(ctx.kb, exc.fields), exc.http_status
        )
    except PatientFindingError as exc:  # a test result or a closed case: said in words
        tx.rollback()
        return _home(token, request, ctx, tx, {"_form": str(exc)}, exc.http_status)
    patients.alert_if_urgent(
        tx, ctx.outbox, intake.case_for_token(tx, token).id, public_base(request)
    )
    return _see(f"/p/{token}")


@router.get("/p/{token}/video")
def video_form(token: str, request: Request, ctx: Ctx, read: Read, audit: Audit) -> Response:
    home = intake.patient_home(read, ctx.kb, token)
    audit("patient", "link.view", home.case_id, page="video")
    return _page(request, "patient/video.html", token, {"error": None, "case": home})


@router.post("/p/{token}/video")
def upload(
    token: str,
    request: Request,
    ctx: Ctx,
    tx: Tx,
    file: Annotated[UploadFile | None, File()] = None,
    mirrored: Annotated[str, Form()] = "",
    video_consent: Annotated[str, Form()] = "",
) -> Response:
    case_id = intake.writable_case_for_token(tx, token).id
    try:
        patients.require_video_consent(tx, case_id, video_consent == "yes")
        add_video(request, ctx, tx, case_id, file, mirrored=mirrored == "yes", actor="patient")
    except InputError as exc:
        tx.rollback()
        home = intake.patient_home(tx, ctx.kb, token)
        data = {"error": _one(exc), "case": home}
        return _page(request, "patient/video.html", token, data, exc.http_status)
    return _see(f"/p/{token}?video=1")


def _one(exc: InputError) -> str:
    return next(iter(exc.fields.values())) if isinstance(exc, FormError) else str(exc)


class AskForm(BaseModel):
    kind: str = "message"
    message: str = ""


@router.post("/p/{token}/ask")
def ask(
    token: str, request: Request, ctx: Ctx, tx: Tx, form: Annotated[AskForm, Form()]
) -> Response:
    """A message, withdrawal of the video consent or a deletion request, for staff."""
    case = intake.case_for_token(tx, token)
    try:
        patients.ask(tx, ctx.outbox, case.id, form.kind, form.message, public_base(request))
    except FormError as exc:
        tx.rollback()
        return _home(token, request, ctx, tx, exc.fields, 422, message=form.message)
    return _see(f"/p/{token}?asked={form.kind}#ask")


@router.post("/p/{token}/video-consent")
def video_consent(token: str, ctx: Ctx, tx: Tx, consent: Annotated[str, Form()] = "") -> Response:
    """The separate consent to keep and measure a face video (asked before the upload)."""
    case = intake.case_for_token(tx, token)
    if consent == "yes":
        patients.give_video_consent(tx, case.id)
        return _see(f"/p/{token}/video")
    return _see(f"/p/{token}/video?consent=missing")


@router.post("/p/{token}/language")
def language(
    token: str,
    tx: Tx,
    lang: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    """The language switcher of the private link's pages: the case remembers the choice
    (for the e-mails staff trigger later), the browser's cookie too (``?lang=``)."""
    case = intake.case_for_token(tx, token)
    patients.set_language(tx, case.id, lang)
    here = f"/p/{token}"
    page = back if back == here or back.startswith(here + "/") else here
    code = i18n.known(lang) or i18n.current()
    return _see(f"{page.split('?')[0]}?lang={code}")
