"""The patient's side in a real browser (Playwright, Debian's Chromium, an iPhone-sized
touch screen), with a local SMTP server (aiosmtpd) started by the test:

urgent triage on the spot and the clinic's alert e-mail; the private link e-mailed and
followed on another device; "continue my request" by e-mail; a duplicate request flagged
to staff and merged; 2,000-character answers on a 320 px screen; axe-core finds no serious
or critical violation on the patient pages. Screenshots go to the test's temp dir, or to
docs/screenshots when HEMIFACIAL_SCREENSHOTS=docs.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hemifacial.services import accounts
from hemifacial.settings import from_env
from hemifacial.web.app import create_app
from tests.mailserver import Inbox, smtp_server
from tests.support import DOC_SECRET, otp

from .helpers import ARGS, CHROMIUM
from .server import free_port, running

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ALERTS = "alerts@clinic.test"
PHONE_NO = "+1 555 0100"
PASSWORD = "correct horse battery"


@pytest.fixture
def pw() -> Iterator[tuple[Any, Any]]:
    """Playwright with Chromium: the phone's device descriptor comes from Playwright."""
    if not Path(CHROMIUM).exists():
        from tests.db.fixtures import unavailable

        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield p, b
        b.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Inbox]]:
    port = free_port()
    with smtp_server() as inbox:
        settings = from_env(
            {
                "HEMIFACIAL_PUBLIC_URL": f"http://127.0.0.1:{port}",  # the links in e-mails
                "HEMIFACIAL_DATA_DIR": str(tmp_path / "data"),
                "HEMIFACIAL_LANDMARKER": "synthetic",
                "HEMIFACIAL_VIDEO_JOBS": "1",
                "HEMIFACIAL_CLINIC_NAME": "Riverside Facial Nerve Clinic",
                "HEMIFACIAL_CLINIC_ADDRESS": "12 River Road, Springfield",
                "HEMIFACIAL_CLINIC_PHONE": PHONE_NO,
                "HEMIFACIAL_CLINIC_HOURS": "Monday to Friday, 8:00 to 17:00",
                "HEMIFACIAL_CLINIC_ALERT_EMAIL": ALERTS,
                **inbox.settings_env("clinic@riverside.test"),
            },
            mode="dev",
        )
        app = create_app(settings)
        app.state.ctx.db.open()
        with app.state.ctx.db.unit_of_work() as s:
            accounts.create_user(s, "doc", PASSWORD, "Dr Doc", totp_secret=DOC_SECRET)
        with running(app, port) as url:
            yield url, inbox


def phone(pw: tuple[Any, Any], **extra: Any) -> Any:
    p, browser = pw
    device = {k: v for k, v in p.devices["iPhone 13"].items() if k != "default_browser_type"}
    return browser.new_context(**{**device, **extra})


def shot(page: Any, tmp_path: Path, name: str, full: bool = False) -> None:
    path = tmp_path / f"patient-{name}.png"
    page.screenshot(path=str(path), full_page=full, scale="css")
    if os.environ.get("HEMIFACIAL_SCREENSHOTS") == "docs":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS / path.name)


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}×)"
        for v in found
        if v.get("impact") in ("serious", "critical")
    ]


def link_in(inbox: Inbox, message: Any) -> str:
    found = re.search(r"https?://\S+/p/[\w-]+", inbox.body(message))
    assert found, inbox.body(message)
    return found.group(0)


def contact_step(page: Any, url: str, name: str, email: str) -> None:
    page.goto(f"{url}/request")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("I agree that Riverside").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="The twitching").wait_for()


