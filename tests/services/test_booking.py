"""Booking on both databases: slots, offers, no double booking (also under concurrency),
reschedule and cancel with their invitations, and the idempotent day-before reminder."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy.exc import IntegrityError

from hemifacial.db import tables as t
from hemifacial.db.engine import transaction
from hemifacial.errors import FormError, PermissionDeniedError, SlotTakenError
from hemifacial.services import booking, intake, slots
from hemifacial.services.booking_mail import Email, MemoryMailer

TZ = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


def clinic(mailer: MemoryMailer) -> booking.Clinic:
    return booking.Clinic(TZ, "Test Clinic", "desk@clinic.example", mailer.send)


def setup(factory: Any, patients: int = 1) -> tuple[int, list[int]]:
    with transaction(factory) as s:
        doc = slots.add_clinician(s, "Dr Ada Lind", "Neurosurgery", ["English"], ["Main"])
        case_ids = []
        for i in range(patients):
            contact = intake.Contact(
                name=f"Pat {i}", email=f"p{i}@example.org", phone="", birth_year="", consent=True
            )
            header, _ = intake.start(s, contact, 30)
            case_ids.append(header.id)
            booking.offer(s, header.id, None, "desk")
    return doc, case_ids


def add_slots(factory: Any, doc: int, day: str = "2026-12-08", **kw: str) -> None:
    with transaction(factory) as s:
        req = slots.SlotRequest(str(doc), day, kw.pop("start", "09:30"), **kw)
        slots.create_slots(s, req, TZ, "desk", NOW)


def slot_ids(factory: Any) -> list[int]:
    with transaction(factory) as s:
        return [x.id for x in s.query(t.Slot).order_by(t.Slot.starts_at)]


def parse(ics: bytes) -> Any:
    cal = icalendar.Calendar.from_ical(ics)
    return cal, cal.walk("VEVENT")[0]


def test_slots_are_stored_in_utc_and_repeat_weekly_across_dst(factory: Any) -> None:
    doc, _ = setup(factory)
    add_slots(factory, doc, day="2027-03-22", repeat="weekly", count="3")  # DST on 28 March
    with transaction(factory) as s:
        starts = [x.starts_at for x in s.query(t.Slot).order_by(t.Slot.starts_at)]
        cal = slots.calendar(s, dt.date(2027, 3, 22), 7, TZ)
    # 09:30 in Berlin: 08:30 UTC in winter, 07:30 UTC once summer time starts
    assert starts == [
        dt.datetime(2027, 3, 22, 8, 30),
        dt.datetime(2027, 3, 29, 7, 30),
        dt.datetime(2027, 4, 5, 7, 30),
    ]
    (monday, *_) = cal.days
    assert [v.time_label for v in monday.slots] == ["09:30–10:00"]


def test_weekday_series_skips_the_weekend_and_clashes_are_refused(factory: Any) -> None:
    doc, _ = setup(factory)
    add_slots(factory, doc, day="2026-12-11", repeat="weekdays", count="3")  # Fri, Mon, Tue
    with transaction(factory) as s:
        days = [x.starts_at.date() for x in s.query(t.Slot).order_by(t.Slot.starts_at)]
    assert days == [dt.date(2026, 12, 11), dt.date(2026, 12, 14), dt.date(2026, 12, 15)]
    with pytest.raises(FormError, match="already has a slot"):
        add_slots(factory, doc, day="2026-12-14", start="09:45")  # overlaps 09:30–10:00
    with pytest.raises(FormError, match="in the past"):
        add_slots(factory, doc, day="2026-11-30")
    with pytest.raises(FormError) as bad:
        add_slots(factory, doc, day="soon", minutes="0")
    assert set(bad.value.fields) == {"day", "minutes"}


def test_booking_needs_an_offer_and_sends_the_invitation(factory: Any) -> None:
    doc, (case_id,) = setup(factory)
    add_slots(factory, doc)
    (slot,) = slot_ids(factory)
    mailer = MemoryMailer()
    with transaction(factory) as s:
        s.query(t.BookingOffer).delete()
    with pytest.raises(PermissionDeniedError), transaction(factory) as s:
        booking.book(s, clinic(mailer), case_id, slot, NOW)
    with transaction(factory) as s:
        booking.offer(s, case_id, doc, "desk")
        booking.book(s, clinic(mailer), case_id, slot, NOW, link="https://x/p/tok")
        assert not mailer.sent  # sent only once committed
    (sent,) = mailer.sent
    assert sent.to == "p0@example.org" and sent.subject == "Your consultation is booked"
    assert "Tuesday 8 December 2026 at 09:30" in sent.body and "https://x/p/tok" in sent.body
    assert sent.ics is not None
    cal, event = parse(sent.ics)
    assert cal["METHOD"] == "REQUEST" and event["STATUS"] == "CONFIRMED"
    assert event.decoded("DTSTART") == dt.datetime(2026, 12, 8, 8, 30, tzinfo=dt.UTC)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=30)
    assert event["UID"].endswith("@hemifacial") and event["SEQUENCE"] == 0
    assert str(event["ATTENDEE"]) == "mailto:p0@example.org"
    assert b"DTSTART:20261208T083000Z" in sent.ics


def test_a_slot_cannot_be_booked_twice_nor_a_case_book_two_slots(factory: Any) -> None:
    doc, (a, b) = setup(factory, patients=2)
    add_slots(factory, doc, repeat="weekly", count="2")
    first, second = slot_ids(factory)
    mailer = MemoryMailer()
    with transaction(factory) as s:
        booking.book(s, clinic(mailer), a, first, NOW)
    with pytest.raises(SlotTakenError, match="someone else"), transaction(factory) as s:
        booking.book(s, clinic(mailer), b, first, NOW)
    with pytest.raises(SlotTakenError, match="already have"), transaction(factory) as s:
        booking.book(s, clinic(mailer), a, second, NOW)
    # the database itself refuses a second live booking of a slot (the checks bypassed)
    with pytest.raises(IntegrityError), transaction(factory) as s:
        s.add(t.Booking(case_id=b, slot_id=first, status=t.BOOKED, uid="x@y", sequence=0))
        s.flush()


def test_concurrent_bookings_of_one_slot_give_exactly_one_booking(factory: Any) -> None:
    patients = 6
    doc, case_ids = setup(factory, patients=patients)
    add_slots(factory, doc)
    (slot,) = slot_ids(factory)
    mailer, gate = MemoryMailer(), threading.Barrier(patients)
    outcomes: list[str] = []

    def attempt(case_id: int) -> None:
        gate.wait()
        try:
            with transaction(factory) as s:
                booking.book(s, clinic(mailer), case_id, slot, NOW)
            outcomes.append("booked")
        except SlotTakenError:
            outcomes.append("taken")

    threads = [threading.Thread(target=attempt, args=(c,)) for c in case_ids]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert sorted(outcomes) == ["booked"] + ["taken"] * (patients - 1)
    with transaction(factory) as s:
        assert s.query(t.Booking).filter_by(slot_id=slot, status=t.BOOKED).count() == 1
    assert len(mailer.sent) == 1


def test_concurrent_inserts_are_refused_by_the_unique_index(factory: Any) -> None:
    """Without the service's check at all, the index alone decides the race."""
    doc, (a, b) = setup(factory, patients=2)
    add_slots(factory, doc)
    (slot,) = slot_ids(factory)
    gate, errors = threading.Barrier(2), []

    def insert(case_id: int) -> None:
        gate.wait()
        try:
            with transaction(factory) as s:
                s.add(t.Booking(case_id=case_id, slot_id=slot, status=t.BOOKED, uid=f"{case_id}@t"))
        except IntegrityError:
            errors.append(case_id)

    threads = [threading.Thread(target=insert, args=(c,)) for c in (a, b)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert len(errors) == 1


def test_reschedule_keeps_the_uid_and_cancel_frees_the_slot(factory: Any) -> None:
    doc, (a, b) = setup(factory, patients=2)
    add_slots(factory, doc, repeat="weekly", count="2")
    first, second = slot_ids(factory)
    mailer = MemoryMailer()
    with transaction(factory) as s:
        assert booking.stage(s, a) == "offered"
        booking.book(s, clinic(mailer), a, first, NOW)
        assert booking.stage(s, a) == "booked"
    with transaction(factory) as s:
        booking.reschedule(s, clinic(mailer), a, second, NOW)
    with transaction(factory) as s:
        booking.book(s, clinic(mailer), b, first, NOW)  # the old time is free again
    with transaction(factory) as s:
        booking.cancel(s, clinic(mailer), a, NOW)
    booked, moved, _, cancelled = mailer.sent
    _, e1 = parse(booked.ics or b"")
    _, e2 = parse(moved.ics or b"")
    c3, e3 = parse(cancelled.ics or b"")
    assert moved.subject == "Your consultation was moved"
    assert e1["UID"] == e2["UID"] == e3["UID"]
    assert (e1["SEQUENCE"], e2["SEQUENCE"], e3["SEQUENCE"]) == (0, 1, 2)
    assert e2.decoded("DTSTART") == dt.datetime(2026, 12, 15, 8, 30, tzinfo=dt.UTC)
    assert c3["METHOD"] == "CANCEL" and e3["STATUS"] == "CANCELLED"
    with transaction(factory) as s:
        view = booking.patient_booking(s, a, TZ, NOW)
        assert booking.stage(s, a) == "offered"  # cancelled: the offer stands
    assert view.booking is None
    assert [v.id for d in view.days for v in d.slots] == [second]  # first is b's


def test_front_desk_cancelling_a_slot_tells_the_patient(factory: Any) -> None:
    doc, (a,) = setup(factory)
    add_slots(factory, doc)
    (slot,) = slot_ids(factory)
    mailer = MemoryMailer()
    with transaction(factory) as s:
        booking.book(s, clinic(mailer), a, slot, NOW)
    with transaction(factory) as s:
        booking.cancel_slot(s, clinic(mailer), slot, "desk", NOW)
    assert "The clinic had to cancel" in mailer.sent[-1].body
    with pytest.raises(SlotTakenError, match="no longer available"), transaction(factory) as s:
        booking.book(s, clinic(mailer), a, slot, NOW)


def reminders(sent: list[Email]) -> list[Email]:
    return [e for e in sent if e.subject.startswith("Reminder")]


def test_the_reminder_is_sent_once_the_day_before(factory: Any) -> None:
    doc, (a, b) = setup(factory, patients=2)
    add_slots(factory, doc, repeat="weekly", count="2")  # 8 and 15 December, 08:30 UTC
    first, second = slot_ids(factory)
    mailer = MemoryMailer()
    with transaction(factory) as s:
        booking.book(s, clinic(mailer), a, first, NOW)
        booking.book(s, clinic(mailer), b, second, NOW)
    two_days = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)
    day_before = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    assert booking.send_reminders(factory, clinic(mailer), two_days) == 0
    assert booking.send_reminders(factory, clinic(mailer), day_before) == 1
    assert booking.send_reminders(factory, clinic(mailer), day_before) == 0  # idempotent
    (sent,) = reminders(mailer.sent)
    assert sent.to == "p0@example.org" and "Tuesday 8 December 2026 at 09:30" in sent.body
    # two runners at the same moment: still one reminder for b's booking
    later = dt.datetime(2026, 12, 14, 9, 0, tzinfo=dt.UTC)
    gate, counts = threading.Barrier(3), []

    def run() -> None:
        gate.wait()
        counts.append(booking.send_reminders(factory, clinic(mailer), later))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert sorted(counts) == [0, 0, 1] and len(reminders(mailer.sent)) == 2


def test_a_booking_made_within_24_hours_gets_no_separate_reminder(factory: Any) -> None:
    doc, (a,) = setup(factory)
    add_slots(factory, doc)
    (slot,) = slot_ids(factory)
    mailer = MemoryMailer()
    late = dt.datetime(2026, 12, 7, 20, 0, tzinfo=dt.UTC)
    with transaction(factory) as s:
        booking.book(s, clinic(mailer), a, slot, late)
    assert booking.send_reminders(factory, clinic(mailer), late + dt.timedelta(hours=1)) == 0
    assert [e.subject for e in mailer.sent] == ["Your consultation is booked"]
