"""Queries and writes for clinicians, consultation slots, offers and bookings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hemifacial.errors import NotFoundError

from . import tables as t


def clinicians(s: Session, *, active_only: bool = True) -> Sequence[t.Clinician]:
    stmt = select(t.Clinician).order_by(t.Clinician.name)
    if active_only:
        stmt = stmt.where(t.Clinician.active.is_(True))
    return s.scalars(stmt).all()


def get_clinician(s: Session, clinician_id: int) -> t.Clinician:
    row = s.get(t.Clinician, clinician_id)
    if row is None:
        raise NotFoundError(f"clinician {clinician_id} does not exist")
    return row


def get_slot(s: Session, slot_id: int) -> t.Slot:
    row = s.get(t.Slot, slot_id)
    if row is None:
        raise NotFoundError("this consultation time does not exist")
    return row


def slots_between(
    s: Session,
    start: dt.datetime,
    end: dt.datetime,
    *,
    clinician_id: int | None = None,
    include_cancelled: bool = True,
) -> Sequence[t.Slot]:
    """Slots starting in [start, end) (naive UTC), by time."""
    stmt = select(t.Slot).where(t.Slot.starts_at >= start, t.Slot.starts_at < end)
    if clinician_id is not None:
        stmt = stmt.where(t.Slot.clinician_id == clinician_id)
    if not include_cancelled:
        stmt = stmt.where(t.Slot.cancelled.is_(False))
    return s.scalars(stmt.order_by(t.Slot.starts_at, t.Slot.clinician_id)).all()


def live_bookings_for(s: Session, slot_ids: Sequence[int]) -> dict[int, t.Booking]:
    """The live booking of each slot that has one."""
    if not slot_ids:
        return {}
    rows = s.scalars(
        select(t.Booking).where(t.Booking.slot_id.in_(slot_ids), t.Booking.status == t.BOOKED)
    )
    return {b.slot_id: b for b in rows}


def live_booking_of_case(s: Session, case_id: int) -> t.Booking | None:
    return s.scalars(
        select(t.Booking).where(t.Booking.case_id == case_id, t.Booking.status == t.BOOKED)
    ).first()


def names_of_cases(s: Session, case_ids: Sequence[int]) -> dict[int, str]:
    if not case_ids:
        return {}
    rows = s.execute(select(t.Case.id, t.Case.patient_name).where(t.Case.id.in_(case_ids)))
    return {case_id: name for case_id, name in rows}


def offer_of(s: Session, case_id: int) -> t.BookingOffer | None:
    return s.scalars(select(t.BookingOffer).where(t.BookingOffer.case_id == case_id)).first()


def reminder_candidates(s: Session, start: dt.datetime, end: dt.datetime) -> Sequence[t.Booking]:
    """Live bookings not yet reminded whose slot starts in [start, end)."""
    return s.scalars(
        select(t.Booking)
        .join(t.Slot, t.Slot.id == t.Booking.slot_id)
        .where(
            t.Booking.status == t.BOOKED,
            t.Booking.reminded_at.is_(None),
            t.Slot.starts_at >= start,
            t.Slot.starts_at < end,
        )
        .order_by(t.Slot.starts_at)
    ).all()


def claim_reminder(s: Session, booking_id: int, now: dt.datetime) -> bool:
    """Mark the booking reminded, unless someone did already: True for the one caller that
    wins (a conditional UPDATE; concurrent runners cannot both win)."""
    result = s.execute(
        update(t.Booking)
        .where(
            t.Booking.id == booking_id,
            t.Booking.reminded_at.is_(None),
            t.Booking.status == t.BOOKED,
        )
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
