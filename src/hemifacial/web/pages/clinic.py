"""Clinic pages (login required): dashboard, case page with its forms, evidence browser."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from hemifacial.db import repositories as repo
from hemifacial.db import revisions
from hemifacial.domain.knowledge.model import Finding, FindingType
from hemifacial.domain.reasoning.assess import LIMITS
from hemifacial.errors import InputError, NotFoundError
from hemifacial.services import accounts, cases, intake, videos, views
from hemifacial.services.accounts import LoginRequiredError

from ..auth import SESSION_COOKIE, check_csrf, end_session, require_user_and, start_session
from ..charts import course_svg
from ..deps import Ctx, CurrentUser
from ..render import render, render_cached
from ..uploads import check_length, queue_job, receive

router = APIRouter(include_in_schema=False)
EXAM_GROUPS = ("spasm", "associated", "history", "demographics")


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _safe_next(target: str) -> str:
    return target if target.startswith("/clinic") and "//" not in target else "/clinic"


@router.get("/login")
def login_form(request: Request) -> Response:
    nxt = _safe_next(request.query_params.get("next", "/clinic"))
    return render(request, "clinic/login.html", {"next": nxt, "error": None})


@router.post("/login")
async def login(request: Request, ctx: Ctx) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    nxt = _safe_next(str(form.get("next", "/clinic")))
    try:
        with ctx.tx() as s:
            token, _ = accounts.login(
                s, str(form.get("username", "")), str(form.get("password", ""))
            )
    except LoginRequiredError as exc:
        return render(request, "clinic/login.html", {"next": nxt, "error": str(exc)}, 401)
    response = _see(nxt)
    start_session(request, response, token)
    return response


@router.post("/logout")
async def logout(request: Request, ctx: Ctx) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    with ctx.tx() as s:
        accounts.logout(s, request.cookies.get(SESSION_COOKIE))
    response = _see("/login")
    end_session(response)
    return response


@router.get("/clinic")
def dashboard(request: Request, ctx: Ctx) -> Response:
    q = request.query_params
    status = q.get("status") or None
    if status not in (None, *cases.STATUSES):
        status = None
    page = int(q["page"]) if q.get("page", "").isdigit() else 1
    query = q.get("q", "")
    red = q.get("red") == "1"
    with ctx.read() as s:
        user, stamp = require_user_and(request, s, revisions.CLINIC_STAMP)
        ctx.view_log.record(user.username, "dashboard.view", q=query, status=status, page=page)
        revision = int(stamp or 0)

        def context() -> dict[str, Any]:
            data = repo.dashboard(
                s,
                counts=ctx.status_counts(s, revision),
                status=status,
                query=query or None,
                red_flags_only=red,
                page=page,
            )
            return {
                "page": data,
                "status": status,
                "q": query,
                "red": red,
                "statuses": cases.STATUSES,
            }

        return render_cached(
            request,
            "clinic/dashboard.html",
            key=f"dashboard\0{status}\0{red}\0{page}\0{query}",
            revision=revision,
            context=context,
        )


def _finding_groups(ctx: Ctx) -> dict[str, list[Finding]]:
    """The findings of the two result forms: test results, and the clinician's exam."""
    groups: dict[str, list[Finding]] | None = ctx.cache.get("finding_groups")
    if groups is None:
        groups = {
            "test": [f for f in ctx.kb.findings.values() if f.group == "tests"],
            "clinician": [f for f in ctx.kb.findings.values() if f.group in EXAM_GROUPS],
        }
        ctx.cache["finding_groups"] = groups
    return groups


def _blank_grids(ctx: Ctx) -> dict[str, Markup]:
    """The empty result forms (the same for every case), rendered once per process."""
    cached: dict[str, Markup] | None = ctx.cache.get("blank_grids")
    if cached is None:
        template = ctx.templates.env.get_template("clinic/_finding_input.html")
        cached = {
            name: Markup("").join(
                Markup(
                    template.render(
                        f=f,
                        form=None,
                        formname=name,
                        errors={},
                        submitted=None,
                        numeric=FindingType.NUMERIC,
                    )
                )
                for f in findings
            )
            for name, findings in _finding_groups(ctx).items()
        }
        ctx.cache["blank_grids"] = cached
    return cached


def _case_context(ctx: Ctx, view: views.CaseView) -> dict[str, Any]:
    groups = _finding_groups(ctx)
    return {
        "v": view,
        "c": view.case,
        "a": view.assessment,
        "statuses": cases.STATUSES,
        "exam_findings": groups["clinician"],
        "test_findings": groups["test"],
        "numeric": FindingType.NUMERIC,
        "limits": LIMITS,
        "chart": Markup(course_svg(view.course)),
        "errors": {},
        "form": None,
        "new_link": None,
        "blank_grids": _blank_grids(ctx),
    }


def _case_page(
    request: Request, ctx: Ctx, case_id: int, extra: dict[str, Any], status: int = 200
) -> Response:
    """The case page after a form post: with its errors or the new link (not cached)."""
    with ctx.tx() as s:
        view = views.case_view(s, ctx.kb, case_id)
    return render(request, "clinic/case.html", {**_case_context(ctx, view), **extra}, status)


