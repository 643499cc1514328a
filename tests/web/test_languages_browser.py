"""Every patient page in every language, in Chromium on a 320 px phone screen: the page
says its language, axe-core finds no serious or critical violation, nothing is wider than
the screen (Spanish is long, Korean and Chinese break differently). The request form's
screenshots go to docs/screenshots with HEMIFACIAL_SCREENSHOTS=docs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from hemifacial.services.i18n import LANGUAGES, html_lang
from tests.mailserver import Inbox
from tests.web.test_patient_side import phone, pw, serious_violations, shot, site

__all__ = ["pw", "site"]  # fixtures shared with the patient-side tests
pytestmark = pytest.mark.browser
PUBLIC = ["/", "/request", "/about-hfs", "/privacy", "/continue", "/our-clinicians", "/nope"]
PRIVATE = ["history/1", "history/2", "review", "home", "video", "booking"]


def _draft(page: Any, url: str) -> str:
    """A request started in the browser (the page's own language); its private link."""
    page.goto(f"{url}/request")
    page.fill("#in-name", "Lucía")
    page.fill("#in-email", "lucia@example.org")
    page.check("input[name=consent]")
    page.click("form[action='/request'] button[type=submit]")
    page.wait_for_url("**/history/1")
    return str(page.url).rsplit("/history/", 1)[0]


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_patient_page_in_every_language_is_accessible_and_fits_320_px(
    pw: tuple[Any, Any], site: tuple[str, Inbox], tmp_path: Path, lang: str
) -> None:
    url, _ = site
    context = phone(
        pw, viewport={"width": 320, "height": 640}, screen={"width": 320, "height": 640}
    )
    page = context.new_page()
    page.goto(f"{url}/?lang={lang}")  # the first page chooses; the cookie remembers
    draft = _draft(page, url)
    shot(page, tmp_path, f"form-{lang}")
    sent = httpx.post(
        f"{url}/api/v1/intake",
        json={
            "contact": {"name": "Axel", "email": "axe@example.org", "consent": True},
            "answers": {"side": "right", "trigeminal_neuralgia": "yes"},
        },
    ).json()["link"]
    problems: dict[str, Any] = {}
    for path in PUBLIC + PRIVATE:
        if path.startswith("/"):
            target = url + path
        elif path.startswith(("history", "review")):
            target = f"{draft}/{path}"
        else:
            target = sent if path == "home" else f"{sent}/{path}"
        page.goto(target)
        said = page.evaluate("document.documentElement.lang")
        width = page.evaluate("document.documentElement.scrollWidth")
        found = serious_violations(page)
        if said != html_lang(lang) or width > 320 or found:
            problems[path] = {"lang": said, "width": width, "axe": found}
        if path in ("/", "home"):
            shot(page, tmp_path, f"{'landing' if path == '/' else 'home'}-{lang}")
    context.close()
    assert problems == {}