def next_step(page: Any, button: str = "Next") -> None:
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def test_urgent_answers_get_urgent_advice_and_the_clinic_an_alert(
    pw: tuple[Any, Any], site: tuple[str, Inbox], tmp_path: Path
) -> None:
    url, inbox = site
    context = phone(pw)
    page = context.new_page()
    page.goto(url)
    assert page.get_by_text("Riverside Facial Nerve Clinic").first.is_visible()
    assert page.get_by_role("link", name=f"Call {PHONE_NO}").is_visible()
    shot(page, tmp_path, "landing")
    page.get_by_role("link", name="Request a consultation").click()
    page.get_by_role("button", name="Continue").click()  # nothing filled in: plain errors
    assert page.get_by_text("Please enter your name.").is_visible()
    assert page.get_by_text("Please tick the box.").is_visible()
    page.get_by_label("E-mail").fill("dora@example")
    page.get_by_label("I agree that Riverside").check()
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_text("This does not look like an e-mail address").is_visible()
    assert page.get_by_label("I agree that Riverside").is_checked()  # nothing typed is lost
    assert page.get_by_label("E-mail").input_value() == "dora@example"
    shot(page, tmp_path, "contact-errors", full=True)
    assert serious_violations(page) == []
    page.get_by_label("Your name").fill("Dora Double")
    page.get_by_label("E-mail").fill("dora@example.org")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="The twitching").wait_for()
    (mail,) = inbox.wait_for(to="dora@example.org", subject="private link")
    assert "Riverside Facial Nerve Clinic" in inbox.body(mail) and PHONE_NO in inbox.body(mail)
    context.close()

    # the e-mailed link, opened on another phone, goes on where she stopped
    context = phone(pw)
    page = context.new_page()
    page.goto(link_in(inbox, mail))
    page.get_by_role("heading", name="The twitching").wait_for()
    start = page.get_by_role("group", name="Where on your face did the twitching start?")
    assert start.locator("svg.face").count() == 4  # the face diagrams
    start.get_by_label("Around the eye").check()
    page.get_by_role("group", name="Which side of your face").get_by_label("Left").check()
    moves = page.get_by_role("group", name="What do the movements of your face look like?")
    assert moves.get_by_text("The eye squeezes shut and stays shut for a while.").is_visible()
    start.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -60)")
    shot(page, tmp_path, "questions")
    assert serious_violations(page) == []
    next_step(page)
    page.get_by_role("group", name="Is that side of your face weak?").get_by_label("Yes").check()
    page.get_by_role("group", name="Do you have any of these?").get_by_label("Yes").check()
    page.get_by_label("Please tell us about these symptoms").fill("Double vision, numb arm")
    next_step(page)
    next_step(page)
    next_step(page, "Review my answers")
    assert page.get_by_text("Double vision, numb arm").is_visible()
    page.get_by_role("button", name="Send my request").click()
    advice = page.get_by_role("alert").filter(has_text="Please act now")
    advice.wait_for()
    assert "emergency" in advice.inner_text() and "double vision" in advice.inner_text()
    assert advice.get_by_role("link", name=PHONE_NO).get_attribute("href") == "tel:+15550100"
    assert page.locator("ol.next-steps li").count() == 5
    assert "within 5 working days" in page.locator("ol.next-steps").inner_text()
    shot(page, tmp_path, "urgent", full=True)
    assert serious_violations(page) == []

    (alert,) = inbox.wait_for(to=ALERTS, subject="URGENT")
    text = inbox.body(alert)
    assert "other_neurological" in text and "structural_signs" in text
    case_url = re.search(r"http\S+/clinic/cases/\d+", text)
    assert case_url and "numb" not in text.lower()  # the details stay behind the login
    (receipt,) = inbox.wait_for(to="dora@example.org", subject="We received your request")
    assert re.search(r"HFS-\d{5}", inbox.body(receipt))
    context.close()


def test_continue_by_email_sends_a_fresh_link_without_telling_who_is_known(
    pw: tuple[Any, Any], site: tuple[str, Inbox], tmp_path: Path
) -> None:
    url, inbox = site
    context = phone(pw)
    page = context.new_page()
    contact_step(page, url, "Rita Resume", "rita@example.org")
    page.get_by_label("How old were you when the twitching first started?").fill("52")
    next_step(page)  # saved; then she loses the link
    inbox.wait_for(to="rita@example.org")
    context.close()

    context = phone(pw)
    page = context.new_page()
    answers = []
    for address in ("nobody@example.org", "rita@example.org"):
        page.goto(f"{url}/continue")
        page.get_by_label("Your e-mail address").fill(address)
        page.get_by_role("button", name="Send me a new link").click()
        answers.append(page.locator("main").inner_text())
    assert answers[0] == answers[1]  # the same answer, known or not
    shot(page, tmp_path, "continue")
    assert serious_violations(page) == []
    mails = inbox.wait_for(2, to="rita@example.org")
    assert len(mails) == 2 and not inbox.wait_for(to="nobody@example.org", timeout=0.5)
    page.goto(link_in(inbox, mails[-1]))
    page.goto(page.url.replace("history/1", "history/1"))
    assert page.get_by_label("How old were you").input_value() == "52"
    context.close()