@router.get("/clinic/cases/{case_id}")
def case_page(case_id: int, request: Request, ctx: Ctx) -> Response:
    with ctx.read() as s:
        user, revision = require_user_and(request, s, revisions.CASE_STAMP, case_id=case_id)
        if revision is None:
            raise NotFoundError(f"case {case_id} does not exist")
        ctx.view_log.record(user.username, "case.view", case_id)
        return render_cached(
            request,
            "clinic/case.html",
            key=f"case\0{case_id}",
            revision=revision,
            context=lambda: _case_context(ctx, views.case_view(s, ctx.kb, case_id)),
            shared=True,
        )


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    return {k: str(v) for k, v in form.items() if isinstance(v, str)}


@router.post("/clinic/cases/{case_id}/findings")
async def record(case_id: int, request: Request, ctx: Ctx, user: CurrentUser) -> Response:
    form = await _form(request)
    source = form.get("source", "clinician")
    raw = {k[2:]: v for k, v in form.items() if k.startswith("f.") and v.strip()}
    try:
        with ctx.tx() as s:
            cases.record_findings(s, ctx.kb, case_id, raw, source=source, actor=user.username)
    except cases.FormError as exc:
        return _case_page(
            request, ctx, case_id, {"errors": exc.fields, "form": source, "submitted": raw}, 422
        )
    except InputError as exc:
        return _case_page(
            request,
            ctx,
            case_id,
            {"errors": {"_form": str(exc)}, "form": source, "submitted": raw},
            422,
        )
    return _see(f"/clinic/cases/{case_id}#ranking")


@router.post("/clinic/cases/{case_id}/status")
async def set_status(case_id: int, request: Request, ctx: Ctx, user: CurrentUser) -> Response:
    form = await _form(request)
    with ctx.tx() as s:
        cases.set_status(s, case_id, form.get("status", ""), user.username)
    return _see(f"/clinic/cases/{case_id}")


@router.post("/clinic/cases/{case_id}/notes")
async def add_note(case_id: int, request: Request, ctx: Ctx, user: CurrentUser) -> Response:
    form = await _form(request)
    try:
        with ctx.tx() as s:
            cases.add_note(s, case_id, form.get("text", ""), user.username)
    except cases.FormError as exc:
        return _case_page(request, ctx, case_id, {"errors": exc.fields, "form": "note"}, 422)
    return _see(f"/clinic/cases/{case_id}#notes")


@router.post("/clinic/cases/{case_id}/visits")
async def add_visit(case_id: int, request: Request, ctx: Ctx, user: CurrentUser) -> Response:
    form = await _form(request)
    try:
        with ctx.tx() as s:
            cases.add_visit(
                s,
                case_id,
                form.get("visited_on", ""),
                form.get("label", ""),
                form.get("treatment", ""),
                user.username,
            )
    except cases.FormError as exc:
        return _case_page(request, ctx, case_id, {"errors": exc.fields, "form": "visit"}, 422)
    return _see(f"/clinic/cases/{case_id}#course")


@router.post("/clinic/cases/{case_id}/link")
async def new_link(case_id: int, request: Request, ctx: Ctx, user: CurrentUser) -> Response:
    await _form(request)
    with ctx.tx() as s:
        repo.get_case(s, case_id)
        token = intake.new_link(s, case_id, ctx.settings.link_days)
        repo.audit(s, user.username, "link.create", case_id)
    link = str(request.url_for("patient_home", token=token))
    return _case_page(request, ctx, case_id, {"new_link": link})


@router.post("/clinic/cases/{case_id}/videos")
async def upload_video(
    case_id: int,
    request: Request,
    ctx: Ctx,
    user: CurrentUser,
    csrf_token: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
    mirrored: Annotated[str, Form()] = "",
    visit_id: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    check_length(request, ctx)
    try:
        stored, name = await receive(ctx, file)
        with ctx.tx() as s:
            job = videos.add_video(
                s,
                case_id,
                stored,
                name,
                mirrored=mirrored == "yes",
                actor=user.username,
                visit_id=int(visit_id) if visit_id.isdigit() else None,
            )
            job_id = job.id
    except InputError as exc:
        return _case_page(
            request, ctx, case_id, {"errors": {"file": str(exc)}, "form": "video"}, exc.http_status
        )
    queue_job(ctx, job_id)
    return _see(f"/clinic/cases/{case_id}#videos")


@router.post("/clinic/jobs/{job_id}/retry")
async def retry(job_id: int, request: Request, ctx: Ctx, user: CurrentUser) -> Response:
    await _form(request)
    with ctx.tx() as s:
        job = videos.retry(s, job_id, user.username)
        case_id = repo.get_video(s, job.video_id).case_id
    queue_job(ctx, job_id)
    return _see(f"/clinic/cases/{case_id}#videos")


@router.get("/clinic/evidence")
def evidence(request: Request, ctx: Ctx, user: CurrentUser) -> Response:
    return render(request, "clinic/evidence.html", {"limits": LIMITS})
