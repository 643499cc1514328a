"""POST /api/v1/letters/suggest: login needed, suggestions with sentences, nothing counted."""

from __future__ import annotations

from typing import Any

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
