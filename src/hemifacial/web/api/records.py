"""Clinician's record API: dated test results (with an optional attachment), and
corrections of notes, visits and findings — the JSON side of ``pages/records.py``, through
the same services (every write audited there). A write that can move the ranking answers
with what changed in it, as the case page's confirmation does."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response
from pydantic import TypeAdapter, ValidationError

from hemifacial.errors import FormError, NotFoundError
from hemifacial.services import edits, reads, results
from hemifacial.services.database import UnitOfWork

from .. import schemas_records as sr
from ..deps import Audit, Ctx, CurrentUser, Read, Tx
from ..render import revalidated_json
from ..schemas import FindingValue, UncertainValue
from ..uploads import attachment_download, check_length, receive_attachment

router = APIRouter(prefix="/api/v1", tags=["records"])
_FINDINGS = TypeAdapter(dict[str, FindingValue])


def _findings(raw: str) -> dict[str, Any]:
    try:
        parsed = _FINDINGS.validate_python(json.loads(raw or "{}"))
    except (ValueError, ValidationError):
        raise FormError(
            {"findings": 'a JSON object: finding id → value, e.g. {"mri_nvc": "yes"}'}
        ) from None
    return {k: v.model_dump() if isinstance(v, UncertainValue) else v for k, v in parsed.items()}


def _saved(s: UnitOfWork, case_id: int, since: int | None) -> dict[str, Any]:
    now = results.latest_assessment_id(s, case_id)
    return {
        "case_id": case_id,
        "assessment_id": now,
        "changed": reads.changes_since(s, case_id, since),
    }


def _result(s: UnitOfWork, ctx: Ctx, case_id: int, result_id: int) -> sr.ResultPublic:
    view = reads.case_view(s, ctx.kb, case_id)
    found = next((r for r in view.results if r.id == result_id), None)
    if found is None:
        raise NotFoundError(f"case {case_id} has no test result {result_id}")
    return sr.result_public(found)


def _of_case(case_id: int, found: int) -> None:
    """A row addressed under the wrong case is not found there (no cross-case edits)."""
    if found != case_id:
        raise NotFoundError(f"that record does not belong to case {case_id}")


@router.get("/cases/{case_id}/results", response_model=list[sr.ResultPublic])
def list_results(
    case_id: int, request: Request, ctx: Ctx, user: CurrentUser, read: Read, audit: Audit
) -> Response:
    """The case's dated test results, newest first as stored, each with its findings;
    with If-None-Match, 304 while the case is unchanged."""
    audit(user.username, "results.view", case_id, via="api")
    revision = reads.case_revision(read, case_id)

    def body() -> str:
        view = reads.case_view_at(read, ctx.kb, case_id, revision, ctx.views)
        return json.dumps([sr.result_public(r).model_dump() for r in view.results])

    return revalidated_json(request, "api-results", case_id, revision, body)


@router.post("/cases/{case_id}/results", status_code=201, response_model=sr.ResultSaved)
def add_result(
    case_id: int,
    request: Request,
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    performed_on: Annotated[str, Form(max_length=40, description="ISO date, not future")],
    test_id: Annotated[str, Form(max_length=80, description="a test of GET /api/v1/kb")] = "",
    report: Annotated[str, Form(max_length=20_000)] = "",
    findings: Annotated[
        str, Form(max_length=20_000, description="JSON: finding id → value or {value, certainty}")
    ] = "{}",
    attachment: Annotated[UploadFile | None, File(description="PDF, PNG or JPEG")] = None,
) -> sr.ResultSaved:
    """A dated test result (multipart form): its test, day, report, optional attachment and
    the findings read from it (source "test"); the case is re-ranked and the answer says
    what changed. Audited as ``result.add``."""
    check_length(request, ctx)
    raw = _findings(findings)
    since = results.latest_assessment_id(tx, case_id)
    results.add_result(
        tx, ctx.kb, case_id, test_id=test_id, performed_on=performed_on, report=report,
        findings=raw, attachment=receive_attachment(ctx, attachment), actor=user.username,
    )  # fmt: skip
    newest = max(reads.case_view(tx, ctx.kb, case_id).results, key=lambda r: r.id)
    return sr.ResultSaved(**_saved(tx, case_id, since), result=sr.result_public(newest))


@router.get("/results/{result_id}/attachment", response_class=FileResponse)
def result_attachment(
    result_id: int, ctx: Ctx, user: CurrentUser, read: Read, audit: Audit
) -> Response:
    """The result's attachment, only ever as a download (audited)."""
    found = results.attachment_file(read, ctx.settings, result_id)
    audit(user.username, "result.attachment", found.case_id, result_id=result_id, via="api")
    return attachment_download(found)


