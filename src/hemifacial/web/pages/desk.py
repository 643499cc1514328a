"""The front desk (login required): the day and week calendar of consultation slots,
creating single or recurring slots, cancelling one; and offering appointments on a case."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from hemifacial.errors import FormError
from hemifacial.services import booking, slots
from hemifacial.services.database import UnitOfWork

from ..deps import Audit, Ctx, CurrentUser, Read, Tx
from ..render import render
from .booking import clinic

router = APIRouter(include_in_schema=False)


def _date(raw: str | None, fallback: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return fallback


def _calendar(
    request: Request,
    ctx: Ctx,
    s: UnitOfWork,
    view: str,
    day: dt.date,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    tz = clinic(ctx).tz
    start = day if view == "day" else slots.week_start(day)
    days = 1 if view == "day" else 7
    data: dict[str, Any] = {
        "cal": slots.calendar(s, start, days, tz),
        "view": view,
        "day": day,
        "prev": start - dt.timedelta(days=days),
        "next": start + dt.timedelta(days=days),
        "today": slots.today(tz),
        "form": form or {"day": day.isoformat(), "start": "09:00", "minutes": "30"},
        "errors": errors or {},
        "repeats": slots.REPEATS,
        "done": request.query_params.get("done"),
    }
    return render(request, "clinic/desk.html", data, status)


@router.get("/clinic/desk")
def desk(request: Request, ctx: Ctx, user: CurrentUser, read: Read, audit: Audit) -> Response:
    q = request.query_params
    view = "day" if q.get("view") == "day" else "week"
    day = _date(q.get("date"), slots.today(clinic(ctx).tz))
    audit(user.username, "calendar.view", None, view=view, date=day.isoformat())
    return _calendar(request, ctx, read, view, day)


@router.post("/clinic/desk/slots")
def create_slots(
    request: Request,
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    clinician_id: Annotated[str, Form()] = "",
    day: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    minutes: Annotated[str, Form()] = "30",
    location: Annotated[str, Form()] = "",
    repeat: Annotated[str, Form()] = "none",
    count: Annotated[str, Form()] = "1",
    view: Annotated[str, Form()] = "week",
) -> Response:
    req = slots.SlotRequest(clinician_id, day, start, minutes, location, repeat, count)
    try:
        made = slots.create_slots(tx, req, clinic(ctx).tz, user.username, booking.current_time())
    except FormError as exc:
        tx.rollback()
        shown = _date(day, slots.today(clinic(ctx).tz))
        return _calendar(request, ctx, tx, view, shown, dataclasses.asdict(req), exc.fields, 422)
    return RedirectResponse(f"/clinic/desk?view={view}&date={day}&done={made}", status_code=303)


@router.post("/clinic/desk/slots/{slot_id}/cancel")
def cancel_slot(
    slot_id: int,
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    back: Annotated[str, Form()] = "/clinic/desk",
) -> Response:
    booking.cancel_slot(tx, clinic(ctx), slot_id, user.username, booking.current_time())
    target = back if back.startswith("/clinic/desk") and "//" not in back else "/clinic/desk"
    return RedirectResponse(target, status_code=303)


@router.get("/clinic/cases/{case_id}/appointment")
def appointment(
    case_id: int, request: Request, ctx: Ctx, user: CurrentUser, read: Read, audit: Audit
) -> Response:
    audit(user.username, "appointment.view", case_id)
    view = booking.case_appointment(read, case_id, clinic(ctx).tz)
    return render(request, "clinic/appointment.html", {"ap": view})


@router.post("/clinic/cases/{case_id}/offer")
def offer(
    case_id: int,
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    clinician: Annotated[str, Form()] = "",
) -> Response:
    chosen = int(clinician) if clinician.isdigit() else None
    booking.offer(tx, case_id, chosen, user.username)
    return RedirectResponse(f"/clinic/cases/{case_id}/appointment?offered=1", status_code=303)
