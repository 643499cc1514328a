"""The clinician's records on the case page: dated test results (with an attachment),
and corrections — edit and delete of notes, visits, findings and results (all audited).
Every save answers with the case page confirming what changed (see :mod:`..flash`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel

from hemifacial.errors import InputError, NotFoundError
from hemifacial.services import edits, results
from hemifacial.services.database import UnitOfWork

from ..deps import Audit, Ctx, CurrentUser, FormFields, Read, Tx
from ..flash import saved
from ..uploads import attachment_download, check_length, receive_attachment
from .clinic import _refused

router = APIRouter(include_in_schema=False)


def finding_fields(form: dict[str, str]) -> dict[str, Any]:
    """``f.<finding>`` fields with their ``c.<finding>`` certainty words, if any."""
    raw: dict[str, Any] = {k[2:]: v for k, v in form.items() if k.startswith("f.") and v.strip()}
    for key, word in form.items():
        if key.startswith("c.") and word and key[2:] in raw:
            raw[key[2:]] = {"value": raw[key[2:]], "certainty": word}
    return raw


@router.post("/clinic/cases/{case_id}/results")
def add_result(
    case_id: int,
    request: Request,
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    form: FormFields,
    attachment: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """A dated test result: test, day, report, attachment and the findings it gives."""
    raw = finding_fields(form)
    since = results.latest_assessment_id(tx, case_id)
    try:
        check_length(request, ctx)
        results.add_result(
            tx,
            ctx.kb,
            case_id,
            test_id=form.get("test_id", ""),
            performed_on=form.get("performed_on", ""),
            report=form.get("report", ""),
            findings=raw,
            attachment=receive_attachment(ctx, attachment),
            actor=user.username,
        )
    except InputError as exc:
        typed = {k: v["value"] if isinstance(v, dict) else v for k, v in raw.items()}
        extra = {"form": "test", "submitted": typed, "result_form": form}
        return _refused(request, ctx, tx, case_id, exc, extra)
    return saved(case_id, "result", since)


@router.get("/clinic/results/{result_id}/attachment", response_class=FileResponse)
def attachment(result_id: int, ctx: Ctx, user: CurrentUser, read: Read, audit: Audit) -> Response:
    """The result's attachment, only ever as a download (audited)."""
    found = results.attachment_file(read, ctx.settings, result_id)
    audit(user.username, "result.attachment", found.case_id, result_id=result_id)
    return attachment_download(found)


class ResultEdit(BaseModel):
    test_id: str = ""
    performed_on: str = ""
    report: str = ""


def _case_of(_tx: UnitOfWork, case_id: int, found: int) -> None:
    """A row addressed under the wrong case is not found there (no cross-case edits)."""
    if found != case_id:
        raise NotFoundError(f"that record does not belong to case {case_id}")


@router.post("/clinic/cases/{case_id}/results/{result_id}/edit")
def edit_result(
    case_id: int,
    result_id: int,
    request: Request,
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    form: Annotated[ResultEdit, Form()],
) -> Response:
    _case_of(tx, case_id, results.case_of_result(tx, result_id))
    try:
        results.edit_result(
            tx,
            ctx.kb,
            result_id,
            test_id=form.test_id,
            performed_on=form.performed_on,
            report=form.report,
            actor=user.username,
        )
    except InputError as exc:
        return _refused(request, ctx, tx, case_id, exc, {"form": f"result-{result_id}"})
    return saved(case_id, "result-edited", None, anchor="results")


@router.post("/clinic/cases/{case_id}/results/{result_id}/delete")
def delete_result(case_id: int, result_id: int, ctx: Ctx, user: CurrentUser, tx: Tx) -> Response:
    _case_of(tx, case_id, results.case_of_result(tx, result_id))
    since = results.latest_assessment_id(tx, case_id)
    results.delete_result(tx, ctx.kb, result_id, user.username, ctx.settings)
    return saved(case_id, "result-deleted", since)


class NoteEdit(BaseModel):
    text: str = ""


@router.post("/clinic/cases/{case_id}/notes/{note_id}/edit")
def edit_note(
    case_id: int,
    note_id: int,
    request: Request,
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    form: Annotated[NoteEdit, Form()],
) -> Response:
    _case_of(tx, case_id, edits.case_of(tx, "note", note_id))
    try:
        edits.edit_note(tx, note_id, form.text, user.username)
    except InputError as exc:
        return _refused(request, ctx, tx, case_id, exc, {"form": f"note-{note_id}"})
    return saved(case_id, "note-edited", None, anchor="notes")


@router.post("/clinic/cases/{case_id}/notes/{note_id}/delete")
def delete_note(case_id: int, note_id: int, user: CurrentUser, tx: Tx) -> Response:
    _case_of(tx, case_id, edits.case_of(tx, "note", note_id))
    edits.delete_note(tx, note_id, user.username)
    return saved(case_id, "note-deleted", None, anchor="notes")


class VisitEdit(BaseModel):
    visited_on: str = ""
    label: str = ""
    treatment: str = ""


@router.post("/clinic/cases/{case_id}/visits/{visit_id}/edit")
def edit_visit(
    case_id: int,
    visit_id: int,
    request: Request,
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    form: Annotated[VisitEdit, Form()],
) -> Response:
    _case_of(tx, case_id, edits.case_of(tx, "visit", visit_id))
    try:
        edits.edit_visit(tx, visit_id, form.visited_on, form.label, form.treatment, user.username)
    except InputError as exc:
        return _refused(request, ctx, tx, case_id, exc, {"form": f"visit-{visit_id}"})
    return saved(case_id, "visit-edited", None, anchor="course")


@router.post("/clinic/cases/{case_id}/visits/{visit_id}/delete")
def delete_visit(case_id: int, visit_id: int, user: CurrentUser, tx: Tx) -> Response:
    _case_of(tx, case_id, edits.case_of(tx, "visit", visit_id))
    edits.delete_visit(tx, visit_id, user.username)
    return saved(case_id, "visit-deleted", None, anchor="course")


@router.post("/clinic/cases/{case_id}/findings/{row_id}/edit")
def edit_finding(
    case_id: int,
    row_id: int,
    request: Request,
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    value: Annotated[str, Form()] = "",
) -> Response:
    _case_of(tx, case_id, edits.case_of(tx, "finding", row_id))
    since = results.latest_assessment_id(tx, case_id)
    try:
        edits.edit_finding(tx, ctx.kb, row_id, value, user.username)
    except InputError as exc:
        return _refused(request, ctx, tx, case_id, exc, {"form": f"finding-{row_id}"})
    return saved(case_id, "finding-edited", since)


@router.post("/clinic/cases/{case_id}/findings/{row_id}/delete")
def delete_finding(case_id: int, row_id: int, ctx: Ctx, user: CurrentUser, tx: Tx) -> Response:
    _case_of(tx, case_id, edits.case_of(tx, "finding", row_id))
    since = results.latest_assessment_id(tx, case_id)
    edits.delete_finding(tx, ctx.kb, row_id, user.username)
    return saved(case_id, "finding-deleted", since)
