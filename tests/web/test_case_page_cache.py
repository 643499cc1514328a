"""The case page's assessment HTML, kept per case revision: reused while the case is
unchanged, never shown after a change (made here or by another process), and the page is
the same as one rendered without any cache."""

from __future__ import annotations

import re
from typing import Any

from hemifacial.services import cases
from hemifacial.services.database import Database

from .helpers import TYPICAL, intake


def _top(page: str) -> str:
    found = re.search(r'<tr data-condition="(\w+)"', page)
    assert found, "the page shows no ranking"
    return found.group(1)


def _kept(app: Any, case_id: int) -> list[Any]:
    return [k for k in app.state.ctx.views._items if k[:2] == ("case_page", case_id)]


def test_the_assessment_html_follows_the_revision(clinician: Any, app: Any) -> None:
    case_id = intake(clinician, "Cached Cora", TYPICAL)["case_id"]
    first = clinician.get(f"/clinic/cases/{case_id}").text
    assert len(_kept(app, case_id)) == 1
    assert clinician.get(f"/clinic/cases/{case_id}").text == first  # from the cache
    assert _top(first) != "structural_lesion"
    app.state.ctx.views.max_entries = 0  # the same page rendered afresh, nothing cached
    assert clinician.get(f"/clinic/cases/{case_id}").text == first
    app.state.ctx.views.max_entries = 64

    # a change in this process: the next plain view shows the new ranking
    r = clinician.post(
        f"/clinic/cases/{case_id}/findings",
        data={"source": "test", "f.mri_mass_lesion": "yes"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    after = clinician.get(f"/clinic/cases/{case_id}").text
    assert _top(after) == "structural_lesion"
    assert len(_kept(app, case_id)) == 2  # a new revision, a new entry

    # a change by another process (its own Database, as another worker would be)
    other = Database(app.state.ctx.settings.database_url)
    try:
        with other.unit_of_work() as s:
            cases.record_findings(
                s, app.state.ctx.kb, case_id, {"mri_mass_lesion": "no"}, source="test",
                actor="doc",
            )  # fmt: skip
    finally:
        other.close()
    again = clinician.get(f"/clinic/cases/{case_id}").text
    assert _top(again) != "structural_lesion"
    app.state.ctx.views.max_entries = 0
    assert clinician.get(f"/clinic/cases/{case_id}").text == again
