"""Pydantic schemas of booking in the JSON API (``web/api/booking.py``), and their mapping
from the read models of :mod:`hemifacial.services.booking_views`."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hemifacial.services.booking_views import (
    BookingView,
    CaseAppointment,
    ClinicianView,
    PatientBooking,
    SlotView,
)

from .schemas import _Strict


class ClinicianPublic(BaseModel):
    id: int
    name: str
    specialty: str
    languages: list[str]
    locations: list[str]


class SlotPublic(BaseModel):
    id: int
    clinician_id: int
    clinician: str
    starts_at: str = Field(description="ISO time in the clinic's zone")
    minutes: int
    location: str
    cancelled: bool


class StaffSlot(SlotPublic):
    booked_case_id: int | None
    booked_name: str | None


class CalendarPublic(BaseModel):
    start: str
    timezone: str
    slots: list[StaffSlot]
    clinicians: list[ClinicianPublic]


class SlotsCreate(_Strict):
    clinician_id: int
    day: str = Field(max_length=20, description="ISO date (the clinic's zone)")
    start: str = Field(max_length=10, description="HH:MM")
    minutes: int = Field(30, ge=5, le=480)
    location: str = Field("", max_length=200)
    repeat: str = Field("none", max_length=20, description="none, weekdays or weekly")
    count: int = Field(1, ge=1, le=100)


class SlotsCreated(BaseModel):
    created: int


class BookingPublic(BaseModel):
    id: int
    case_id: int
    sequence: int
    slot: SlotPublic


class AppointmentPublic(BaseModel):
    case_id: int
    offered: bool
    clinician_id: int | None = Field(description="the clinician offered (None: any)")
    booking: BookingPublic | None


class OfferUpdate(_Strict):
    clinician_id: int | None = Field(None, description="one clinician, or null for any")


class PatientBookingPublic(BaseModel):
    offered: bool
    clinician_id: int | None
    booking: BookingPublic | None
    clinicians: list[ClinicianPublic]
    slots: list[SlotPublic] = Field(description="the free times the patient may choose")


class SlotChoice(_Strict):
    slot_id: int


def clinician_public(c: ClinicianView) -> ClinicianPublic:
    return ClinicianPublic(
        id=c.id,
        name=c.name,
        specialty=c.specialty,
        languages=list(c.languages),
        locations=list(c.locations),
    )


def slot_public(v: SlotView) -> SlotPublic:
    return SlotPublic(
        id=v.id,
        clinician_id=v.clinician_id,
        clinician=v.clinician,
        starts_at=v.starts_at.isoformat(timespec="minutes"),
        minutes=v.minutes,
        location=v.location,
        cancelled=v.cancelled,
    )


def staff_slot(v: SlotView) -> StaffSlot:
    return StaffSlot(
        **slot_public(v).model_dump(), booked_case_id=v.booked_case_id, booked_name=v.booked_name
    )


def booking_public(b: BookingView | None) -> BookingPublic | None:
    if b is None:
        return None
    return BookingPublic(id=b.id, case_id=b.case_id, sequence=b.sequence, slot=slot_public(b.slot))


def appointment_public(a: CaseAppointment) -> AppointmentPublic:
    return AppointmentPublic(
        case_id=a.case_id,
        offered=a.offered,
        clinician_id=a.clinician_id,
        booking=booking_public(a.booking),
    )


def patient_booking_public(p: PatientBooking) -> PatientBookingPublic:
    return PatientBookingPublic(
        offered=p.offered,
        clinician_id=p.clinician_id,
        booking=booking_public(p.booking),
        clinicians=[clinician_public(c) for c in p.clinicians],
        slots=[slot_public(v) for d in p.days for v in d.slots],
    )
