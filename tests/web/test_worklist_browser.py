"""The worklist and the case page's reading aids in a real browser (Playwright, Chromium):
sorting and filters, drafts and duplicates, assignment, "new since you looked", the layout at
1024 and 600 px, and axe-core on the clinic pages. Screenshots go to the test's temp dir,
or to docs/screenshots with HEMIFACIAL_SCREENSHOTS=docs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hemifacial.services import accounts, intake
from hemifacial.settings import from_env
from hemifacial.web.app import create_app
from tests.support import DOC_SECRET, otp

from .server import running

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "correct horse battery"
PEOPLE = [  # name, e-mail, year of birth, answers
    ("Ada Left", "ada@example.org", 1966, {"age_at_onset": "52", "side": "left", "sex": "female"}),
    (
        "Ben Right",
        "ben@example.org",
        1990,
        {"age_at_onset": "27", "side": "right", "sex": "male", "other_neuro_symptoms": "yes"},
    ),
    (
        "Cleo Both",
        "cleo@example.org",
        1950,
        {"age_at_onset": "66", "side": "both", "sex": "female"},
    ),
    ("Ada Again", "ADA@example.org", 1966, {"age_at_onset": "52", "side": "left"}),
    ("Dan Nothing", "dan@example.org", 1980, {}),
]


def shot(page: Any, tmp_path: Path, name: str, full: bool = False) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=full)
    if os.environ.get("HEMIFACIAL_SCREENSHOTS") == "docs":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS / path.name)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    settings = from_env(
        {"HEMIFACIAL_DATA_DIR": str(tmp_path / "data"), "HEMIFACIAL_LANDMARKER": "synthetic"},
        mode="dev",
    )
    app = create_app(settings)
    db = app.state.ctx.db
    db.open()
    with db.unit_of_work() as s:
        accounts.create_user(s, "doc", PASSWORD, "Dr Doc", totp_secret=DOC_SECRET)
        accounts.create_user(s, "eve", PASSWORD, "Dr Eve")
        contact = intake.Contact("Fay Draft", "fay@example.org", "", "1970", True)
        intake.start(s, contact, 7)
    with running(app) as url:
        for name, email, born, answers in PEOPLE:
            httpx.post(
                f"{url}/api/v1/intake",
                json={
                    "contact": {
                        "name": name,
                        "email": email,
                        "birth_year": str(born),
                        "consent": True,
                    },
                    "answers": answers,
                },
            ).raise_for_status()
        yield url


_SESSIONS: dict[str, Any] = {}


def _log_in(page: Any, url: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Username").fill("doc")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("One-time code").fill(otp())
    page.get_by_role("button", name="Log in").click()
    page.locator("table.worklist").wait_for()


def login(browser: Any, url: str, width: int, height: int = 800) -> Any:
    """A page of the worklist at ``width``, logged in as doc. A one-time code is good for
    one login, so later windows of the same test reuse the first login's session."""
    if url not in _SESSIONS:
        first = browser.new_context()
        _log_in(first.new_page(), url)
        _SESSIONS[url] = first.storage_state()
        first.close()
    context = browser.new_context(
        viewport={"width": width, "height": height}, storage_state=_SESSIONS[url]
    )
    page = context.new_page()
    page.goto(f"{url}/clinic")
    page.locator("table.worklist").wait_for()
    return page


def column(page: Any, label: str) -> list[str]:
    cells = page.locator(f'table.worklist tbody td[data-label="{label}"]')
    return [c.strip() for c in cells.all_inner_texts()]


def names(page: Any) -> list[str]:
    return page.locator('td[data-label="Patient"] > a:first-child').all_inner_texts()


def fits(page: Any, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        "w => [...document.querySelectorAll('body *')].filter(e => "
        "e.getBoundingClientRect().right > w + 1).slice(0, 5).map(e => e.tagName + '.' + "
        "e.className + ' ' + (e.getAttribute('data-label') || e.getAttribute('name') || ''))",
        width,
    )
    assert scroll <= width, f"the page is {scroll} px wide in a {width} px window: {wide}"


