"""Demo clinicians (invented people) and two weeks of consultation slots, for
``hemifacial serve --demo``; the first demo case is offered appointments and has booked one."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hemifacial.settings import Settings

from . import booking, slots
from .booking_mail import MemoryMailer
from .database import Database

CLINICIANS = [
    {
        "name": "Dr Elena Navarro",
        "specialty": "Neurosurgery (facial nerve surgery)",
        "languages": ["English", "Spanish"],
        "locations": ["Main hospital, neurosciences outpatients"],
        "profile": "Sees people considering surgery for hemifacial spasm.",
    },
    {
        "name": "Dr Min-jun Park",
        "specialty": "Neurology (movement disorders)",
        "languages": ["English", "Korean"],
        "locations": ["Main hospital, neurosciences outpatients", "Eastside clinic"],
        "profile": "Diagnosis, scans and botulinum toxin injections.",
    },
    {
        "name": "Dr Li Wen",
        "specialty": "Neurology (movement disorders)",
        "languages": ["English", "Mandarin Chinese"],
        "locations": ["Eastside clinic"],
        "profile": "Diagnosis and botulinum toxin injections.",
    },
]
TIMES = ("09:00", "10:00", "14:00")


def seed_booking(db: Database, settings: Settings, case_id: int | None) -> None:
    """The clinicians, slots on the next ten weekdays, and one booked appointment."""
    tz = ZoneInfo(settings.timezone)
    now = dt.datetime.now(dt.UTC)
    first = slots.today(tz) + dt.timedelta(days=1)
    with db.unit_of_work() as s:
        if slots.clinicians(s):
            return
        ids = [slots.add_clinician(s, **c) for c in CLINICIANS]  # type: ignore[arg-type]
        for doc, locations in zip(ids, (c["locations"] for c in CLINICIANS), strict=True):
            for start in TIMES:
                req = slots.SlotRequest(
                    str(doc), first.isoformat(), start, "30", str(locations[0]), "weekdays", "10"
                )
                slots.create_slots(s, req, tz, "demo", now)
    if case_id is None:
        return
    clinic = booking.clinic_for(settings, MemoryMailer().send)
    with db.unit_of_work() as s:
        booking.offer(s, case_id, None, "demo")
        view = booking.patient_booking(s, case_id, tz, now)
        if view.days:
            booking.book(s, clinic, case_id, view.days[1 % len(view.days)].slots[0].id, now)