@router.patch("/cases/{case_id}/results/{result_id}", response_model=sr.ResultPublic)
def edit_result(
    case_id: int, result_id: int, body: sr.ResultUpdate, ctx: Ctx, user: CurrentUser, tx: Tx
) -> sr.ResultPublic:
    """Correct a result's test, day or report (audited as ``result.edit``)."""
    _of_case(case_id, results.case_of_result(tx, result_id))
    old = _result(tx, ctx, case_id, result_id)
    results.edit_result(
        tx,
        ctx.kb,
        result_id,
        test_id=old.test_id if body.test_id is None else body.test_id,
        performed_on=old.performed_on if body.performed_on is None else body.performed_on,
        report=old.report if body.report is None else body.report,
        actor=user.username,
    )
    return _result(tx, ctx, case_id, result_id)


@router.delete("/cases/{case_id}/results/{result_id}", response_model=sr.Deleted)
def delete_result(case_id: int, result_id: int, ctx: Ctx, user: CurrentUser, tx: Tx) -> sr.Deleted:
    """Remove a result and its findings; re-ranked (audited as ``result.delete``)."""
    _of_case(case_id, results.case_of_result(tx, result_id))
    since = results.latest_assessment_id(tx, case_id)
    results.delete_result(tx, ctx.kb, result_id, user.username, ctx.settings)
    return sr.Deleted(**_saved(tx, case_id, since), deleted=result_id)


@router.patch("/cases/{case_id}/notes/{note_id}", response_model=sr.NotePublic)
def edit_note(
    case_id: int, note_id: int, body: sr.NoteUpdate, user: CurrentUser, tx: Tx
) -> sr.NotePublic:
    """Correct a note (audited with the old text as ``note.edit``)."""
    _of_case(case_id, edits.case_of(tx, "note", note_id))
    edits.edit_note(tx, note_id, body.text, user.username)
    return sr.NotePublic(id=note_id, case_id=case_id, text=body.text.strip())


@router.delete("/cases/{case_id}/notes/{note_id}", response_model=sr.Deleted)
def delete_note(case_id: int, note_id: int, user: CurrentUser, tx: Tx) -> sr.Deleted:
    _of_case(case_id, edits.case_of(tx, "note", note_id))
    edits.delete_note(tx, note_id, user.username)
    return sr.Deleted(case_id=case_id, assessment_id=None, changed=[], deleted=note_id)


@router.patch("/cases/{case_id}/visits/{visit_id}", response_model=sr.VisitPublic)
def edit_visit(
    case_id: int, visit_id: int, body: sr.VisitUpdate, user: CurrentUser, tx: Tx
) -> sr.VisitPublic:
    """Correct a visit's day (not in the future), label or treatment (``visit.edit``)."""
    _of_case(case_id, edits.case_of(tx, "visit", visit_id))
    new = edits.edit_visit(tx, visit_id, body.visited_on, body.label, body.treatment, user.username)
    return sr.VisitPublic(
        id=new.id, case_id=case_id, visited_on=new.visited_on.isoformat(),
        label=new.label, treatment=new.treatment,
    )  # fmt: skip


@router.delete("/cases/{case_id}/visits/{visit_id}", response_model=sr.Deleted)
def delete_visit(case_id: int, visit_id: int, user: CurrentUser, tx: Tx) -> sr.Deleted:
    """Remove a visit; its videos stay, without a visit (``visit.delete``)."""
    _of_case(case_id, edits.case_of(tx, "visit", visit_id))
    edits.delete_visit(tx, visit_id, user.username)
    return sr.Deleted(case_id=case_id, assessment_id=None, changed=[], deleted=visit_id)


@router.patch("/cases/{case_id}/findings/{row_id}", response_model=sr.Saved)
def edit_finding(
    case_id: int, row_id: int, body: sr.FindingUpdate, ctx: Ctx, user: CurrentUser, tx: Tx
) -> sr.Saved:
    """Correct one stored finding (validated against the case); re-ranked."""
    _of_case(case_id, edits.case_of(tx, "finding", row_id))
    since = results.latest_assessment_id(tx, case_id)
    edits.edit_finding(tx, ctx.kb, row_id, body.value, user.username)
    return sr.Saved(**_saved(tx, case_id, since))


@router.delete("/cases/{case_id}/findings/{row_id}", response_model=sr.Deleted)
def delete_finding(case_id: int, row_id: int, ctx: Ctx, user: CurrentUser, tx: Tx) -> sr.Deleted:
    _of_case(case_id, edits.case_of(tx, "finding", row_id))
    since = results.latest_assessment_id(tx, case_id)
    edits.delete_finding(tx, ctx.kb, row_id, user.username)
    return sr.Deleted(**_saved(tx, case_id, since), deleted=row_id)
