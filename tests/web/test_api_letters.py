"""POST /api/v1/letters/suggest: login needed, suggestions with sentences, nothing counted."""

from __future__ import annotations

from typing import Any

from .helpers import TYPICAL, intake

LETTER = "This 58-year-old woman has left-sided twitching. There is no facial weakness."


def test_letter_suggestions_need_login(client: Any) -> None:
    r = client.post("/api/v1/letters/suggest", json={"text": LETTER})
    assert r.status_code == 401


def test_letter_suggestions_come_with_sentences_and_count_nothing(clinician: Any) -> None:
    r = clinician.post("/api/v1/letters/suggest", json={"text": LETTER})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["counted"] is False
    weakness = next(s for s in body["suggestions"] if s["finding"] == "facial_weakness")
    assert weakness["value"] == "no" and weakness["negated"] is True
    assert weakness["sentence"] == "There is no facial weakness."
    assert body["proposed"]["side"] == "left"


def test_empty_letter_is_a_clear_422(clinician: Any) -> None:
    r = clinician.post("/api/v1/letters/suggest", json={"text": ""})
    assert r.status_code == 422 and "Traceback" not in r.text


def test_the_case_pages_letter_forms_refuse_clearly_and_record_only_what_is_ticked(
    clinician: Any, app: Any
) -> None:
    case_id = intake(clinician, "Lou Letter", TYPICAL)["case_id"]
    r = clinician.post(f"/clinic/cases/{case_id}/letter", data={"text": "  "})
    assert r.status_code == 422 and "the letter is empty" in r.text and "Traceback" not in r.text
    r = clinician.post(f"/clinic/cases/{case_id}/letter", data={"text": LETTER})
    assert r.status_code == 200 and "There is no facial weakness." in r.text
    assert 'name="accept.facial_weakness"' in r.text
    url = f"/clinic/cases/{case_id}/letter/confirm"
    r = clinician.post(url, data={"text": LETTER, "accept.mri_mass_lesion": "1"})
    assert r.status_code == 422  # not in this letter: nothing recorded
    r = clinician.post(
        url,
        data={"text": LETTER, "accept.facial_weakness": "1", "v.facial_weakness": "no"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "saved=letter" in r.headers["location"]
    found = clinician.get(f"/api/v1/cases/{case_id}").json()["findings"]
    mine = [(f["finding_id"], f["value"]) for f in found if f["source"] == "clinician"]
    assert mine == [("facial_weakness", "no")]  # only the ticked one
