"""Reading a referral letter on the case page, in Chromium: the pasted letter's suggestions
come with their sentences (the negation shown), nothing counts before the clinician ticks,
and the confirmed findings are recorded as the clinician's, audited as from a letter, with
the case page saying what changed. The screenshot goes to docs/screenshots when
HEMIFACIAL_SCREENSHOTS=docs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .test_browser_clinician import (  # noqa: F401  (fixtures)
    _audited,
    _log_in,
    _new_case,
    browser,
    served,
    shot,
)

pytestmark = pytest.mark.browser
LETTER = (
    "Dear colleague, this 61-year-old woman has had left-sided twitching around the eye "
    "for two years, now spreading to the mouth. There is no facial weakness. "
    "Possible hearing loss on the left."
)


def test_a_pasted_letter_is_read_confirmed_and_recorded(
    browser: Any,  # noqa: F811
    served: tuple[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    url, app = served
    case_id = _new_case(url, "Letty Letter", {"age_at_onset": "59"})
    page = _log_in(browser, url)
    page.goto(f"{url}/clinic/cases/{case_id}")
    before = page.locator("#findings").inner_text()
    page.locator("#letter summary").click()
    page.get_by_label("Paste the letter's text").fill(LETTER)
    page.get_by_role("button", name="Read the letter").click()
    review = page.locator("#letter-review")
    review.wait_for()
    weakness = review.locator('.letter-item[data-finding="facial_weakness"]')
    assert "negated" in weakness.inner_text()
    assert "There is no facial weakness." in weakness.inner_text()
    side = review.locator('.letter-item[data-finding="side"]')
    assert "left-sided twitching" in side.inner_text()
    assert side.locator("input[type=checkbox]").is_checked()  # proposed: ticked for you
    # nothing is recorded before confirmation
    assert not _audited(app, "letters.confirm") and not _audited(app, "findings.record")
    shot(page, tmp_path, "letter-review", "#letter-review")
    weakness.locator("input[type=checkbox]").check()
    page.get_by_role("button", name="Record the ticked findings and re-rank").click()
    page.wait_for_url(f"{url}/clinic/cases/{case_id}?saved=letter*")
    flash = page.locator("#flash")
    assert "Findings from the letter saved." in flash.inner_text()
    after = page.locator("#findings").inner_text()
    assert after != before and "clinician" in after
    (row,) = _audited(app, "letters.confirm")
    assert row.detail["source"] == "letter" and row.detail["chars"] == len(LETTER)
    assert "facial_weakness" in row.detail["findings"] and "side" in row.detail["findings"]
    assert "twitching" not in str(row.detail)  # the letter's text is not kept
    case = page.request.get(f"{url}/api/v1/cases/{case_id}").json()
    sides = [f for f in case["findings"] if f["finding_id"] == "side"]
    assert [(f["value"], f["source"]) for f in sides] == [("left", "clinician")]
