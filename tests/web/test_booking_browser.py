"""Booking in a real Chromium: the front desk adds slots and reads its day and week
calendar; the clinic offers times on a case; the patient, on a phone, books from the
private link, downloads the invitation (.ics checked), gets the reminder when the job runs
with the time injected, moves the appointment and cancels it.

Screenshots go to the test's temp dir, or to docs/screenshots when HEMIFACIAL_SCREENSHOTS=docs.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import icalendar
import pytest

from hemifacial.jobs.inprocess import NullRunner
from hemifacial.services import accounts, slots
from hemifacial.settings import from_env
from hemifacial.web.app import create_app
from tests.support import REPO

from .server import running
from .test_browser import PHONE

pytestmark = pytest.mark.browser
TZ = "Asia/Seoul"  # UTC+9 all year: 09:30 there is 00:30 UTC
DOCS_SHOTS = REPO / "docs" / "screenshots"
PASSWORD = "correct horse battery"


def shot(page: Any, tmp_path: Path, name: str, full: bool = True) -> None:
    path = tmp_path / f"booking-{name}.png"
    page.screenshot(path=str(path), full_page=full)
    if os.environ.get("HEMIFACIAL_SCREENSHOTS") == "docs":
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS_SHOTS / path.name)


def no_serious_violations(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    bad = [v["id"] for v in found if v["impact"] in ("serious", "critical")]
    assert not bad, bad


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    settings = from_env(
        {"HEMIFACIAL_DATA_DIR": str(tmp_path / "data"), "HEMIFACIAL_TIMEZONE": TZ}, mode="dev"
    )
    app = create_app(settings, runner=NullRunner())
    ctx = app.state.ctx
    ctx.db.open()
    with ctx.db.unit_of_work() as s:
        accounts.create_user(s, "desk", PASSWORD, "Front Desk", "front_desk")
        slots.add_clinician(
            s, "Dr Elena Navarro", "Neurosurgery", ["English", "Spanish"], ["Main hospital"]
        )
        slots.add_clinician(s, "Dr Min-jun Park", "Neurology", ["English", "Korean"], ["East"])
    with running(app) as url:
        yield url, ctx


def monday_after_next() -> dt.date:
    today = dt.datetime.now(ZoneInfo(TZ)).date()
    return today + dt.timedelta(days=14 - today.weekday())


def add_slots(page: Any, clinician: str, day: dt.date, start: str, repeat: str, count: str) -> None:
    page.get_by_label("Clinician", exact=True).select_option(label=clinician)
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Start", exact=True).fill(start)
    page.get_by_label("Repeat").select_option(label=repeat)
    page.get_by_label("How many").fill(count)
    page.get_by_role("button", name="Add slots").click()


def front_desk(browser: Any, url: str, tmp_path: Path, monday: dt.date) -> Any:
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.goto(f"{url}/login?next=/clinic/desk")
    page.get_by_label("Username").fill("desk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Consultation calendar").wait_for()
    add_slots(page, "Dr Elena Navarro", monday, "09:30", "Every week", "2")
    page.get_by_text("2 slots created.").wait_for()
    add_slots(page, "Dr Min-jun Park", monday + dt.timedelta(days=1), "14:00", "Every weekday", "3")
    page.get_by_text("3 slots created.").wait_for()
    page.goto(f"{url}/clinic/desk?view=week&date={monday.isoformat()}")
    assert page.locator("li.slot.free").count() == 4  # Mon Navarro; Tue, Wed, Thu Park
    return desk


def test_book_remind_move_and_cancel(browser: Any, server: tuple[str, Any], tmp_path: Path) -> None:
    url, ctx = server
    monday = monday_after_next()
    desk = front_desk(browser, url, tmp_path, monday)
    staff = desk.pages[0]
    r = httpx.post(
        f"{url}/api/v1/intake",
        json={
            "contact": {"name": "Rosa Reyes", "email": "rosa@example.org", "consent": True},
            "answers": {"age_at_onset": "55", "side": "left"},
        },
    )
    token, case_id = r.json()["link"].rsplit("/", 1)[1], r.json()["case_id"]
    staff.goto(f"{url}/clinic/cases/{case_id}/appointment")
    staff.get_by_label("Offer appointments with").select_option(label="Any clinician")
    staff.get_by_role("button", name="Offer appointments").click()
    staff.get_by_text("The patient can now book").wait_for()

    phone = browser.new_context(**PHONE, accept_downloads=True)
    page = phone.new_page()
    page.goto(f"{url}/p/{token}")
    page.get_by_role("link", name="Book or change your appointment").click()
    page.get_by_role("heading", name="Choose a time").wait_for()
    page.get_by_label("Clinician").select_option(
        label="Dr Elena Navarro — Neurosurgery (English, Spanish)"
    )
    page.get_by_role("button", name="Show times").click()
    assert page.locator("input[name=slot]").count() == 2  # only Dr Navarro's two Mondays
    no_serious_violations(page)
    shot(page, tmp_path, "choose")
    page.set_viewport_size({"width": 320, "height": 700})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size(PHONE["viewport"])
    page.get_by_label("09:30–10:00 · Dr Elena Navarro · Main hospital").first.check()
    page.get_by_role("button", name="Book this time").click()
    page.get_by_text("Your consultation is booked.").wait_for()
    assert monday.strftime("%A") in page.locator("#appointment").inner_text()
    shot(page, tmp_path, "booked")

    # the invitation: downloaded from the page and attached to the e-mail, the same event
    with page.expect_download() as dl:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    cal = icalendar.Calendar.from_ical(Path(dl.value.path()).read_bytes())
    event = cal.walk("VEVENT")[0]
    start_utc = dt.datetime.combine(monday, dt.time(9, 30), ZoneInfo(TZ)).astimezone(dt.UTC)
    assert event.decoded("DTSTART") == start_utc and start_utc.hour == 0
    assert event.to_ical().count(b"DTSTART:") == 1 and b"T003000Z" in event.to_ical()
    (mail,) = ctx.booking_mailer.sent
    sent_event = icalendar.Calendar.from_ical(mail.ics).walk("VEVENT")[0]
    assert icalendar.Calendar.from_ical(mail.ics)["METHOD"] == "REQUEST"
    assert sent_event["UID"] == event["UID"] and sent_event["SEQUENCE"] == 0
    assert mail.to == "rosa@example.org" and f"/p/{token}" in mail.body

    # the front desk sees who booked
    staff.goto(f"{url}/clinic/desk?view=day&date={monday.isoformat()}")
    assert staff.locator("li.slot.booked").inner_text().count("Rosa Reyes") == 1
    shot(staff, tmp_path, "desk-day")
    staff.goto(f"{url}/clinic/desk?view=week&date={monday.isoformat()}")
    assert staff.locator("li.slot.booked").count() == 1
    shot(staff, tmp_path, "desk-week")

    # the reminder job, with the time injected: nothing two days before, one the day before
    assert ctx.scheduler.run_once(start_utc - dt.timedelta(hours=48)) == {"booking-reminders": 0}
    assert ctx.scheduler.run_once(start_utc - dt.timedelta(hours=20)) == {"booking-reminders": 1}
    assert ctx.scheduler.run_once(start_utc - dt.timedelta(hours=19)) == {"booking-reminders": 0}
    reminder = ctx.booking_mailer.sent[-1]
    assert reminder.subject == "Reminder: your consultation tomorrow"
    assert "09:30" in reminder.body and reminder.to == "rosa@example.org"

    # move to the second Monday: same UID, next SEQUENCE
    page.goto(f"{url}/p/{token}/booking")
    page.get_by_role("heading", name="Choose another time").wait_for()
    page.locator("input[name=slot]").first.wait_for()
    later = monday + dt.timedelta(days=7)
    page.get_by_role("group", name=f"{later:%A} {later.day} {later:%B %Y}").get_by_label(
        "09:30–10:00 · Dr Elena Navarro · Main hospital"
    ).check()
    page.get_by_role("button", name="Move my appointment to this time").click()
    page.get_by_text("Your consultation has a new time.").wait_for()
    moved = icalendar.Calendar.from_ical(ctx.booking_mailer.sent[-1].ics).walk("VEVENT")[0]
    assert moved["UID"] == event["UID"] and moved["SEQUENCE"] == 1
    assert moved.decoded("DTSTART") == start_utc + dt.timedelta(days=7)

    # cancel: METHOD:CANCEL, and the time is free again on the desk's calendar
    page.get_by_role("button", name="Cancel my appointment").click()
    page.get_by_text("Your consultation is cancelled.").wait_for()
    cancelled = icalendar.Calendar.from_ical(ctx.booking_mailer.sent[-1].ics)
    assert cancelled["METHOD"] == "CANCEL"
    assert cancelled.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    assert cancelled.walk("VEVENT")[0]["UID"] == event["UID"]
    staff.goto(f"{url}/clinic/desk?view=week&date={later.isoformat()}")
    assert staff.locator("li.slot.booked").count() == 0
    assert staff.locator("li.slot.free").count() >= 1
    no_serious_violations(staff)
    phone.close()
    desk.close()


def test_clinicians_page_and_front_desk_cancel_on_a_phone(
    browser: Any, server: tuple[str, Any], tmp_path: Path
) -> None:
    url, _ = server
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    page.goto(url)
    page.get_by_role("link", name="Our clinicians").click()
    page.get_by_role("heading", name="Dr Min-jun Park").wait_for()
    assert "English, Korean" in page.locator("#clinician-2").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    no_serious_violations(page)
    shot(page, tmp_path, "clinicians")
    phone.close()
    monday = monday_after_next()
    desk = front_desk(browser, url, tmp_path, monday)
    staff = desk.pages[0]
    staff.get_by_role(
        "button", name=f"Cancel the slot 09:30–10:00 on {monday:%A} {monday.day} {monday:%B %Y}"
    ).click()
    staff.locator("li.slot.cancelled").wait_for()
    assert staff.locator("li.slot.free").count() == 3
    desk.close()
