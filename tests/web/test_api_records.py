"""The clinician's record through the JSON API on both databases: dated results with an
attachment (what changed said, 304 while unchanged), corrections audited, video review,
conflicts chosen, and booking for the front desk and from the patient's link."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from hemifacial.db import tables as t
from tests.services.test_results import png

from .helpers import TYPICAL, intake
from .test_booking_pages import seed_clinicians
from .test_clinician_side import analysed  # noqa: F401  (the fixture)


def _audit(app: Any, action: str) -> list[t.AuditEvent]:
    with app.state.ctx.db.unit_of_work() as s:
        return list(s.scalars(select(t.AuditEvent).where(t.AuditEvent.action == action)))


def _add(clinician: Any, case_id: int, **data: str) -> Any:
    return clinician.post(
        f"/api/v1/cases/{case_id}/results",
        data=data,
        files={"attachment": ("mri.png", png(), "image/png")},
    )


def test_a_dated_result_is_added_listed_edited_and_deleted(clinician: Any, app: Any) -> None:
    case_id = intake(clinician, "Ron Result", TYPICAL)["case_id"]
    findings = json.dumps({"mri_mass_lesion": "yes"})
    r = _add(clinician, case_id, test_id="mri_protocol", performed_on="2026-11-20",
             report="Mass in the left CPA.", findings=findings)  # fmt: skip
    assert r.status_code == 201, r.text
    saved = r.json()
    assert any("Tumour or other structural lesion" in line for line in saved["changed"])
    assert any(line.startswith("new red flag") for line in saved["changed"])
    result = saved["result"]
    assert (result["performed_on"], result["entered_by"]) == ("2026-11-20", "doc")
    assert [f["finding_id"] for f in result["findings"]] == ["mri_mass_lesion"]
    got = clinician.get(result["attachment"])
    assert got.content == png() and got.headers["content-disposition"].startswith("attachment")
    listed = clinician.get(f"/api/v1/cases/{case_id}/results")
    assert [x["id"] for x in listed.json()] == [result["id"]]
    again = clinician.get(
        f"/api/v1/cases/{case_id}/results", headers={"If-None-Match": listed.headers["etag"]}
    )
    assert again.status_code == 304
    # refused with the field named, nothing kept; never a traceback
    for bad, field in (
        ({"performed_on": "2999-01-01", "findings": findings}, "performed_on"),
        ({"performed_on": "2026-11-20", "findings": "[not json"}, "findings"),
        ({"performed_on": "2026-11-20", "test_id": "nope"}, "test_id"),
    ):
        r = clinician.post(f"/api/v1/cases/{case_id}/results", data=bad)
        assert r.status_code == 422 and field in r.json()["error"]["fields"], r.text
    url = f"/api/v1/cases/{case_id}/results/{result['id']}"
    r = clinician.patch(url, json={"report": "Vestibular schwannoma, left."})
    assert r.status_code == 200 and r.json()["report"] == "Vestibular schwannoma, left."
    assert r.json()["performed_on"] == "2026-11-20"  # a field left out is kept
    assert _audit(app, "result.edit")[0].detail["changed"] == ["report"]
    assert (
        clinician.get(
            f"/api/v1/cases/{case_id}/results", headers={"If-None-Match": listed.headers["etag"]}
        ).status_code
        == 200
    )  # changed: no 304
    other = intake(clinician, "Other", TYPICAL)["case_id"]
    assert clinician.delete(f"/api/v1/cases/{other}/results/{result['id']}").status_code == 404
    r = clinician.delete(url)
    assert r.status_code == 200 and any("new red flag" not in x for x in r.json()["changed"])
    assert clinician.get(f"/api/v1/cases/{case_id}/results").json() == []
    assert _audit(app, "result.delete")[0].detail["findings"] == 1


def test_notes_visits_and_findings_are_corrected_and_removed(clinician: Any, app: Any) -> None:
    case_id = intake(clinician, "Ed Edit", TYPICAL)["case_id"]
    note = clinician.post(f"/api/v1/cases/{case_id}/notes", json={"text": "first"}).json()["id"]
    r = clinician.patch(f"/api/v1/cases/{case_id}/notes/{note}", json={"text": " second "})
    assert r.json() == {"id": note, "case_id": case_id, "text": "second"}
    assert _audit(app, "note.edit")[0].detail["old"] == "first"
    r = clinician.patch(f"/api/v1/cases/{case_id}/notes/{note}", json={"text": "  "})
    assert r.status_code == 422 and "empty" in r.json()["error"]["fields"]["text"]
    visit = clinician.post(
        f"/api/v1/cases/{case_id}/visits", json={"visited_on": "2026-10-01", "label": "first"}
    ).json()["id"]
    r = clinician.patch(f"/api/v1/cases/{case_id}/visits/{visit}", json={"treatment": "BoNT"})
    assert r.json()["visited_on"] == "2026-10-01" and r.json()["treatment"] == "BoNT"
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    r = clinician.patch(f"/api/v1/cases/{case_id}/visits/{visit}", json={"visited_on": future})
    assert r.status_code == 422 and "visited_on" in r.json()["error"]["fields"]
    assert clinician.delete(f"/api/v1/cases/{case_id}/visits/{visit}").status_code == 200
    assert clinician.delete(f"/api/v1/cases/{case_id}/notes/{note}").status_code == 200
    assert clinician.delete(f"/api/v1/cases/{case_id}/notes/{note}").status_code == 404
    row = next(f for f in clinician.get(f"/api/v1/cases/{case_id}").json()["findings"]
               if f["finding_id"] == "side")  # fmt: skip
    r = clinician.patch(f"/api/v1/cases/{case_id}/findings/{row['id']}", json={"value": "right"})
    assert r.status_code == 200 and r.json()["assessment_id"] is not None
    r = clinician.patch(f"/api/v1/cases/{case_id}/findings/{row['id']}", json={"value": "up"})
    assert r.status_code == 422
    assert clinician.delete(f"/api/v1/cases/{case_id}/findings/{row['id']}").status_code == 200
    assert [a.detail["old"] for a in _audit(app, "finding.delete")] == ["right"]


def test_video_review_and_conflicts_through_the_api(
    clinician: Any,
    app: Any,
    analysed: tuple[int, int],  # noqa: F811
) -> None:
    case_id, video_id = analysed
    listed = clinician.get(f"/api/v1/cases/{case_id}/conflicts")
    side = next(c for c in listed.json() if c["finding_id"] == "side")
    assert {v["source"]: v["value"] for v in side["values"]} == {"patient": "left", "video": "both"}
    assert side["resolved"] is False and side["used"]["value"] == "left"
    etag = listed.headers["etag"]
    assert (
        clinician.get(
            f"/api/v1/cases/{case_id}/conflicts", headers={"If-None-Match": etag}
        ).status_code
        == 304
    )
    r = clinician.put(f"/api/v1/videos/{video_id}/events/2", json={"verdict": "wrong"})
    assert r.status_code == 200, r.text
    assert r.json()["rejected_events"] == [2] and r.json()["reviewed_by"] == "doc"
    r = clinician.put(f"/api/v1/videos/{video_id}/events/99", json={"verdict": "wrong"})
    assert r.status_code == 422 and "there is no event 100" in r.json()["error"]["message"]
    r = clinician.put(f"/api/v1/videos/{video_id}/side", json={"side": "up"})
    assert r.status_code == 422  # not one of right, left, both, clear
    r = clinician.put(f"/api/v1/videos/{video_id}/side", json={"side": "right"})
    assert r.json()["side"] == "right"
    assert [a.detail["verdict"] for a in _audit(app, "video.review")] == ["wrong", "right"]
    r = clinician.put(f"/api/v1/cases/{case_id}/conflicts/side", json={"value": "left"})
    assert r.status_code == 200, r.text
    side = next(c for c in r.json()["conflicts"] if c["finding_id"] == "side")
    assert side["resolved"] is True and side["used"]["source"] == "clinician"
    r = clinician.put(f"/api/v1/cases/{case_id}/conflicts/bogus", json={"value": "x"})
    assert r.status_code == 422 and "bogus" in r.json()["error"]["message"]


def test_booking_for_the_desk_and_from_the_patients_link(
    clinician: Any, client: Any, app: Any
) -> None:
    doc, _ = seed_clinicians(app)
    patient = intake(clinician, "Bea Booker", TYPICAL)
    case_id, token = patient["case_id"], patient["token"]
    monday = dt.date.today() + dt.timedelta(days=7 - dt.date.today().weekday() + 7)
    body = {"clinician_id": doc, "day": monday.isoformat(), "start": "09:30", "repeat": "weekdays",
            "count": 3}  # fmt: skip
    r = clinician.post("/api/v1/slots", json=body)
    assert r.status_code == 201 and r.json() == {"created": 3}
    r = clinician.post("/api/v1/slots", json={**body, "start": "09:45", "count": 1})
    assert r.status_code == 422 and "already has a slot" in r.json()["error"]["fields"]["day"]
    cal = clinician.get(f"/api/v1/slots?start={monday.isoformat()}&days=7").json()
    assert len(cal["slots"]) == 3 and all("T09:30" in s["starts_at"] for s in cal["slots"])
    first, second, third = (s["id"] for s in cal["slots"])
    assert clinician.get("/api/v1/slots?start=nope").status_code == 422
    mine = f"/api/v1/patient/{token}/booking"
    assert client.get(mine).json()["offered"] is False
    assert client.post(mine, json={"slot_id": first}).status_code == 403  # not offered yet
    r = clinician.put(f"/api/v1/cases/{case_id}/offer", json={"clinician_id": None})
    assert r.json()["offered"] is True
    offered = client.get(mine).json()
    assert [s["id"] for s in offered["slots"]] == [first, second, third]
    r = client.post(mine, json={"slot_id": first})
    assert r.status_code == 201 and r.json()["booking"]["slot"]["id"] == first
    assert client.post(mine, json={"slot_id": second}).status_code == 409  # change it instead
    booked = clinician.get(f"/api/v1/bookings?start={monday.isoformat()}").json()
    assert [(b["id"], b["booked_case_id"]) for b in booked] == [(first, case_id)]
    r = client.put(mine, json={"slot_id": second})
    assert r.json()["booking"]["slot"]["id"] == second and r.json()["booking"]["sequence"] == 1
    ap = clinician.get(f"/api/v1/cases/{case_id}/appointment").json()
    assert ap["booking"]["slot"]["id"] == second
    assert clinician.delete(f"/api/v1/slots/{second}").status_code == 204  # the desk withdraws
    assert client.get(mine).json()["booking"] is None
    assert client.delete(mine).status_code == 404  # nothing left to cancel
    client.post(mine, json={"slot_id": third})
    assert client.delete(mine).json()["booking"] is None
    assert [a.action for a in _audit(app, "booking.cancel")] == ["booking.cancel"]
