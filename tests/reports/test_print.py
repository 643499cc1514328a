"""The case page printed by Chromium: a few pages with the clinical content, no forms; its
"Report (PDF)" link gives the PDF."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hemifacial.services import accounts
from hemifacial.web.app import create_app
from tests.support import DOC_SECRET, otp
from tests.web.helpers import chromium
from tests.web.server import running

from .conftest import Seeded

pytestmark = pytest.mark.browser
KEPT = (
    "Red flags",
    "Ranked causes",
    "Recommended next tests",
    "Findings",
    "Videos",
    "Course over visits",
    "What this system cannot know",
)
HIDDEN = (
    "Save test results and re-rank",
    "Log out",
    "Create a new link",
    "Upload a video",
    "Report (PDF)",
)


@pytest.fixture(scope="module")
def page(seeded: Seeded) -> Iterator[Any]:
    app = create_app(seeded.settings)
    with app.state.ctx.db.unit_of_work() as s:
        accounts.create_user(
            s, "printer", "correct horse battery", "Dr Print", totp_secret=DOC_SECRET
        )
    with running(app) as url, chromium() as browser:
        tab = browser.new_page()
        tab.goto(f"{url}/login")
        tab.fill("input[name=username]", "printer")
        tab.fill("input[name=password]", "correct horse battery")
        tab.fill("input[name=otp]", otp())
        tab.click("button[type=submit]")
        tab.goto(f"{url}/clinic/cases/{seeded.typical}")
        yield tab


def test_the_printed_case_page_is_a_few_pages_of_clinical_content(
    page: Any, tmp_path: Path
) -> None:
    pdf = tmp_path / "case.pdf"
    page.pdf(path=str(pdf), format="A4")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True)
    pages = int(next(x.split()[-1] for x in info.stdout.splitlines() if x.startswith("Pages:")))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert pages <= 5, pages
    for heading in KEPT:
        assert heading in text, heading
    for control in HIDDEN:
        assert control not in text, control


def test_the_report_link_gives_the_pdf(page: Any) -> None:
    href = page.get_attribute("text=Report (PDF)", "href")
    response = page.request.get(page.url.split("/clinic")[0] + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
