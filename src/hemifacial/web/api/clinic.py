"""Clinic API: session, cases, findings, notes, status, visits, videos, jobs (login needed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse

from hemifacial.db import repositories as repo
from hemifacial.db import revisions
from hemifacial.errors import NotFoundError
from hemifacial.services import accounts, cases, intake, videos, views

from .. import schemas
from ..auth import SESSION_COOKIE, end_session, require_user_and, start_session
from ..deps import ApiUser, Ctx, CurrentUser
from ..uploads import check_length, queue_job, receive

router = APIRouter(prefix="/api/v1", tags=["clinic"])


@router.post("/session", response_model=schemas.SessionPublic)
def login(
    body: schemas.LoginRequest, request: Request, response: Response, ctx: Ctx
) -> schemas.SessionPublic:
    """Log in; the session cookie is set, and the CSRF token to echo is returned."""
    with ctx.tx() as s:
        token, info = accounts.login(s, body.username, body.password)
    start_session(request, response, token)
    return schemas.SessionPublic(
        username=info.username,
        display_name=info.display_name,
        role=info.role,
        csrf_token=request.state.csrf,
    )


@router.get("/session", response_model=schemas.SessionPublic)
def whoami(request: Request, user: CurrentUser) -> schemas.SessionPublic:
    from ..auth import csrf_token

    return schemas.SessionPublic(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        csrf_token=csrf_token(request),
    )


@router.delete("/session", status_code=204)
def logout(request: Request, ctx: Ctx, user: ApiUser) -> Response:
    with ctx.tx() as s:
        accounts.logout(s, request.cookies.get(SESSION_COOKIE))
    response = Response(status_code=204)
    end_session(response)
    return response


@router.get("/cases", response_model=schemas.DashboardPublic)
def list_cases(
    request: Request,
    ctx: Ctx,
    status: Annotated[str | None, Query(description="one of the case statuses")] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    red_flags: bool = False,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """The dashboard: red flags first, then most recently changed (50 per page)."""
    if status and status not in cases.STATUSES:
        raise cases.FormError({"status": f"must be one of {', '.join(cases.STATUSES)}"})
    with ctx.read() as s:
        user, stamp = require_user_and(request, s, revisions.CLINIC_STAMP)
        ctx.view_log.record(user.username, "cases.list", q=q, status=status, page=page)
        revision = int(stamp or 0)
        key = f"api-cases\0{status}\0{q}\0{red_flags}\0{page}"

        def body() -> dict[str, str]:
            data = repo.dashboard(
                s,
                counts=ctx.status_counts(s, revision),
                status=status,
                query=q,
                red_flags_only=red_flags,
                page=page,
            )
            return {"json": schemas.dashboard_public(data).model_dump_json()}

        cached = ctx.pages.fetch(key, revision, body)
    return Response(cached.blocks["json"], media_type="application/json")


@router.get("/cases/{case_id}", response_model=schemas.CasePublic)
def get_case(case_id: int, ctx: Ctx, user: CurrentUser) -> schemas.CasePublic:
    with ctx.tx() as s:
        view = views.case_view(s, ctx.kb, case_id)
        ctx.view_log.record(user.username, "case.view", case_id, via="api")
        return schemas.case_public(view)


@router.patch("/cases/{case_id}", response_model=schemas.CaseSummary)
def update_case(
    case_id: int, body: schemas.CaseUpdate, ctx: Ctx, user: ApiUser
) -> schemas.CaseSummary:
    with ctx.tx() as s:
        return schemas.case_summary(cases.set_status(s, case_id, body.status, user.username))


@router.post("/cases/{case_id}/findings", status_code=201)
def add_findings(
    case_id: int, body: schemas.FindingsCreate, ctx: Ctx, user: ApiUser
) -> dict[str, Any]:
    """Record exam findings or test results; the case is re-ranked at once."""
    with ctx.tx() as s:
        row = cases.record_findings(
            s, ctx.kb, case_id, body.findings, source=body.source, actor=user.username
        )
        return {
            "assessment_id": row.id,
            "kb_version": row.kb_version,
            "kb_hash": row.kb_hash,
            "assessment": row.result,
        }


@router.get("/cases/{case_id}/assessment")
def get_assessment(case_id: int, ctx: Ctx, user: CurrentUser) -> dict[str, Any]:
    with ctx.tx() as s:
        repo.get_case(s, case_id)
        ctx.view_log.record(user.username, "assessment.view", case_id, via="api")
        row = repo.latest_assessment(s, case_id)
        if row is None:
            raise NotFoundError(f"case {case_id} has no assessment yet")
        return {
            "assessment_id": row.id,
            "kb_version": row.kb_version,
            "kb_hash": row.kb_hash,
            "created_at": row.created_at.isoformat(timespec="seconds"),
            "assessment": row.result,
        }


@router.post("/cases/{case_id}/notes", status_code=201)
def add_note(case_id: int, body: schemas.NoteCreate, ctx: Ctx, user: ApiUser) -> dict[str, int]:
    with ctx.tx() as s:
        note = cases.add_note(s, case_id, body.text, user.username)
        return {"id": note.id}


@router.post("/cases/{case_id}/visits", status_code=201)
def add_visit(case_id: int, body: schemas.VisitCreate, ctx: Ctx, user: ApiUser) -> dict[str, int]:
    with ctx.tx() as s:
        visit = cases.add_visit(
            s, case_id, body.visited_on, body.label, body.treatment, user.username
        )
        return {"id": visit.id}


@router.post("/cases/{case_id}/link", status_code=201)
def new_patient_link(case_id: int, request: Request, ctx: Ctx, user: ApiUser) -> dict[str, str]:
    """A new private link for the patient (shown once; the clinic sends it)."""
    with ctx.tx() as s:
        repo.get_case(s, case_id)
        token = intake.new_link(s, case_id, ctx.settings.link_days)
        repo.audit(s, user.username, "link.create", case_id)
    return {"link": str(request.url_for("patient_home", token=token))}


@router.post("/cases/{case_id}/videos", status_code=202, response_model=schemas.JobPublic)
async def upload_video(
    case_id: int,
    request: Request,
    ctx: Ctx,
    user: ApiUser,
    file: Annotated[UploadFile, File(description="MP4, MOV or WebM from a phone")],
    mirrored: Annotated[bool, Form()] = False,
    visit_id: Annotated[int | None, Form()] = None,
) -> schemas.JobPublic:
    check_length(request, ctx)
    stored, name = await receive(ctx, file)
    with ctx.tx() as s:
        job = videos.add_video(
            s, case_id, stored, name, mirrored=mirrored, actor=user.username, visit_id=visit_id
        )
        out = schemas.job_public(job)
    queue_job(ctx, out.id)
    return out


@router.get("/jobs/{job_id}", response_model=schemas.JobPublic)
def get_job(job_id: int, ctx: Ctx, user: CurrentUser) -> schemas.JobPublic:
    with ctx.tx() as s:
        return schemas.job_public(repo.get_job(s, job_id))


@router.post("/jobs/{job_id}/retry", response_model=schemas.JobPublic)
def retry_job(job_id: int, ctx: Ctx, user: ApiUser) -> schemas.JobPublic:
    with ctx.tx() as s:
        out = schemas.job_public(videos.retry(s, job_id, user.username))
    queue_job(ctx, job_id)
    return out


@router.get("/videos/{video_id}/analysis")
def get_analysis(video_id: int, ctx: Ctx, user: CurrentUser) -> dict[str, Any]:
    with ctx.tx() as s:
        repo.get_video(s, video_id)
        a = repo.analysis_of(s, video_id)
        if a is None:
            raise NotFoundError(f"video {video_id} has not been analysed yet")
        return a.result


@router.get("/videos/{video_id}/timeline.png", response_class=FileResponse)
def timeline(video_id: int, ctx: Ctx, user: CurrentUser) -> FileResponse:
    with ctx.tx() as s:
        repo.get_video(s, video_id)
        a = repo.analysis_of(s, video_id)
        if a is None or not a.plot_file:
            raise NotFoundError(f"video {video_id} has no timeline plot yet")
        path = ctx.settings.plot_dir / a.plot_file
    if not path.is_file():
        raise NotFoundError(f"the timeline plot of video {video_id} is missing")
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "private"})
