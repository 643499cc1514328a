"""The case page lists a test done in part first, apart from the tests to order: the MRI
whose root-exit-zone contact is recorded is not proposed again; its report is to be read
for the rest."""

from __future__ import annotations

import html
import re
from typing import Any

from .helpers import TYPICAL, intake

MRI = "MRI brain with and without contrast"


def _next_tests(page: str) -> tuple[str, str]:
    """The section's list of tests done in part ('' if none) and its list of tests to order."""
    found = re.search(r'<section id="next-tests".*?</section>', page, re.S)
    assert found, "the page has no next-tests section"
    section = html.unescape(found.group(0))
    done = re.search(r'<ul class="tests done">(.*?)</ul>', section, re.S)
    order = re.search(r'<ol class="tests">(.*?)</ol>', section, re.S)
    assert order is not None
    return (done.group(1) if done else ""), order.group(1)


def test_the_mri_done_in_part_is_shown_first_and_not_ordered_again(clinician: Any) -> None:
    case_id = intake(clinician, "Partial Paula", TYPICAL)["case_id"]
    done, order = _next_tests(clinician.get(f"/clinic/cases/{case_id}").text)
    assert done == "" and MRI in order

    r = clinician.post(
        f"/clinic/cases/{case_id}/findings",
        data={"source": "test", "f.mri_nvc_rez": "yes"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = clinician.get(f"/clinic/cases/{case_id}").text
    done, order = _next_tests(page)
    assert MRI in done and MRI not in order
    assert "done: record what its report says about mass or structural lesion" in done
    assert "(recorded so far: vessel contact at the facial nerve root exit zone" in done
    assert "the test itself is done" in done
    assert page.index('<ul class="tests done">') < page.index('<ol class="tests">')
    assert order.count("<li") >= 2  # the other tests are still proposed
