"""Patient API (no account): the consultation request and the private link."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Header, Request, UploadFile

from hemifacial.domain.status import CaseStatus
from hemifacial.errors import FormError
from hemifacial.services import forms, idempotency, intake, patients, reads
from hemifacial.services.views import StoredAssessment

from .. import schemas
from ..deps import Audit, Ctx, Read, Tx
from ..limits import limit_intake
from ..links import public_base
from ..uploads import add_video, check_length

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


@router.post(
    "/intake",
    status_code=201,
    response_model=schemas.IntakePublic,
    dependencies=[Depends(limit_intake)],
)
def submit_intake(
    body: schemas.IntakeCreate,
    request: Request,
    ctx: Ctx,
    tx: Tx,
    idempotency_key: Annotated[
        str | None,
        Header(description="a random key (a UUID): the same request sent again with the same "
               "key answers with the first one's case instead of making a second case"),
    ] = None,
) -> schemas.IntakePublic:  # fmt: skip
    """Send a whole consultation request; all or nothing (a bad field saves nothing)."""
    earlier = idempotency.claim(tx, "intake", idempotency_key)
    if earlier is not None:
        token = intake.new_link_for(tx, earlier, ctx.settings.link_days, "patient")
        stored = reads.latest_assessment(tx, earlier)
        return _intake_public(ctx, earlier, token, stored)
    unknown = sorted(set(body.answers) - set(forms.all_fields(ctx.kb)))
    if unknown:
        raise FormError({k: "unknown question" for k in unknown})
    contact = intake.Contact(**body.contact.model_dump())
    case, token = intake.start(tx, contact, ctx.settings.link_days)
    intake.save_draft(tx, ctx.kb, case.id, body.answers)
    stored = intake.submit(tx, ctx.kb, case.id)
    idempotency.bind(tx, "intake", idempotency_key, case.id)
    base = public_base(request)
    patients.send_link(tx, ctx.outbox, case.id, token, base, ctx.settings.link_days)
    patients.after_submit(tx, ctx.outbox, case.id, base)
    return _intake_public(ctx, case.id, token, stored)


def _intake_public(
    ctx: Ctx, case_id: int, token: str, stored: StoredAssessment
) -> schemas.IntakePublic:
    return schemas.IntakePublic(
        case_id=case_id,
        status=CaseStatus.NEW.value,
        link=ctx.patient_link(token),
        red_flags=[asdict(f) for f in stored.result.red_flags],
    )


@router.get("/patient/{token}")
def patient_case(token: str, ctx: Ctx, read: Read, audit: Audit) -> dict[str, Any]:
    """What the patient may see of their own case (no clinical ranking)."""
    home = intake.patient_home(read, ctx.kb, token)
    audit("patient", "link.view", home.case_id, via="api")
    return {
        "status": home.status.value,
        "name": home.name,
        "draft": dict(home.draft),
        "reference": home.reference,
        "advice": {"level": home.triage.level, "reasons": list(home.triage.reasons)}
        if home.triage
        else None,
        "steps": [{"id": st.id, "label": st.label, "state": st.state} for st in home.steps],
        "follow_up_questions": [  # in the patient's words
            {
                "finding_id": f.key,
                "question": f.question,
                "options": list(f.options),
                "labels": {o: f.label(o) for o in (*f.options, "unknown")},
                "unit": f.unit,
            }
            for f in patients.follow_up_fields(ctx.kb, home)
        ],
        "videos": [
            {"filename": v.filename, "status": v.status, "progress": v.progress, "error": v.error}
            for v in home.videos
        ],
    }


@router.put("/patient/{token}/draft", status_code=204)
def save_draft(token: str, body: schemas.DraftUpdate, ctx: Ctx, tx: Tx) -> None:
    """Save partial answers exactly as typed (autosave)."""
    intake.save_draft(tx, ctx.kb, intake.case_for_token(tx, token).id, body.answers)


@router.post("/patient/{token}/answers", status_code=201)
def answer_follow_ups(
    token: str, body: schemas.DraftUpdate, request: Request, ctx: Ctx, tx: Tx
) -> dict[str, list[str]]:
    """Answers to the follow-up questions: history and symptom findings only (a test result
    is refused with 403 naming it), nothing once the case is closed; an urgent red flag they
    raise alerts the clinic."""
    saved = intake.record_patient_answers(tx, ctx.kb, token, body.answers)
    case = intake.case_for_token(tx, token)
    patients.alert_if_urgent(tx, ctx.outbox, case.id, public_base(request))
    return {"saved": saved}


@router.post("/patient/{token}/videos", status_code=202)
def patient_video(
    token: str,
    request: Request,
    ctx: Ctx,
    tx: Tx,
    file: Annotated[UploadFile, File()],
    mirrored: Annotated[bool, Form()] = False,
    video_consent: Annotated[bool, Form()] = False,
) -> dict[str, str]:
    """A face video; refused (422) without the patient's consent to keep and measure it."""
    check_length(request, ctx)  # an over-long body is refused before anything else
    case_id = intake.writable_case_for_token(tx, token).id
    patients.require_video_consent(tx, case_id, video_consent)
    add_video(request, ctx, tx, case_id, file, mirrored=mirrored, actor="patient")
    return {"status": "queued", "message": "thank you: the video was received"}
