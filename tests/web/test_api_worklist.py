"""The worklist through the API: its parameters (400 for a value it does not know, never
500), the new columns, assignment and the drafts and duplicates views."""

from __future__ import annotations

from typing import Any

from .helpers import TYPICAL, YOUNG, intake


def test_the_worklist_api_sorts_filters_and_refuses_unknown_values(clinician: Any) -> None:
    young = intake(clinician, "Young Patient", YOUNG)
    typical = intake(clinician, "Typical Patient", TYPICAL)
    page = clinician.get("/api/v1/cases?sort=name&order=asc").json()
    assert [c["patient_name"] for c in page["cases"]] == ["Typical Patient", "Young Patient"]
    assert (page["sort"], page["order"]) == ("name", "asc")
    first = page["cases"][0]
    assert first["side"] == "left" and first["video_status"] == "none"
    assert first["possible_duplicate"] is True  # the helper gives both the same e-mail
    assert first["unread"] is True and first["no_findings"] is False
    left = clinician.get("/api/v1/cases?side=left").json()["cases"]
    assert [c["id"] for c in left] == [typical["case_id"]]
    assert clinician.get("/api/v1/cases?red=urgent").json()["total"] == 1
    assert clinician.get("/api/v1/cases?view=duplicates").json()["total"] == 2
    assert clinician.get("/api/v1/cases?view=drafts").json()["total"] == 0
    for bad in ("sort=bogus", "side=up", "order=sideways", "view=x", "page=-1", "red=maybe"):
        r = clinician.get(f"/api/v1/cases?{bad}")
        assert r.status_code == 400, bad
        assert bad.split("=")[0] in r.json()["error"]["fields"]
    r = clinician.put(f"/api/v1/cases/{young['case_id']}/assignee", json={"assignee": "doc"})
    assert r.status_code == 200 and r.json() == {"case_id": young["case_id"], "assignee": "doc"}
    mine = clinician.get("/api/v1/cases?assignee=me").json()["cases"]
    assert [c["assigned_to"] for c in mine] == ["doc"]
    r = clinician.put(f"/api/v1/cases/{young['case_id']}/assignee", json={"assignee": "ghost"})
    assert r.status_code == 422 and "ghost" in r.json()["error"]["message"]
    r = clinician.put(f"/api/v1/cases/{young['case_id']}/assignee", json={"assignee": None})
    assert r.json()["assignee"] is None
    assert clinician.get("/api/v1/cases?assignee=none").json()["total"] == 2