def test_sorting_filters_views_assignment_and_new(browser: Any, site: str, tmp_path: Path) -> None:
    page = login(browser, site, 1024)
    fits(page, 1024)
    assert len(column(page, "Patient")) == 5  # the draft is in its own view
    assert column(page, "Red flags")[0] != "none"  # red flags first by default
    assert set(column(page, "Unread")) == {"unread"}  # never looked at
    row = page.locator("tr", has_text="Dan Nothing")
    assert "no findings yet" in row.inner_text()  # not the prior as if it were a result
    assert row.locator('td[data-label="Probability"]').inner_text().strip() == "–"

    page.locator("th a[data-sort=age]").click()
    ages = [int(a) for a in column(page, "Age")]
    assert ages == sorted(ages) and page.locator("th[aria-sort=ascending]").count() == 1
    page.locator("th a[data-sort=age]").click()
    assert [int(a) for a in column(page, "Age")] == sorted(ages, reverse=True)
    page.locator("th a[data-sort=name]").click()
    assert names(page) == sorted(names(page))

    page.get_by_label("Side").select_option("left")
    page.get_by_role("button", name="Filter").click()
    assert set(column(page, "Side")) == {"left"} and len(column(page, "Side")) == 2
    assert "sort=name" in page.url  # the sort survives the filter
    page.get_by_label("Sex").select_option("female")
    page.get_by_role("button", name="Filter").click()
    assert names(page) == ["Ada Left"]
    shot(page, tmp_path, "worklist-filtered")

    page.goto(f"{site}/clinic?sort=bogus&side=up&page=x")  # a stale or edited link still opens
    assert len(column(page, "Patient")) == 5
    page.get_by_role("link", name="Drafts (1)").click()
    assert names(page) == ["Fay Draft"]
    page.get_by_role("link", name="Possible duplicates").click()
    assert sorted(names(page)) == ["Ada Again", "Ada Left"]  # ADA@example.org = ada@…

    page.goto(f"{site}/clinic")
    page.locator("tr", has_text="Cleo Both").locator("button", has_text="assign to me").click()
    assert (
        page.locator("tr", has_text="Cleo Both")
        .locator('td[data-label="Assigned to"]')
        .inner_text()
        .strip()
        == "doc"
    )
    page.get_by_label("Assigned to").select_option("me")
    page.get_by_role("button", name="Filter").click()
    assert names(page) == ["Cleo Both"]

    page.goto(f"{site}/clinic")
    page.get_by_role("link", name="Ben Right").click()
    page.locator("#summary").wait_for()
    page.goto(f"{site}/clinic")
    assert page.locator("tr", has_text="Ben Right").locator(".new-dot").count() == 0
    assert page.locator("tr", has_text="Ada Left").locator(".new-dot").count() == 1
    page.get_by_label("Unread only").check()
    page.get_by_role("button", name="Filter").click()
    assert "Ben Right" not in names(page) and "Ada Left" in names(page)
    page.goto(f"{site}/clinic")
    shot(page, tmp_path, "worklist")


def test_the_worklist_becomes_cards_on_a_narrow_screen(
    browser: Any, site: str, tmp_path: Path
) -> None:
    page = login(browser, site, 600, 1000)
    fits(page, 600)
    head = page.locator("table.worklist thead").bounding_box()
    assert head is not None and head["height"] <= 1  # visually hidden, kept for screen readers
    cell = page.locator('table.worklist tbody td[data-label="Leading cause"]').first
    assert cell.evaluate("c => getComputedStyle(c, '::before').content") == '"Leading cause"'
    assert page.locator("table.worklist tbody tr").first.bounding_box()["width"] <= 600
    shot(page, tmp_path, "worklist-narrow", full=True)


