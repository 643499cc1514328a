"""The patient's booking pages, from the private link: choose a clinician and a time, book,
move or cancel, download the calendar invitation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from hemifacial.domain.status import CaseStatus
from hemifacial.errors import SlotTakenError
from hemifacial.services import booking, intake, slots
from hemifacial.services.database import UnitOfWork
from hemifacial.services.i18n import N_, gettext

from ..deps import Ctx, Read, Tx
from ..render import render

router = APIRouter(include_in_schema=False)
DONE = {
    "booked": N_("Your consultation is booked."),
    "moved": N_("Your consultation has a new time."),
    "cancelled": N_("Your consultation is cancelled. You can choose another time below."),
}


def clinic(ctx: Ctx) -> booking.Clinic:
    return booking.clinic_for(ctx.settings, ctx.booking_mailer.send)


def _clinician(request: Request) -> int | None:
    raw = request.query_params.get("clinician", "")
    return int(raw) if raw.isdigit() else None


def _page(
    request: Request,
    ctx: Ctx,
    s: UnitOfWork,
    token: str,
    error: str | None,
    status: int = 200,
    chosen: int | None = None,
) -> Response:
    case = intake.case_for_token(s, token)
    tz = clinic(ctx).tz
    view = booking.patient_booking(s, case.id, tz, booking.current_time(), chosen)
    data = {
        "token": token,
        "b": view,
        "chosen": chosen,
        "error": error,
        "done": gettext(DONE.get(request.query_params.get("done", ""), "")),
        "has_email": bool(case.email),
        "submitted": case.status != CaseStatus.DRAFT,
    }
    return render(request, "patient/booking.html", data, status)


@router.get("/our-clinicians")
def clinicians(request: Request, read: Read) -> Response:
    """The public page of the clinic's clinicians (short profiles)."""
    return render(request, "patient/clinicians.html", {"clinicians": slots.clinicians(read)})


@router.get("/p/{token}/booking")
def booking_page(token: str, request: Request, ctx: Ctx, read: Read) -> Response:
    return _page(request, ctx, read, token, None, chosen=_clinician(request))


def _see(token: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/p/{token}/booking?done={done}", status_code=303)


@router.post("/p/{token}/booking")
def book(
    token: str,
    request: Request,
    ctx: Ctx,
    tx: Tx,
    slot: Annotated[str, Form()] = "",
) -> Response:
    case = intake.case_for_token(tx, token)
    if not slot.isdigit():
        return _page(request, ctx, tx, token, gettext("Please choose a time first."), 422)
    link = str(request.url_for("patient_home", token=token))
    now, moving = booking.current_time(), booking.has_booking(tx, case.id)
    try:
        if moving:
            booking.reschedule(tx, clinic(ctx), case.id, int(slot), now, link)
        else:
            booking.book(tx, clinic(ctx), case.id, int(slot), now, link)
    except SlotTakenError as exc:
        tx.rollback()
        message = str(exc)  # in the patient's language already (services.booking)
        sentence = gettext("%(sentence)s.") % {"sentence": message[0].upper() + message[1:]}
        return _page(request, ctx, tx, token, sentence, 409)
    return _see(token, "moved" if moving else "booked")


@router.post("/p/{token}/booking/cancel")
def cancel(token: str, ctx: Ctx, tx: Tx) -> Response:
    case = intake.case_for_token(tx, token)
    booking.cancel(tx, clinic(ctx), case.id, booking.current_time())
    return _see(token, "cancelled")


@router.get("/p/{token}/booking.ics")
def invitation(token: str, ctx: Ctx, read: Read) -> Response:
    case = intake.case_for_token(read, token)
    body = booking.invitation_for(read, clinic(ctx), case.id, booking.current_time())
    return Response(
        body,
        media_type="text/calendar; charset=utf-8; method=REQUEST",
        headers={
            "Content-Disposition": 'attachment; filename="consultation.ics"',
            "Cache-Control": "no-store",
        },
    )