def test_a_second_request_with_the_same_email_is_flagged_and_merged(
    pw: tuple[Any, Any], site: tuple[str, Inbox], tmp_path: Path
) -> None:
    url, _ = site
    ids = []
    for answers in ({"side": "left"}, {"age_at_onset": "49"}):
        r = httpx.post(
            f"{url}/api/v1/intake",
            json={
                "contact": {"name": "Tom Twice", "email": "tom@example.org", "consent": True},
                "answers": answers,
            },
        )
        r.raise_for_status()
        ids.append(r.json()["case_id"])
    _, browser = pw
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.goto(f"{url}/clinic/cases/{ids[0]}")
    page.get_by_label("Username").fill("doc")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("One-time code").fill(otp())
    page.get_by_role("button", name="Log in").click()
    side = page.locator("#patient-side")
    side.get_by_text("Possible duplicate").wait_for()
    assert f"Case {ids[1]} · Tom Twice" in side.inner_text() and "same e-mail" in side.inner_text()
    shot(page, tmp_path, "clinic-duplicate", full=False)
    side.get_by_role("button", name=f"Merge case {ids[1]} into this one").click()
    page.wait_for_load_state()
    assert page.locator("#patient-side").count() == 0  # nothing left to flag
    assert "Age at onset" in page.locator("#findings").inner_text()  # the twin's answer moved
    page.goto(f"{url}/clinic/cases/{ids[1]}")
    assert page.locator("#in-status").input_value() == "closed"
    desk.close()


def test_long_answers_fit_a_320_px_screen(
    pw: tuple[Any, Any], site: tuple[str, Inbox], tmp_path: Path
) -> None:
    url, _ = site
    context = phone(
        pw, viewport={"width": 320, "height": 640}, screen={"width": 320, "height": 640}
    )
    page = context.new_page()
    contact_step(page, url, "L" * 200, "long@example.org")
    token = page.url.split("/p/")[1].split("/")[0]
    long = {k: ("x" * 1990) + " end." for k in ("treatments", "medications", "other_diseases")}
    long["side"] = "left"
    httpx.put(f"{url}/api/v1/patient/{token}/draft", json={"answers": long}).raise_for_status()
    widths = {}
    for path in ("history/4", "review"):
        page.goto(f"{url}/p/{token}/{path}")
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 3)")
    shot(page, tmp_path, "review-320")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Send my request").click()
    page.get_by_text("Your request was sent").wait_for()
    widths["home"] = page.evaluate("document.documentElement.scrollWidth")
    assert widths == {"history/4": 320, "review": 320, "home": 320}
    context.close()


@pytest.mark.parametrize(
    "path", ["/", "/request", "/about-hfs", "/privacy", "/continue", "history", "video", "home"]
)
def test_patient_pages_have_no_serious_accessibility_violation(
    pw: tuple[Any, Any], site: tuple[str, Inbox], tmp_path: Path, path: str
) -> None:
    url, _ = site
    context = phone(pw)
    page = context.new_page()
    if path.startswith("/"):
        page.goto(url + path)
    else:
        r = httpx.post(
            f"{url}/api/v1/intake",
            json={
                "contact": {"name": "Axel", "email": "axe@example.org", "consent": True},
                "answers": {"side": "right", "trigeminal_neuralgia": "yes"},
            },
        )
        link = r.json()["link"]
        page.goto(link if path == "home" else f"{link}/{path}{'/1' if path == 'history' else ''}")
        if path == "history":  # a sent request leads home; its questions are checked there
            assert page.url == link
    if path == "/about-hfs":
        shot(page, tmp_path, "about")
    if path == "home":
        assert page.get_by_text("Please call us within a few days").is_visible()
        shot(page, tmp_path, "soon")
    if path == "video":
        assert page.get_by_text("we need your consent", exact=False).is_visible()
        shot(page, tmp_path, "video-consent")
    assert serious_violations(page) == []
    context.close()
