"""Clinic API: session, cases, findings, notes, status, visits, videos, jobs (login needed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from hemifacial.errors import PermissionDeniedError
from hemifacial.services import accounts, cases, erasure, intake, patients, reads, videos, worklist

from .. import schemas
from ..auth import SESSION_COOKIE, end_session, start_session
from ..csrf import csrf_token, token_for_session
from ..deps import Audit, Ctx, CurrentUser, Read, Tx
from ..links import public_base
from ..render import revalidated_json
from ..signin import log_in
from ..uploads import add_video

router = APIRouter(prefix="/api/v1", tags=["clinic"])


@router.post("/session", response_model=schemas.SessionPublic)
async def login(
    body: schemas.LoginRequest, request: Request, response: Response, tx: Tx
) -> schemas.SessionPublic:
    """Log in; the session cookie is set, and the CSRF token to echo is returned.

    Administrators, clinicians and auditors send ``otp`` too; one whose second factor is not
    set up yet does that in the browser first (403 here). Failed logins are limited per
    account and per address (429 with Retry-After)."""
    token, info = await log_in(request, tx, body.username, body.password, body.otp)
    if info.stage != "full":
        await run_in_threadpool(accounts.logout, tx, token)
        raise PermissionDeniedError(
            "set up your second factor first: log in once in the browser at /login"
        )
    start_session(request, response, token)
    return schemas.SessionPublic(
        username=info.username,
        display_name=info.display_name,
        role=info.role,
        csrf_token=token_for_session(request, token),
    )


@router.get("/session", response_model=schemas.SessionPublic)
def whoami(request: Request, user: CurrentUser) -> schemas.SessionPublic:
    return schemas.SessionPublic(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        csrf_token=csrf_token(request),
    )


@router.delete("/session", status_code=204)
def logout(request: Request, tx: Tx, user: CurrentUser) -> Response:
    accounts.logout(tx, request.cookies.get(SESSION_COOKIE))
    response = Response(status_code=204)
    end_session(request, response)
    return response


@router.get("/cases", response_model=schemas.DashboardPublic)
def list_cases(
    request: Request,
    ctx: Ctx,
    user: CurrentUser,
    read: Read,
    audit: Audit,
    view: Annotated[str | None, Query(description="submitted, drafts or duplicates")] = None,
    status: Annotated[str | None, Query(description="one of the submitted statuses")] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    red: Annotated[str | None, Query(description="soon (soon or urgent) or urgent")] = None,
    sex: str | None = None,
    side: Annotated[str | None, Query(description="left, right or both")] = None,
    video: Annotated[str | None, Query(description="none, queued, running, failed, done")] = None,
    assignee: Annotated[str | None, Query(description="me, none or a username")] = None,
    cause: Annotated[str | None, Query(description="a condition id: the leading cause")] = None,
    unread: Annotated[str | None, Query(description="1: only cases new since you looked")] = None,
    sort: Annotated[str | None, Query(description=", ".join(worklist.SORTS))] = None,
    order: Annotated[str | None, Query(description="asc or desc")] = None,
    page: Annotated[str | None, Query(description="1, 2, …")] = None,
    red_flags: Annotated[str | None, Query(description="true: the old name of red=soon")] = None,
) -> schemas.DashboardPublic:
    """The worklist, 50 per page: red flags first, then most recently changed, unless
    ``sort`` says otherwise. A value a parameter does not take is refused (400); the
    parameters are read (and checked) by the service, so each is text here."""
    params = dict(request.query_params)
    if (red_flags or "").lower() in ("1", "true", "yes") and not red:
        params["red"] = "soon"
    query = worklist.parse_query(ctx.kb, params, strict=True)
    if query.unread or query.sort == "unread":  # the database must know the latest views
        ctx.db.seen.flush()
    pending = ctx.db.seen.pending(user.username)
    generation = ctx.db.cases_generation()
    data = worklist.dashboard(
        read, ctx.kb, query, user.username, pending, generation=generation, cache=ctx.views
    )
    shown = [row.id for row in data.rows]  # the cases shown, never the search text
    audit(user.username, "cases.list", cases=shown, searched=bool(query.q), page=query.page,
          view=query.view, via="api")  # fmt: skip
    return schemas.dashboard_public(data)


@router.put("/cases/{case_id}/assignee", response_model=schemas.AssigneePublic)
def assign_case(
    case_id: int, body: schemas.AssigneeUpdate, tx: Tx, user: CurrentUser
) -> schemas.AssigneePublic:
    """Assign the case to a clinician (``null`` or "" for nobody); audited."""
    who = worklist.assign(tx, case_id, body.assignee or "", user.username)
    return schemas.AssigneePublic(case_id=case_id, assignee=who)


@router.get("/cases/{case_id}", response_model=schemas.CasePublic)
def get_case(
    case_id: int, request: Request, ctx: Ctx, user: CurrentUser, read: Read, audit: Audit
) -> Response | schemas.CasePublic:
    """The whole case; with If-None-Match, 304 while the case is unchanged."""
    audit(user.username, "case.view", case_id, via="api")
    revision = reads.case_revision(read, case_id)
    return revalidated_json(
        request,
        "api-case",
        case_id,
        revision,
        lambda: schemas.case_public(
            reads.case_view_at(read, ctx.kb, case_id, revision, ctx.views)
        ).model_dump_json(),
    )


@router.delete("/cases/{case_id}")
def delete_case(case_id: int, ctx: Ctx, tx: Tx, user: CurrentUser) -> dict[str, int]:
    """Delete the patient: the case, all its data, videos and plots (administrators; audited
    without the patient's name)."""
    done = erasure.delete_patient(tx, ctx.settings, case_id, user.username)
    return {"case_id": done.case_id, "findings": done.findings, "videos": done.videos}


@router.post("/cases/{case_id}/anonymise")
def anonymise_case(case_id: int, ctx: Ctx, tx: Tx, user: CurrentUser) -> dict[str, int]:
    """Keep the findings, remove what identifies the patient (administrators; audited)."""
    done = erasure.anonymise_patient(tx, ctx.settings, case_id, user.username)
    return {"case_id": done.case_id, "findings": done.findings, "videos": done.videos}


@router.patch("/cases/{case_id}", response_model=schemas.CaseSummary)
def update_case(
    case_id: int, body: schemas.CaseUpdate, request: Request, ctx: Ctx, tx: Tx, user: CurrentUser
) -> schemas.CaseSummary:
    """Set the status; the patient is told by e-mail (after commit)."""
    header = cases.set_status(tx, case_id, body.status, user.username)
    patients.status_news(tx, ctx.outbox, case_id, public_base(request))
    return schemas.case_summary(header)


@router.post("/cases/{case_id}/findings", status_code=201)
def add_findings(
    case_id: int, body: schemas.FindingsCreate, ctx: Ctx, tx: Tx, user: CurrentUser
) -> dict[str, Any]:
    """Record exam findings or test results; the case is re-ranked at once."""
    findings = {
        k: v.model_dump() if isinstance(v, schemas.UncertainValue) else v
        for k, v in body.findings.items()
    }
    stored = cases.record_findings(
        tx, ctx.kb, case_id, findings, source=body.source, actor=user.username
    )
    out = schemas.assessment_public(stored)
    return out.model_dump(exclude={"created_at"})


@router.get("/cases/{case_id}/assessment", response_model=schemas.AssessmentPublic)
def get_assessment(
    case_id: int, ctx: Ctx, read: Read, user: CurrentUser, audit: Audit
) -> schemas.AssessmentPublic:
    audit(user.username, "assessment.view", case_id, via="api")
    return schemas.assessment_public(reads.latest_assessment(read, case_id))


@router.post("/cases/{case_id}/notes", status_code=201)
def add_note(case_id: int, body: schemas.NoteCreate, tx: Tx, user: CurrentUser) -> dict[str, int]:
    return {"id": cases.add_note(tx, case_id, body.text, user.username).id}


@router.post("/cases/{case_id}/visits", status_code=201)
def add_visit(case_id: int, body: schemas.VisitCreate, tx: Tx, user: CurrentUser) -> dict[str, int]:
    visit = cases.add_visit(tx, case_id, body.visited_on, body.label, body.treatment, user.username)
    return {"id": visit.id}


@router.post("/cases/{case_id}/link", status_code=201)
def new_patient_link(
    case_id: int, request: Request, ctx: Ctx, tx: Tx, user: CurrentUser
) -> dict[str, str]:
    """A new private link for the patient (shown once; the clinic sends it); every earlier
    link of the case stops working."""
    token = intake.new_link_for(tx, case_id, ctx.settings.link_days, user.username)
    return {"link": ctx.patient_link(token)}


@router.delete("/cases/{case_id}/link")
def revoke_patient_link(case_id: int, tx: Tx, user: CurrentUser) -> dict[str, int]:
    """Revoke the patient's link (audited); the patient gets a new one when the clinic
    makes one."""
    return {"revoked": intake.revoke_links(tx, case_id, user.username)}


@router.post("/cases/{case_id}/videos", status_code=202, response_model=schemas.JobPublic)
def upload_video(
    case_id: int,
    request: Request,
    ctx: Ctx,
    tx: Tx,
    user: CurrentUser,
    file: Annotated[UploadFile, File(description="MP4, MOV or WebM from a phone")],
    mirrored: Annotated[bool, Form()] = False,
    visit_id: Annotated[int | None, Form()] = None,
) -> schemas.JobPublic:
    return add_video(
        request, ctx, tx, case_id, file, mirrored=mirrored, actor=user.username, visit_id=visit_id
    )


@router.get("/jobs/{job_id}", response_model=schemas.JobPublic)
def get_job(job_id: int, read: Read, user: CurrentUser, audit: Audit) -> schemas.JobPublic:
    job = reads.job(read, job_id)
    audit(user.username, "job.view", videos.case_of_job(read, job_id), job_id=job_id)
    return job


@router.post("/jobs/{job_id}/retry", response_model=schemas.JobPublic)
def retry_job(job_id: int, ctx: Ctx, tx: Tx, user: CurrentUser) -> schemas.JobPublic:
    return videos.retry(tx, job_id, user.username, ctx.runner.submit)


@router.get("/videos/{video_id}/analysis")
def get_analysis(video_id: int, read: Read, user: CurrentUser, audit: Audit) -> dict[str, Any]:
    analysis = reads.analysis(read, video_id)
    audit(user.username, "analysis.view", videos.case_of_video(read, video_id), video_id=video_id)
    return analysis.result.to_dict()


@router.get("/videos/{video_id}/timeline.png", response_class=FileResponse)
def timeline(video_id: int, ctx: Ctx, read: Read, user: CurrentUser, audit: Audit) -> FileResponse:
    path = videos.timeline_file(read, ctx.settings, video_id)
    audit(user.username, "plot.view", videos.case_of_video(read, video_id), video_id=video_id)
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "private"})
