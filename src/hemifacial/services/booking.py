"""Booking a consultation: the clinic offers (after triage), the patient books, moves or
cancels from the private link, the front desk cancels slots, and the day-before reminder.

No double booking: a slot has at most one live booking and a case at most one, enforced by
two partial unique indexes (see :class:`hemifacial.db.tables.Booking`). The checks here
give the usual case a clear message; the indexes decide a race, which surfaces as
:class:`SlotTakenError`. E-mails are composed by :mod:`.booking_mail` and handed to the
sender only once the transaction has committed.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hemifacial.db import bookings as q
from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.db.engine import transaction
from hemifacial.errors import NotFoundError, PermissionDeniedError, SlotTakenError
from hemifacial.settings import Settings

from . import booking_mail as mail
from .booking_views import BookingView, CaseAppointment, DaySlots, PatientBooking
from .database import on_commit
from .i18n import gettext as _
from .slots import clinician_view, slot_view, utc_naive_now

REMINDER_BEFORE = dt.timedelta(hours=24)
BOOKABLE_DAYS = 60


@dataclass(frozen=True)
class Clinic:
    """What booking needs from the app: the zone, who sends, and how."""

    tz: ZoneInfo
    name: str
    email: str
    notify: mail.Notify


def clinic_for(settings: Settings, notify: mail.Notify) -> Clinic:
    # the clinic's identity settings (HEMIFACIAL_CLINIC_NAME, HEMIFACIAL_MAIL_FROM)
    name = settings.clinic.name or "the clinic"
    email = settings.smtp.sender or "clinic@localhost"
    return Clinic(ZoneInfo(settings.timezone), name, email, notify)


def offer(s: Session, case_id: int, clinician_id: int | None, actor: str) -> None:
    """Invite the patient to book (with one clinician, or any); again: change the choice."""
    repo.get_case(s, case_id)
    if clinician_id is not None:
        q.get_clinician(s, clinician_id)
    row = q.offer_of(s, case_id)
    if row is None:
        s.add(t.BookingOffer(case_id=case_id, clinician_id=clinician_id, offered_by=actor))
    else:
        row.clinician_id, row.offered_by, row.offered_at = clinician_id, actor, t.utcnow()
    repo.audit(s, actor, "booking.offer", case_id, clinician=clinician_id)


def _appointment(s: Session, b: t.Booking, c: Clinic, link: str = "") -> mail.Appointment:
    slot = q.get_slot(s, b.slot_id)
    case = repo.get_case(s, b.case_id)
    return mail.Appointment(
        uid=b.uid,
        sequence=b.sequence,
        starts_at=slot.starts_at.replace(tzinfo=dt.UTC),
        minutes=slot.minutes,
        clinician=q.get_clinician(s, slot.clinician_id).name,
        location=slot.location,
        patient_name=case.patient_name,
        patient_email=case.email,
        clinic_name=c.name,
        clinic_email=c.email,
        link=link,
        language=case.language,
    )


def _send(s: Session, c: Clinic, email: mail.Email) -> None:
    if email.to:  # a patient who gave only a phone number gets no e-mail
        on_commit(s, lambda: c.notify(email))


def _bookable(s: Session, case_id: int, slot_id: int, now: dt.datetime) -> t.Slot:
    offered = q.offer_of(s, case_id)
    if offered is None:
        raise PermissionDeniedError(_("the clinic has not offered you appointments yet"))
    slot = q.get_slot(s, slot_id)
    if slot.cancelled or slot.starts_at <= utc_naive_now(now):
        raise SlotTakenError(_("this time is no longer available; please choose another"))
    if offered.clinician_id is not None and slot.clinician_id != offered.clinician_id:
        raise PermissionDeniedError(_("this time is with another clinician than the one offered"))
    if q.live_bookings_for(s, [slot_id]):
        raise SlotTakenError(_("someone else has just booked this time; please choose another"))
    return slot


def _flush(s: Session) -> None:
    try:
        s.flush()
    except IntegrityError:  # a concurrent booking won the race for this slot
        raise SlotTakenError(
            _("someone else has just booked this time; please choose another")
        ) from None


def book(
    s: Session, c: Clinic, case_id: int, slot_id: int, now: dt.datetime, link: str = ""
) -> int:
    """Book ``slot_id`` for the case; a second live booking of the slot is refused."""
    if q.live_booking_of_case(s, case_id) is not None:
        raise SlotTakenError(_("you already have an appointment; change it instead"))
    _bookable(s, case_id, slot_id, now)
    uid = f"{secrets.token_hex(12)}@hemifacial"
    at = utc_naive_now(now)
    b = t.Booking(
        case_id=case_id,
        slot_id=slot_id,
        status=t.BOOKED,
        uid=uid,
        sequence=0,
        created_at=at,
        updated_at=at,
    )
    s.add(b)
    _flush(s)
    repo.audit(s, "patient", "booking.book", case_id, slot=slot_id)
    _send(s, c, mail.confirmation(_appointment(s, b, c, link), c.tz, _stamp(now), moved=False))
    return b.id


def _live(s: Session, case_id: int) -> t.Booking:
    b = q.live_booking_of_case(s, case_id)
    if b is None:
        raise NotFoundError(_("you have no appointment to change"))
    return b


def reschedule(
    s: Session, c: Clinic, case_id: int, slot_id: int, now: dt.datetime, link: str = ""
) -> None:
    """Move the case's booking to ``slot_id`` (same invitation UID, next SEQUENCE); the
    reminder is due again for the new time."""
    b = _live(s, case_id)
    if b.slot_id == slot_id:
        return
    _bookable(s, case_id, slot_id, now)
    old = b.slot_id
    b.slot_id, b.sequence, b.reminded_at = slot_id, b.sequence + 1, None
    b.updated_at = utc_naive_now(now)
    _flush(s)
    repo.audit(s, "patient", "booking.reschedule", case_id, slot=slot_id, previous=old)
    _send(s, c, mail.confirmation(_appointment(s, b, c, link), c.tz, _stamp(now), moved=True))


def _cancel(s: Session, c: Clinic, b: t.Booking, now: dt.datetime, *, by_clinic: bool) -> None:
    b.status, b.sequence, b.updated_at = "cancelled", b.sequence + 1, utc_naive_now(now)
    _flush(s)
    email = mail.cancellation(_appointment(s, b, c), c.tz, _stamp(now), by_clinic=by_clinic)
    _send(s, c, email)


def cancel(s: Session, c: Clinic, case_id: int, now: dt.datetime) -> None:
    """The patient cancels; the slot is free again at once."""
    b = _live(s, case_id)
    _cancel(s, c, b, now, by_clinic=False)
    repo.audit(s, "patient", "booking.cancel", case_id, slot=b.slot_id)


def cancel_slot(s: Session, c: Clinic, slot_id: int, actor: str, now: dt.datetime) -> None:
    """The front desk withdraws a slot; its booking, if any, is cancelled and the patient told."""
    slot = q.get_slot(s, slot_id)
    slot.cancelled = True
    booked = q.live_bookings_for(s, [slot_id]).get(slot_id)
    if booked is not None:
        _cancel(s, c, booked, now, by_clinic=True)
    case_id = booked.case_id if booked is not None else None
    repo.audit(s, actor, "slots.cancel", case_id, slot=slot_id)


def booking_view(s: Session, b: t.Booking, tz: ZoneInfo) -> BookingView:
    slot = q.get_slot(s, b.slot_id)
    names = {slot.clinician_id: q.get_clinician(s, slot.clinician_id).name}
    return BookingView(
        b.id, b.case_id, b.uid, b.sequence, slot_view(slot, names, tz, b), b.reminded_at
    )


def patient_booking(
    s: Session, case_id: int, tz: ZoneInfo, now: dt.datetime, clinician_id: int | None = None
) -> PatientBooking:
    """What the private page offers: the booking, and the free future times to choose."""
    offered = q.offer_of(s, case_id)
    live = q.live_booking_of_case(s, case_id)
    staff = q.clinicians(s)
    names = {c.id: c.name for c in staff}
    days: tuple[DaySlots, ...] = ()
    chosen = offered.clinician_id if offered and offered.clinician_id else clinician_id
    if offered is not None:
        at = utc_naive_now(now)
        rows = q.slots_between(
            s,
            at,
            at + dt.timedelta(days=BOOKABLE_DAYS),
            clinician_id=chosen,
            include_cancelled=False,
        )
        taken = q.live_bookings_for(s, [r.id for r in rows])
        free = [slot_view(r, names, tz) for r in rows if r.id not in taken]
        dates = sorted({v.starts_at.date() for v in free})
        days = tuple(DaySlots(d, tuple(v for v in free if v.starts_at.date() == d)) for d in dates)
    return PatientBooking(
        offered is not None,
        offered.clinician_id if offered else None,
        booking_view(s, live, tz) if live is not None else None,
        tuple(clinician_view(c) for c in staff),
        days,
    )


def invitation_for(s: Session, c: Clinic, case_id: int, now: dt.datetime) -> bytes:
    """The live booking's ``.ics`` (download from the private link)."""
    return mail.invitation(_appointment(s, _live(s, case_id), c), "REQUEST", _stamp(now))


