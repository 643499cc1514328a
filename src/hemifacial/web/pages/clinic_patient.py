"""The patient's side on the clinic's case page (login required): possible duplicates and
merging them, the patient's requests (message, withdrawal, deletion) and marking them
handled. The data come from ``services.duplicates`` and ``services.patients``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from hemifacial.services import duplicates, patients
from hemifacial.services.database import UnitOfWork
from hemifacial.services.patient_views import DuplicateView
from hemifacial.services.views import CaseView

from ..deps import Ctx, CurrentUser, Tx

router = APIRouter(include_in_schema=False)


def patient_side(
    s: UnitOfWork, view: CaseView, dups: Sequence[DuplicateView] | None = None
) -> dict[str, Any]:
    """What the case page shows of the patient's side (the requests are in the view)."""
    return {
        "duplicates": tuple(dups) if dups is not None else duplicates.duplicates_in_view(s, view),
        "patient_requests": view.patient_requests,
    }


@router.post("/clinic/cases/{case_id}/merge")
def merge(
    case_id: int, ctx: Ctx, tx: Tx, user: CurrentUser, other: Annotated[int, Form()]
) -> Response:
    """Merge request ``other`` (a duplicate) into this one."""
    duplicates.merge(tx, ctx.kb, case_id, other, user.username)
    return RedirectResponse(f"/clinic/cases/{case_id}#patient-side", status_code=303)


@router.post("/clinic/cases/{case_id}/requests/{request_id}/handled")
def handled(case_id: int, request_id: int, tx: Tx, user: CurrentUser) -> Response:
    patients.mark_handled(tx, case_id, request_id, user.username)
    return RedirectResponse(f"/clinic/cases/{case_id}#patient-side", status_code=303)
