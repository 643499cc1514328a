"""Booking API: the front desk's slots and calendar, offering a case appointments, and the
patient's booking from the private link — the JSON side of ``pages/desk.py`` and
``pages/booking.py``, through the same services (no double booking: 409)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from hemifacial.errors import FormError
from hemifacial.services import booking, intake, slots
from hemifacial.services.database import UnitOfWork

from .. import schemas_booking as sb
from ..deps import Audit, Ctx, CurrentUser, Read, Tx
from ..pages.booking import clinic

router = APIRouter(prefix="/api/v1", tags=["booking"])
MAX_DAYS = 31


def _day(raw: str | None, fallback: dt.date) -> dt.date:
    if not raw:
        return fallback
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise FormError({"start": "an ISO date, e.g. 2026-12-07"}) from None


def _calendar(
    read: Read, ctx: Ctx, start: str | None, days: int
) -> tuple[dt.date, sb.CalendarPublic]:
    tz = clinic(ctx).tz
    first = _day(start, slots.today(tz))
    cal = slots.calendar(read, first, days, tz)
    return first, sb.CalendarPublic(
        start=first.isoformat(),
        timezone=cal.timezone,
        slots=[sb.staff_slot(v) for d in cal.days for v in d.slots],
        clinicians=[sb.clinician_public(c) for c in cal.clinicians],
    )


Start = Annotated[str | None, Query(max_length=20, description="ISO date; default today")]
Days = Annotated[int, Query(ge=1, le=MAX_DAYS, description="how many days from start")]


@router.get("/slots", response_model=sb.CalendarPublic)
def list_slots(
    ctx: Ctx, user: CurrentUser, read: Read, audit: Audit, start: Start = None, days: Days = 7
) -> sb.CalendarPublic:
    """Every slot of the days from ``start`` (booked, free or withdrawn), with who booked it."""
    first, cal = _calendar(read, ctx, start, days)
    audit(user.username, "calendar.view", None, date=first.isoformat(), days=days, via="api")
    return cal


@router.get("/bookings", response_model=list[sb.StaffSlot])
def list_bookings(
    ctx: Ctx, user: CurrentUser, read: Read, audit: Audit, start: Start = None, days: Days = 7
) -> list[sb.StaffSlot]:
    """Only the booked slots of the days from ``start`` (each names its case)."""
    first, cal = _calendar(read, ctx, start, days)
    audit(user.username, "bookings.view", None, date=first.isoformat(), days=days, via="api")
    return [v for v in cal.slots if v.booked_case_id is not None]


@router.post("/slots", status_code=201, response_model=sb.SlotsCreated)
def create_slots(body: sb.SlotsCreate, ctx: Ctx, user: CurrentUser, tx: Tx) -> sb.SlotsCreated:
    """One slot or a series (``repeat``, ``count``); refused whole (422) if one would
    clash with the clinician's other slots or lies in the past."""
    req = slots.SlotRequest(
        str(body.clinician_id), body.day, body.start, str(body.minutes), body.location,
        body.repeat, str(body.count),
    )  # fmt: skip
    made = slots.create_slots(tx, req, clinic(ctx).tz, user.username, booking.current_time())
    return sb.SlotsCreated(created=made)


@router.delete("/slots/{slot_id}", status_code=204)
def cancel_slot(slot_id: int, ctx: Ctx, user: CurrentUser, tx: Tx) -> Response:
    """Withdraw a slot; its booking, if any, is cancelled and the patient told."""
    booking.cancel_slot(tx, clinic(ctx), slot_id, user.username, booking.current_time())
    return Response(status_code=204)


@router.get("/cases/{case_id}/appointment", response_model=sb.AppointmentPublic)
def appointment(
    case_id: int, ctx: Ctx, user: CurrentUser, read: Read, audit: Audit
) -> sb.AppointmentPublic:
    audit(user.username, "appointment.view", case_id, via="api")
    return sb.appointment_public(booking.case_appointment(read, case_id, clinic(ctx).tz))


@router.put("/cases/{case_id}/offer", response_model=sb.AppointmentPublic)
def offer(
    case_id: int, body: sb.OfferUpdate, ctx: Ctx, user: CurrentUser, tx: Tx
) -> sb.AppointmentPublic:
    """Invite the patient to book, with one clinician or any (again: change the choice)."""
    booking.offer(tx, case_id, body.clinician_id, user.username)
    return sb.appointment_public(booking.case_appointment(tx, case_id, clinic(ctx).tz))


# --- the patient's private link -------------------------------------------------------


def _mine(
    ctx: Ctx, s: UnitOfWork, token: str, chosen: int | None = None
) -> sb.PatientBookingPublic:
    case = intake.case_for_token(s, token)
    tz = clinic(ctx).tz
    view = booking.patient_booking(s, case.id, tz, booking.current_time(), chosen)
    return sb.patient_booking_public(view)


@router.get("/patient/{token}/booking", response_model=sb.PatientBookingPublic)
def patient_booking(
    token: str,
    request: Request,
    ctx: Ctx,
    read: Read,
    clinician: Annotated[int | None, Query(description="only this clinician's times")] = None,
) -> sb.PatientBookingPublic:
    """The booking, and the free times offered (none until the clinic offers)."""
    return _mine(ctx, read, token, clinician)


def _link(request: Request, token: str) -> str:
    return str(request.url_for("patient_home", token=token))


@router.post("/patient/{token}/booking", status_code=201, response_model=sb.PatientBookingPublic)
def book(
    token: str, body: sb.SlotChoice, request: Request, ctx: Ctx, tx: Tx
) -> sb.PatientBookingPublic:
    """Book a time (403 before the clinic offers; 409 when it is taken or a booking exists)."""
    case = intake.case_for_token(tx, token)
    booking.book(
        tx, clinic(ctx), case.id, body.slot_id, booking.current_time(), _link(request, token)
    )
    return _mine(ctx, tx, token)


@router.put("/patient/{token}/booking", response_model=sb.PatientBookingPublic)
def reschedule(
    token: str, body: sb.SlotChoice, request: Request, ctx: Ctx, tx: Tx
) -> sb.PatientBookingPublic:
    """Move the booking to another time (404 without one; 409 when the time is taken)."""
    case = intake.case_for_token(tx, token)
    now = booking.current_time()
    booking.reschedule(tx, clinic(ctx), case.id, body.slot_id, now, _link(request, token))
    return _mine(ctx, tx, token)


@router.delete("/patient/{token}/booking", response_model=sb.PatientBookingPublic)
def cancel(token: str, request: Request, ctx: Ctx, tx: Tx) -> sb.PatientBookingPublic:
    """Cancel the booking (404 without one); the time is free again at once."""
    case = intake.case_for_token(tx, token)
    booking.cancel(tx, clinic(ctx), case.id, booking.current_time())
    return _mine(ctx, tx, token)
