"""The clinician's side in a real browser (Playwright driving Debian's Chromium): the
player seeks to an event through range requests and a cursor follows playback; an event
marked wrong changes the video's findings; a disagreement between sources is resolved; a
dated result with an attachment re-ranks and the confirmation takes the focus; an edit is
audited. Screenshots go to the test's temp dir, or to docs/screenshots when
HEMIFACIAL_SCREENSHOTS=docs."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hemifacial.db import tables as t
from hemifacial.jobs.inprocess import InProcessRunner
from hemifacial.services import accounts
from hemifacial.settings import from_env
from hemifacial.web.app import create_app
from tests.doubles import events_analyzer
from tests.services.test_results import png
from tests.support import DOC_SECRET, otp

from .helpers import chromium
from .server import running

DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "correct horse battery"

pytestmark = pytest.mark.browser


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium("--autoplay-policy=no-user-gesture-required") as b:
        yield b


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """The app on a loopback port, its videos read by the events double (three right
    spasms, one left, one blink: the analyser says 'both')."""
    settings = from_env(
        {"HEMIFACIAL_DATA_DIR": str(tmp_path / "data"), "HEMIFACIAL_VIDEO_JOBS": "1"},
        mode="dev",
    )
    app = create_app(settings)
    ctx = app.state.ctx
    ctx.runner = InProcessRunner(ctx.db.factory, settings, ctx.kb, analyzer=events_analyzer)
    ctx.db.open()
    with ctx.db.unit_of_work() as s:
        accounts.create_user(s, "doc", PASSWORD, "Dr Doc", totp_secret=DOC_SECRET)
    with running(app) as url:
        yield url, app


def shot(page: Any, tmp_path: Path, name: str, selector: str | None = None) -> None:
    path = tmp_path / f"{name}.png"
    if selector:
        page.locator(selector).screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=False)
    if os.environ.get("HEMIFACIAL_SCREENSHOTS") == "docs":
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS_SHOTS / path.name)


def _new_case(url: str, name: str, answers: dict[str, str]) -> int:
    r = httpx.post(
        f"{url}/api/v1/intake",
        json={
            "contact": {"name": name, "email": "p@example.org", "consent": True},
            "answers": answers,
        },
    )
    r.raise_for_status()
    return int(r.json()["case_id"])


def _log_in(browser: Any, url: str) -> Any:
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = desk.new_page()
    page.goto(f"{url}/login")
    page.get_by_label("Username").fill("doc")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("One-time code").fill(otp())
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/clinic")
    return page


def _audited(app: Any, action: str) -> list[t.AuditEvent]:
    with app.state.ctx.db.unit_of_work() as s:
        return list(s.scalars(select(t.AuditEvent).where(t.AuditEvent.action == action)))


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page (rule id and first target)."""
    from axe_playwright_python.sync_playwright import Axe

    response = Axe().run(page).response
    assert response["passes"], "axe-core did not run"
    found = response["violations"]
    return [
        f"{v['id']}: {v['nodes'][0]['target']}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_video_review_seeks_by_range_requests_and_a_wrong_event_changes_the_findings(
    browser: Any, served: tuple[str, Any], tmp_path: Path, synthetic_clip: Path
) -> None:
    url, app = served
    case_id = _new_case(url, "Wendy Wink", {"age_at_onset": "52", "side": "left"})
    page = _log_in(browser, url)
    media: list[tuple[int, str | None]] = []
    page.on(
        "response",
        lambda r: (
            media.append((r.status, r.request.headers.get("range"))) if "/media" in r.url else None
        ),
    )
    page.goto(f"{url}/clinic/cases/{case_id}")
    page.locator("#videos summary", has_text="Upload a video").click()
    page.set_input_files("#videos input[type=file]", str(synthetic_clip))
    page.get_by_role("button", name="Upload and analyse").click()
    page.locator("video.player").wait_for()  # playable at once, before the analysis
    page.locator("svg.timeline-svg").wait_for(timeout=60_000)  # the job finished, page refreshed
    page.wait_for_function("() => document.querySelector('video.player').readyState >= 1")
    assert "Affected side: <b>both</b>" in page.locator("#videos").inner_html()

    # an event in the list: the video jumps to its start, fetched with range requests
    page.get_by_role("button", name="Event 2: clonic spasm, right eye, 2.6–3.5 s").click()
    page.wait_for_function(
        "() => Math.abs(document.querySelector('video.player').currentTime - 2.6) < 0.05"
    )
    assert any(status == 206 and rng for status, rng in media), media
    # a click on the timeline's event: the same, the other way round
    page.locator("svg.timeline-svg rect.tl-event[data-index='3']").click()
    page.wait_for_function(
        "() => Math.abs(document.querySelector('video.player').currentTime - 4.4) < 0.05"
    )
    # playing moves the cursor along the timeline
    cursor = page.locator("svg.timeline-svg .tl-cursor")
    x_before = float(cursor.get_attribute("x1") or 0)
    page.evaluate("document.querySelector('video.player').play()")
    page.wait_for_function(
        "() => parseFloat(document.querySelector('svg.timeline-svg').dataset.cursor) > 4.9"
    )
    page.evaluate("document.querySelector('video.player').pause()")
    assert float(cursor.get_attribute("x1") or 0) > x_before
    page.get_by_role("button", name="Event 2: clonic spasm, right eye, 2.6–3.5 s").click()
    page.wait_for_function(
        "() => Math.abs(document.querySelector('video.player').currentTime - 2.6) < 0.05"
    )
    assert not serious_violations(page), "axe: serious or critical accessibility problems"
    page.locator("#videos").scroll_into_view_if_needed()
    shot(page, tmp_path, "case-video-review", "#videos .video-review")

    # the one left event is a wink, not a spasm: marked wrong, the side becomes right
    page.get_by_role("button", name="Mark event 3 wrong").click()
    flash = page.locator(".flash", has_text="Your review of the video is saved.")
    flash.wait_for()
    page.wait_for_function("() => document.activeElement.classList.contains('flash')")
    videos = page.locator("#videos").inner_html()
    assert "Affected side: <b>right</b>" in videos and "side = right" in videos
    assert page.locator("rect.tl-event.v-wrong[data-index='2']").count() == 1
    assert [a.detail["verdict"] for a in _audited(app, "video.review")] == ["wrong"]
    assert _audited(app, "video.stream"), "playing the video was not audited"

    # the patient said left, the video now says right: the banner names it at the top
    banner = page.locator("#conflicts")
    assert "the patient says left; the video suggests right" in banner.inner_text()
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, tmp_path, "case-conflicts")
    banner.get_by_role("button", name="Count right for Side affected").click()
    page.locator(".flash", has_text="Your choice is saved").wait_for()
    assert page.locator("#conflicts .conflict[data-finding='side']").count() == 0
    assert page.locator("#findings").get_by_text("clinician").count() >= 1
    assert _audited(app, "conflict.resolve")[0].detail == {"finding": "side", "value": "right"}
    page.context.close()