def send_reminders(factory: sessionmaker[Session], c: Clinic, now: dt.datetime) -> int:
    """Remind every booking whose consultation starts within 24 h (the day before), once.

    Idempotent: each reminder is claimed by a conditional UPDATE in its own transaction
    and sent after it commits, so a second run, or two runners at once, send nothing more.
    Bookings made or moved less than 24 h ahead got their confirmation just now, and no
    reminder. Returns how many were sent."""
    naive = utc_naive_now(now)
    sent = 0
    with transaction(factory) as s:
        due = [b.id for b in q.reminder_candidates(s, naive, naive + REMINDER_BEFORE)]
    for booking_id in due:
        with transaction(factory) as s:
            b = s.get(t.Booking, booking_id)
            if b is None:
                continue
            slot = q.get_slot(s, b.slot_id)
            if b.updated_at >= slot.starts_at - REMINDER_BEFORE or not q.claim_reminder(
                s, booking_id, naive
            ):
                continue
            repo.audit(s, "scheduler", "booking.remind", b.case_id, slot=b.slot_id)
            _send(s, c, mail.reminder(_appointment(s, b, c), c.tz))
            sent += 1
    return sent


def _stamp(now: dt.datetime) -> dt.datetime:
    return now if now.tzinfo else now.replace(tzinfo=dt.UTC)


def current_time() -> dt.datetime:
    """Now, aware UTC (routes pass it; tests inject their own)."""
    return dt.datetime.now(dt.UTC)


def has_booking(s: Session, case_id: int) -> bool:
    return q.live_booking_of_case(s, case_id) is not None


def case_appointment(s: Session, case_id: int, tz: ZoneInfo) -> CaseAppointment:
    case = repo.get_case(s, case_id)
    offered = q.offer_of(s, case_id)
    live = q.live_booking_of_case(s, case_id)
    return CaseAppointment(
        case_id,
        case.patient_name,
        offered is not None,
        offered.clinician_id if offered else None,
        booking_view(s, live, tz) if live is not None else None,
        tuple(clinician_view(c) for c in q.clinicians(s)),
    )


def stage(s: Session, case_id: int) -> str | None:
    """How far booking has come for the case: ``booked``, ``offered`` or None (for the
    patient's steps: received → reviewed → offered → booked → seen)."""
    if q.live_booking_of_case(s, case_id) is not None:
        return "booked"
    return "offered" if q.offer_of(s, case_id) is not None else None
