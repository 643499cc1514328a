"""Booking pages over HTTP on both databases: public clinicians, the front desk's slots and
calendar, the offer, and the patient's book / move / cancel with clear refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar

from hemifacial.services import slots

from .helpers import TYPICAL, csrf, intake


def seed_clinicians(app: Any) -> list[int]:
    with app.state.ctx.db.unit_of_work() as s:
        return [
            slots.add_clinician(s, "Dr Ada Lind", "Neurosurgery", ["English", "Korean"], ["Main"]),
            slots.add_clinician(s, "Dr Bo Chen", "Neurology", ["Mandarin Chinese"], ["East"]),
        ]


def next_monday() -> dt.date:
    today = dt.date.today()
    return today + dt.timedelta(days=7 - today.weekday())


def add_slots(clinician: Any, doc: int, day: dt.date, **kw: str) -> Any:
    form = {"clinician_id": str(doc), "day": day.isoformat(), "start": "09:30", **kw}
    return clinician.post("/clinic/desk/slots", data=form, follow_redirects=False)


def test_public_page_lists_the_clinicians(client: Any, app: Any) -> None:
    seed_clinicians(app)
    page = client.get("/our-clinicians").text
    assert "Dr Ada Lind" in page and "English, Korean" in page and "Neurology" in page
    assert 'href="/our-clinicians"' in client.get("/").text


def test_front_desk_creates_slots_and_sees_day_and_week(clinician: Any, app: Any) -> None:
    doc, other = seed_clinicians(app)
    monday = next_monday()
    r = add_slots(clinician, doc, monday, repeat="weekdays", count="5")
    assert r.status_code == 303
    assert (
        add_slots(clinician, other, monday + dt.timedelta(days=2), start="14:00").status_code == 303
    )
    week = clinician.get(f"/clinic/desk?view=week&date={monday.isoformat()}").text
    assert week.count('class="slot free"') == 6
    day = clinician.get(f"/clinic/desk?view=day&date={monday.isoformat()}").text
    assert day.count('class="slot free"') == 1 and "09:30–10:00" in day
    # a clash is refused next to the field, with what was typed kept
    r = add_slots(clinician, doc, monday, start="09:45")
    assert r.status_code == 422 and "already has a slot" in r.text
    assert 'value="09:45"' in r.text
    r = clinician.post("/clinic/desk/slots", data={"clinician_id": str(doc), "day": "x"})
    assert r.status_code == 422 and "Give the date" in r.text


def test_patient_books_moves_and_cancels(client: Any, clinician: Any, app: Any) -> None:
    doc, _ = seed_clinicians(app)
    monday = next_monday()
    add_slots(clinician, doc, monday, repeat="weekly", count="2")
    case = intake(client, "Bea Booker", TYPICAL)
    token, case_id = case["token"], case["case_id"]
    page = client.get(f"/p/{token}/booking").text
    assert "offers you times here" in page and 'name="slot"' not in page
    r = clinician.post(f"/clinic/cases/{case_id}/offer", data={"clinician": ""})
    assert r.status_code == 200 and "can now book" in r.text
    token_csrf = csrf(client)
    page = client.get(f"/p/{token}/booking").text
    assert page.count('name="slot"') == 2
    week = clinician.get(f"/clinic/desk?date={monday.isoformat()}").text
    first = int(week.split('data-slot="')[1].split('"')[0])
    r = client.post(f"/p/{token}/booking", data={"csrf_token": token_csrf, "slot": str(first)})
    assert r.status_code == 200 and "Your consultation is booked." in r.text
    assert "Cancel my appointment" in r.text
    (mail,) = app.state.ctx.booking_mailer.sent
    assert mail.to == "p@example.org" and f"/p/{token}" in mail.body
    ics = client.get(f"/p/{token}/booking.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    event = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event["UID"] == icalendar.Calendar.from_ical(mail.ics).walk("VEVENT")[0]["UID"]
    # the desk sees who booked, the case page links to it
    assert "Bea Booker" in clinician.get(f"/clinic/desk?date={monday.isoformat()}").text
    assert "Booked:" in clinician.get(f"/clinic/cases/{case_id}/appointment").text
    # another patient cannot take the same time
    other = intake(client, "Otto Other", TYPICAL)
    clinician.post(f"/clinic/cases/{other['case_id']}/offer", data={"clinician": str(doc)})
    r = client.post(
        f"/p/{other['token']}/booking", data={"csrf_token": token_csrf, "slot": str(first)}
    )
    assert r.status_code == 409 and "Someone else has just booked this time" in r.text
    # move, then cancel
    page = client.get(f"/p/{token}/booking").text
    second = int(page.split('name="slot" value="')[1].split('"')[0])
    r = client.post(f"/p/{token}/booking", data={"csrf_token": token_csrf, "slot": str(second)})
    assert "Your consultation has a new time." in r.text
    r = client.post(f"/p/{token}/booking/cancel", data={"csrf_token": token_csrf})
    assert "Your consultation is cancelled." in r.text
    assert [m.method for m in app.state.ctx.booking_mailer.sent] == ["REQUEST", "REQUEST", "CANCEL"]
    assert client.get(f"/p/{token}/booking.ics").status_code == 404


def test_front_desk_pages_need_a_login(client: Any) -> None:
    r = client.get("/clinic/desk", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
