"""Patient API (no account): the consultation request and the private link."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile

from hemifacial.db import repositories as repo
from hemifacial.services import cases, forms, intake, videos

from .. import schemas
from ..deps import Ctx
from ..uploads import check_length, queue_job, receive

router = APIRouter(prefix="/api/v1", tags=["patient"])


@router.get("/intake/form")
def intake_form(ctx: Ctx) -> dict[str, Any]:
    """The questions of the consultation request, in order, with their branching."""
    return {
        "kb_version": ctx.kb.version,
        "sections": [
            {
                "id": sec.id,
                "title": sec.title,
                "intro": sec.intro,
                "fields": [
                    {
                        "key": f.key,
                        "question": f.question,
                        "kind": f.kind,
                        "options": list(f.options),
                        "unit": f.unit,
                        "show_if": list(f.show_if) if f.show_if else None,
                    }
                    for f in sec.fields
                ],
            }
            for sec in forms.sections(ctx.kb)
        ],
    }


@router.post("/intake", status_code=201, response_model=schemas.IntakePublic)
def submit_intake(body: schemas.IntakeCreate, request: Request, ctx: Ctx) -> schemas.IntakePublic:
    """Send a whole consultation request; all or nothing (a bad field saves nothing)."""
    contact = intake.Contact(**body.contact.model_dump())
    with ctx.tx() as s:
        case, token = intake.start(s, contact, ctx.settings.link_days)
        intake.save_draft(s, ctx.kb, case, body.answers)
        unknown = sorted(set(body.answers) - set(forms.all_fields(ctx.kb)))
        if unknown:
            raise cases.FormError({k: "unknown question" for k in unknown})
        row = intake.submit(s, ctx.kb, case)
        out = schemas.IntakePublic(
            case_id=case.id,
            status=case.status,
            link=str(request.url_for("patient_home", token=token)),
            red_flags=row.result["red_flags"],
        )
    return out


@router.get("/patient/{token}")
def patient_case(token: str, ctx: Ctx) -> dict[str, Any]:
    """What the patient may see of their own case (no clinical ranking)."""
    with ctx.tx() as s:
        case = intake.case_for_token(s, token)
        eff = cases.effective_findings(ctx.kb, repo.findings_of(s, case.id))
        questions = intake.follow_ups(ctx.kb, case, eff.values) if case.status != "draft" else []
        vids = repo.videos_of(s, case.id)
        return {
            "status": case.status,
            "name": case.patient_name,
            "draft": case.draft if case.status == "draft" else {},
            "follow_up_questions": [
                {
                    "finding_id": q.finding_id,
                    "question": q.text,
                    "options": list(q.options),
                    "unit": q.unit,
                }
                for q in questions
            ],
            "videos": [
                {
                    "filename": v.video.filename,
                    "status": v.job.status if v.job else "stored",
                    "progress": v.job.progress if v.job else 1.0,
                    "error": v.job.error if v.job else None,
                }
                for v in vids
            ],
        }


@router.put("/patient/{token}/draft", status_code=204)
def save_draft(token: str, body: schemas.DraftUpdate, ctx: Ctx) -> None:
    """Save partial answers exactly as typed (autosave)."""
    with ctx.tx() as s:
        case = intake.case_for_token(s, token)
        intake.save_draft(s, ctx.kb, case, body.answers)


@router.post("/patient/{token}/answers", status_code=201)
def answer_follow_ups(token: str, body: schemas.DraftUpdate, ctx: Ctx) -> dict[str, list[str]]:
    with ctx.tx() as s:
        case = intake.case_for_token(s, token)
        answers = {k: v for k, v in body.answers.items() if v.strip()}
        cases.record_findings(s, ctx.kb, case.id, answers, source="patient", actor="patient")
    return {"saved": sorted(answers)}


@router.post("/patient/{token}/videos", status_code=202)
async def patient_video(
    token: str,
    request: Request,
    ctx: Ctx,
    file: Annotated[UploadFile, File()],
    mirrored: Annotated[bool, Form()] = False,
) -> dict[str, str]:
    check_length(request, ctx)
    with ctx.tx() as s:
        case_id = intake.case_for_token(s, token).id
    stored, name = await receive(ctx, file)
    with ctx.tx() as s:
        job = videos.add_video(s, case_id, stored, name, mirrored=mirrored, actor="patient")
        job_id = job.id
    warning = queue_job(ctx, job_id)
    return {"status": "queued", "message": warning or "thank you: the video was received"}
