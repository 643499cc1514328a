"""Patient pages: the consultation request (contact → history steps → review → send), the
private link's home page with follow-up questions, and the video upload."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from hemifacial.db import repositories as repo
from hemifacial.errors import InputError
from hemifacial.services import cases, forms, intake, videos

from ..auth import check_csrf
from ..deps import Ctx
from ..render import render
from ..uploads import check_length, queue_job, receive

router = APIRouter(include_in_schema=False)


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/")
def landing(request: Request) -> Response:
    return render(request, "patient/landing.html", {})


@router.get("/request")
def start_form(request: Request) -> Response:
    return render(request, "patient/start.html", {"values": {}, "errors": {}})


@router.post("/request")
async def start(request: Request, ctx: Ctx) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    values = {k: str(form.get(k, "")) for k in ("name", "email", "phone", "birth_year")}
    contact = intake.Contact(**values, consent=form.get("consent") == "yes")
    try:
        with ctx.tx() as s:
            _, token = intake.start(s, contact, ctx.settings.link_days)
    except cases.FormError as exc:
        return render(request, "patient/start.html", {"values": values, "errors": exc.fields}, 422)
    return _see(f"/p/{token}/history/1")


def _page(
    request: Request, template: str, token: str, data: dict[str, Any], status: int = 200
) -> Response:
    link = str(request.url_for("patient_home", token=token))
    return render(request, template, {"token": token, "link": link, **data}, status)


@router.get("/p/{token}", name="patient_home")
def home(token: str, request: Request, ctx: Ctx) -> Response:
    return _home(token, request, ctx, {}, 200)


def _home(token: str, request: Request, ctx: Ctx, errors: dict[str, str], status: int) -> Response:
    with ctx.tx() as s:
        case = intake.case_for_token(s, token)
        if case.status == "draft" and not errors:
            return _see(f"/p/{token}/history/1")
        eff = cases.effective_findings(ctx.kb, repo.findings_of(s, case.id))
        questions = intake.follow_ups(ctx.kb, case, eff.values)
        vids = repo.videos_of(s, case.id)
    return _page(
        request,
        "patient/home.html",
        token,
        {
            "case": case,
            "questions": questions,
            "videos": vids,
            "errors": errors,
            "sent": request.query_params.get("sent"),
            "uploaded": request.query_params.get("video"),
        },
        status,
    )


@router.get("/p/{token}/history/{step}")
def history(token: str, step: int, request: Request, ctx: Ctx) -> Response:
    with ctx.tx() as s:
        case = intake.case_for_token(s, token)
        if case.status != "draft":
            return _see(f"/p/{token}")
        draft = dict(case.draft or {})
    return _history(request, ctx, token, step, draft, {}, 200)


def _history(
    request: Request,
    ctx: Ctx,
    token: str,
    step: int,
    values: dict[str, str],
    errors: dict[str, str],
    status: int,
) -> Response:
    sections = forms.sections(ctx.kb)
    step = min(max(step, 1), len(sections))
    return _page(
        request,
        "patient/history.html",
        token,
        {
            "section": sections[step - 1],
            "step": step,
            "steps": len(sections),
            "sections": sections,
            "values": values,
            "errors": errors,
            "visible": lambda f: intake.visible(f, values),
        },
        status,
    )


@router.post("/p/{token}/history/{step}")
async def save_history(token: str, step: int, request: Request, ctx: Ctx) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    sections = forms.sections(ctx.kb)
    step = min(max(step, 1), len(sections))
    section = sections[step - 1]
    raw = {f.key: str(form.get(f.key, "")) for f in section.fields}
    with ctx.tx() as s:
        case = intake.case_for_token(s, token)
        if case.status != "draft":
            return _see(f"/p/{token}")
        intake.save_draft(s, ctx.kb, case, raw)  # saved even when something is wrong
        draft = dict(case.draft or {})
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
    draft: dict[str, str],
    errors: dict[str, str],
    status: int,
) -> Response:
    _, _, found = intake.validate_answers(ctx.kb, draft)
    return _page(
        request,
        "patient/review.html",
        token,
        {
            "sections": forms.sections(ctx.kb),
            "values": draft,
            "errors": errors or found,
            "visible": lambda f: intake.visible(f, draft),
        },
        status,
    )


@router.get("/p/{token}/review")
def review(token: str, request: Request, ctx: Ctx) -> Response:
    with ctx.tx() as s:
        case = intake.case_for_token(s, token)
        if case.status != "draft":
            return _see(f"/p/{token}")
        draft = dict(case.draft or {})
    return _review(request, ctx, token, draft, {}, 200)


@router.post("/p/{token}/submit")
async def submit(token: str, request: Request, ctx: Ctx) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    try:
        with ctx.tx() as s:
            case = intake.case_for_token(s, token)
            if case.status != "draft":
                return _see(f"/p/{token}")
            draft = dict(case.draft or {})
            intake.submit(s, ctx.kb, case)
    except cases.FormError as exc:
        return _review(request, ctx, token, draft, exc.fields, 422)
    return _see(f"/p/{token}?sent=1")


@router.post("/p/{token}/answers")
async def follow_up_answers(token: str, request: Request, ctx: Ctx) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    answers = {k: str(v) for k, v in form.items() if k in ctx.kb.findings and str(v).strip()}
    try:
        with ctx.tx() as s:
            case = intake.case_for_token(s, token)
            if answers:
                cases.record_findings(
                    s, ctx.kb, case.id, answers, source="patient", actor="patient"
                )
    except cases.FormError as exc:
        return _home(token, request, ctx, exc.fields, 422)
    return _see(f"/p/{token}")


@router.get("/p/{token}/video")
def video_form(token: str, request: Request, ctx: Ctx) -> Response:
    with ctx.tx() as s:
        intake.case_for_token(s, token)
    return _page(request, "patient/video.html", token, {"error": None})


@router.post("/p/{token}/video")
async def upload(
    token: str,
    request: Request,
    ctx: Ctx,
    csrf_token: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
    mirrored: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    check_length(request, ctx)
    with ctx.tx() as s:
        case_id = intake.case_for_token(s, token).id
    try:
        stored, name = await receive(ctx, file)
    except InputError as exc:
        return _page(request, "patient/video.html", token, {"error": str(exc)}, exc.http_status)
    with ctx.tx() as s:
        job = videos.add_video(
            s, case_id, stored, name, mirrored=mirrored == "yes", actor="patient"
        )
        job_id = job.id
    queue_job(ctx, job_id)
    return _see(f"/p/{token}?video=1")
