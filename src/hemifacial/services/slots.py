"""Clinicians and consultation slots: the front desk's side of booking.

Slots are entered in the clinic's local time (``Settings.timezone``) and stored as naive
UTC; every read turns them back into the clinic's zone. A slot is one clinician's time at
one location; two open slots of a clinician never overlap (checked here) and never start at
the same moment (a unique constraint, which also holds for concurrent requests).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hemifacial.db import bookings as q
from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.errors import FormError

from .booking_views import Calendar, ClinicianView, DaySlots, SlotView

REPEATS = ("none", "weekly", "weekdays")
MAX_REPEAT = 52


def utc_naive(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def utc_naive_now(now: dt.datetime) -> dt.datetime:
    """``now`` as stored (naive UTC); a naive value is taken to be UTC already."""
    return now.astimezone(dt.UTC).replace(tzinfo=None) if now.tzinfo else now


def local(stored: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """A stored naive-UTC time in the clinic's zone."""
    return stored.replace(tzinfo=dt.UTC).astimezone(tz)


def clinician_view(c: t.Clinician) -> ClinicianView:
    return ClinicianView(
        c.id, c.name, c.specialty, tuple(c.languages), tuple(c.locations), c.profile
    )


def clinicians(s: Session) -> tuple[ClinicianView, ...]:
    return tuple(clinician_view(c) for c in q.clinicians(s))


def add_clinician(
    s: Session,
    name: str,
    specialty: str,
    languages: Sequence[str],
    locations: Sequence[str],
    profile: str = "",
) -> int:
    row = t.Clinician(
        name=name,
        specialty=specialty,
        languages=list(languages),
        locations=list(locations),
        profile=profile,
        active=True,
    )
    s.add(row)
    s.flush()
    return row.id


def slot_view(
    slot: t.Slot,
    names: dict[int, str],
    tz: ZoneInfo,
    booking: t.Booking | None = None,
    patients: dict[int, str] | None = None,
) -> SlotView:
    case_id = booking.case_id if booking is not None else None
    return SlotView(
        slot.id,
        slot.clinician_id,
        names.get(slot.clinician_id, "?"),
        local(slot.starts_at, tz),
        slot.minutes,
        slot.location,
        slot.cancelled,
        case_id,
        (patients or {}).get(case_id) if case_id is not None else None,
    )


@dataclass(frozen=True)
class SlotRequest:
    """The front desk's form, as typed."""

    clinician_id: str
    day: str  # YYYY-MM-DD, local
    start: str  # HH:MM, local
    minutes: str = "30"
    location: str = ""
    repeat: str = "none"
    count: str = "1"


def _parse(s: Session, r: SlotRequest, tz: ZoneInfo) -> tuple[t.Clinician, list[dt.datetime], int]:
    errors: dict[str, str] = {}
    clinician = s.get(t.Clinician, int(r.clinician_id)) if r.clinician_id.isdigit() else None
    if clinician is None:
        errors["clinician_id"] = "Choose a clinician."
    try:
        first = dt.datetime.combine(dt.date.fromisoformat(r.day), dt.time.fromisoformat(r.start))
    except ValueError:
        errors["day"] = "Give the date and start time (for example 2026-12-08 and 09:30)."
        first = dt.datetime(2000, 1, 1)
    minutes = int(r.minutes) if r.minutes.isdigit() else 0
    if not 5 <= minutes <= 240:
        errors["minutes"] = "A consultation lasts between 5 and 240 minutes."
    count = int(r.count) if r.count.isdigit() else 0
    if r.repeat not in REPEATS:
        errors["repeat"] = "Choose how the slot repeats."
    elif not 1 <= count <= MAX_REPEAT:
        errors["count"] = f"Give how many slots to create, 1 to {MAX_REPEAT}."
    if errors:
        raise FormError(errors)
    assert clinician is not None
    return clinician, _series(first, r.repeat, count, tz), minutes


def _series(first: dt.datetime, repeat: str, count: int, tz: ZoneInfo) -> list[dt.datetime]:
    """``count`` local start times (wall-clock kept across daylight-saving changes), UTC."""
    days: list[dt.date] = []
    day = first.date()
    while len(days) < (1 if repeat == "none" else count):
        if repeat != "weekdays" or day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=7 if repeat == "weekly" else 1)
    return [utc_naive(dt.datetime.combine(d, first.time(), tzinfo=tz)) for d in days]


def create_slots(s: Session, r: SlotRequest, tz: ZoneInfo, actor: str, now: dt.datetime) -> int:
    """Create one slot or a series; refused whole (FormError) if any would clash."""
    clinician, starts, minutes = _parse(s, r, tz)
    location = r.location.strip() or (clinician.locations[0] if clinician.locations else "")
    if not location:
        raise FormError({"location": "Give the location of the consultation."})
    if starts[0] < utc_naive_now(now):
        raise FormError({"day": "This time is in the past."})
    length = dt.timedelta(minutes=minutes)
    existing = q.slots_between(
        s,
        starts[0] - dt.timedelta(days=1),
        starts[-1] + dt.timedelta(days=1),
        clinician_id=clinician.id,
        include_cancelled=False,
    )
    for start in starts:
        for e in existing:
            if e.starts_at < start + length and start < e.starts_at + dt.timedelta(
                minutes=e.minutes
            ):
                when = local(e.starts_at, tz)
                raise FormError(
                    {"day": f"{clinician.name} already has a slot at {when:%Y-%m-%d %H:%M}."}
                )
    series = secrets.token_hex(8) if len(starts) > 1 else None
    for start in starts:
        s.add(
            t.Slot(
                clinician_id=clinician.id,
                starts_at=start,
                minutes=minutes,
                location=location,
                cancelled=False,
                series=series,
                created_by=actor,
            )
        )
    try:
        s.flush()
    except IntegrityError:  # the same slot created at the same moment by someone else
        raise FormError({"day": "One of these slots was just created by someone else."}) from None
    repo.audit(s, actor, "slots.create", None, clinician=clinician.id, count=len(starts))
    return len(starts)


def calendar(s: Session, start: dt.date, days: int, tz: ZoneInfo) -> Calendar:
    """Every slot of ``days`` days from ``start`` (local dates), with who booked it."""
    begin = utc_naive(dt.datetime.combine(start, dt.time(), tzinfo=tz))
    end = utc_naive(dt.datetime.combine(start + dt.timedelta(days=days), dt.time(), tzinfo=tz))
    rows = q.slots_between(s, begin, end)
    booked = q.live_bookings_for(s, [r.id for r in rows])
    patients = q.names_of_cases(s, [b.case_id for b in booked.values()])
    staff = q.clinicians(s, active_only=False)
    names = {c.id: c.name for c in staff}
    views = [slot_view(r, names, tz, booked.get(r.id), patients) for r in rows]
    by_day = tuple(
        DaySlots(d, tuple(v for v in views if v.starts_at.date() == d))
        for d in (start + dt.timedelta(days=i) for i in range(days))
    )
    return Calendar(start, by_day, tuple(clinician_view(c) for c in staff), tz.key)


def today(tz: ZoneInfo, now: dt.datetime | None = None) -> dt.date:
    """The clinic's local date."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(tz).date()


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())
