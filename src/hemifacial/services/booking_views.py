"""Read models of booking: clinicians, consultation slots, calendars, appointments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .i18n import long_date


@dataclass(frozen=True)
class ClinicianView:
    """A clinician's short public profile."""

    id: int
    name: str
    specialty: str
    languages: tuple[str, ...]
    locations: tuple[str, ...]
    profile: str


@dataclass(frozen=True)
class SlotView:
    """A consultation time in the clinic's zone, with who booked it (front desk only)."""

    id: int
    clinician_id: int
    clinician: str
    starts_at: dt.datetime  # aware, in the clinic's zone
    minutes: int
    location: str
    cancelled: bool
    booked_case_id: int | None = None
    booked_name: str | None = None

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.minutes)

    @property
    def day_label(self) -> str:
        return long_date(self.starts_at)

    @property
    def time_label(self) -> str:
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


@dataclass(frozen=True)
class BookingView:
    id: int
    case_id: int
    uid: str
    sequence: int
    slot: SlotView
    reminded_at: dt.datetime | None


@dataclass(frozen=True)
class DaySlots:
    day: dt.date
    slots: tuple[SlotView, ...]

    @property
    def label(self) -> str:
        return long_date(self.day)


@dataclass(frozen=True)
class PatientBooking:
    """The booking part of a patient's private page."""

    offered: bool
    clinician_id: int | None  # the clinician the clinic offered, None: any
    booking: BookingView | None
    clinicians: tuple[ClinicianView, ...]
    days: tuple[DaySlots, ...]  # open future slots the patient may choose


@dataclass(frozen=True)
class Calendar:
    """The front desk's day or week: every slot of each day, booked or not."""

    start: dt.date
    days: tuple[DaySlots, ...]
    clinicians: tuple[ClinicianView, ...]
    timezone: str


@dataclass(frozen=True)
class CaseAppointment:
    """The case page's appointment box: the offer and the live booking."""

    case_id: int
    patient_name: str
    offered: bool
    clinician_id: int | None
    booking: BookingView | None
    clinicians: tuple[ClinicianView, ...]