def test_the_case_page_reads_at_a_glance(browser: Any, site: str, tmp_path: Path) -> None:
    page = login(browser, site, 1280, 900)
    page.get_by_role("link", name="Ben Right").click()
    summary = page.locator("#summary").inner_text()
    for part in ("years old", "male", "right side", "for about", "leading:", "red flags: 1"):
        assert part in summary, summary
    first = page.locator("#ranking details.explain").first
    assert first.locator(":scope > ul > li").count() <= 5
    tests = page.locator("#next-tests ol.tests > li")
    assert tests.count() >= 1
    assert "bits" not in tests.first.locator(":scope > b").inner_text()
    assert not tests.first.locator("details.numbers p").is_visible()  # one click away
    tests.first.locator("details.numbers summary").click()
    assert "bits about the cause" in tests.first.locator("details.numbers p").inner_text()
    links = page.locator("#ranking a.cite")
    assert links.count() >= 1
    href = links.first.get_attribute("href") or ""
    assert href.startswith(("https://doi.org/10.", "https://pubmed.ncbi.nlm.nih.gov/"))
    section = tmp_path / "case-next-tests.png"
    page.locator("#next-tests").screenshot(path=str(section))
    page.locator("#ranking details.explain").first.screenshot(path=str(tmp_path / "case-why.png"))
    if os.environ.get("HEMIFACIAL_SCREENSHOTS") == "docs":
        for name in ("case-next-tests.png", "case-why.png"):
            shutil.copy(tmp_path / name, DOCS / name)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, tmp_path, "case-summary")
    page.get_by_label("Assigned to").select_option("eve")  # to a colleague
    page.get_by_role("button", name="Assign").click()
    page.locator("#summary").wait_for()
    assert page.get_by_label("Assigned to").input_value() == "eve"
    page.goto(f"{site}/clinic?assignee=eve")
    assert names(page) == ["Ben Right"]
    page.goto(f"{site}/clinic")
    page.get_by_role("link", name="Dan Nothing").click()
    assert "no findings yet" in page.locator("#summary").inner_text()
    assert page.locator("#ranking .no-findings").is_visible()
    assert not page.locator("#ranking table.ranking").is_visible()  # the prior is folded


def _serious(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_finds_no_serious_violation_on_the_clinic_pages(browser: Any, site: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{site}/login")
    problems = {"login": _serious(page)}
    _log_in(page, site)
    problems["worklist"] = _serious(page)
    page.get_by_role("link", name="Ben Right").click()
    page.locator("#summary").wait_for()
    problems["case page"] = _serious(page)
    page.goto(f"{site}/clinic/evidence")
    problems["evidence browser"] = _serious(page)
    assert problems == {k: [] for k in problems}


def test_the_course_chart_keeps_every_label_inside_its_frame(browser: Any, tmp_path: Path) -> None:
    import datetime as dt

    from hemifacial.services.views import CourseRow, VisitView
    from hemifacial.web.charts import course_svg

    rows = [
        CourseRow(1, "2026-01-05", "before botulinum toxin", "", "left", 14.2, 9.5, 4),
        CourseRow(2, "2026-04-20", "after 1st injection", "", "left", 5.1, 2.2, 2),
        CourseRow(3, "2026-09-14", "after 2nd injection", "", "left", 3.0, 1.1, 1),
    ]
    visits = [
        VisitView(1, dt.date(2026, 1, 5), "before botulinum toxin", "botulinum toxin 2026-01-12"),
        VisitView(2, dt.date(2026, 2, 23), "phone review", ""),
        VisitView(3, dt.date(2026, 4, 20), "after 1st injection", "botulinum toxin 2026-05-04"),
        VisitView(4, dt.date(2026, 9, 14), "after 2nd injection", ""),
    ]
    page = browser.new_page(viewport={"width": 700, "height": 600})
    page.set_content(
        '<link rel="stylesheet" href="about:blank"><style>body{margin:8px;font-family:sans-serif}'
        "svg.chart{width:640px;height:auto}</style>" + course_svg(rows, visits)
    )
    outside = page.evaluate(
        """() => { const f = document.querySelector('svg').getBoundingClientRect();
        return [...document.querySelectorAll('svg text')].filter(t => {
          const b = t.getBoundingClientRect();
          return b.left < f.left - 1 || b.right > f.right + 1 || b.top < f.top - 1 ||
                 b.bottom > f.bottom + 1; }).map(t => t.textContent); }"""
    )
    assert outside == []
    path = tmp_path / "course.png"
    page.locator("svg").screenshot(path=str(path))
    if os.environ.get("HEMIFACIAL_SCREENSHOTS") == "docs":
        shutil.copy(path, DOCS / "course.png")