def test_a_dated_result_with_an_attachment_re_ranks_confirms_and_an_edit_is_audited(
    browser: Any, served: tuple[str, Any], tmp_path: Path
) -> None:
    url, app = served
    case_id = _new_case(
        url, "Rita Result", {"age_at_onset": "58", "side": "left", "other_babinski": "yes"}
    )
    page = _log_in(browser, url)
    page.goto(f"{url}/clinic/cases/{case_id}")
    assert page.locator("#ranking tr[data-condition]").first.get_attribute("data-condition") != (
        "structural_lesion"
    )
    form = page.locator("#form-test")
    form.get_by_label("Test", exact=True).select_option("mri_protocol")
    form.get_by_label("Date of the test").fill("2026-11-20")
    form.get_by_label("Report (as written").fill(
        "Enhancing mass in the left cerebellopontine angle."
    )
    form.get_by_label("Attachment").set_input_files(
        files=[{"name": "mri-report.png", "mimeType": "image/png", "buffer": png()}]
    )
    page.locator("#test-mri_mass_lesion").select_option("yes")
    page.get_by_role("button", name="Save test results and re-rank").click()
    flash = page.locator("#flash")
    flash.wait_for()
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'flash'")
    text = flash.inner_text()
    assert "Test result saved." in text and "Tumour or other structural lesion" in text
    assert "→" in text and "new red flag" in text
    assert (
        page.locator("#ranking tr[data-condition]").first.get_attribute("data-condition")
        == "structural_lesion"
    )
    # the form keeps the value now in effect
    assert page.locator("#test-mri_mass_lesion").input_value() == "yes"
    result = page.locator("#results .result").first
    assert "2026-11-20 · entered by doc" in result.inner_text()
    assert not serious_violations(page), "axe: serious or critical accessibility problems"
    shot(page, tmp_path, "case-result-confirmation")
    with page.expect_download() as got:
        result.get_by_role("link", name="mri-report.png").click()
    assert got.value.suggested_filename == "mri-report.png"
    assert Path(got.value.path()).read_bytes() == png()

    # a note corrected: the page confirms, the audit keeps the old text
    page.get_by_label("Add a note").fill("Refer to neurosurgery?")
    page.get_by_role("button", name="Save note").click()
    note = page.locator("#notes .note").first
    note.wait_for()
    note.locator("summary").click()
    note.get_by_role("textbox", name="Note", exact=True).fill(
        "Refer to neurosurgery after the MRI review."
    )
    note.get_by_role("button", name="Save correction").click()
    page.locator(".flash", has_text="Note corrected.").wait_for()
    assert "after the MRI review" in page.locator("#notes").inner_text()
    (edit,) = _audited(app, "note.edit")
    assert (edit.actor, edit.detail["old"]) == ("doc", "Refer to neurosurgery?")
    page.context.close()
