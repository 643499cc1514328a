"""A patient's link writes only what a patient knows, never on a closed case; links are
revocable, a new one revokes the old, and they are built from the configured public URL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from hemifacial.db import tables as t
from hemifacial.services import intake as intake_service

from .helpers import MP4, TYPICAL, csrf, intake


def _findings(app: Any, case_id: int) -> list[tuple[str, str, str]]:
    with app.state.ctx.db.unit_of_work() as s:
        rows = s.scalars(select(t.Finding).where(t.Finding.case_id == case_id))
        return sorted((f.finding_id, f.value, f.source) for f in rows)


def test_the_patient_api_refuses_a_test_result_and_names_it(client: Any, app: Any) -> None:
    case = intake(client, "Pat Patient", TYPICAL)
    before = _findings(app, case["case_id"])
    r = client.post(
        f"/api/v1/patient/{case['token']}/answers",
        json={"answers": {"mri_mass_lesion": "yes", "hearing_loss": "no"}},
    )
    assert r.status_code == 403
    error = r.json()["error"]
    assert "mri_mass_lesion" in error["message"] and "history and symptoms" in error["message"]
    assert set(error["fields"]) == {"mri_mass_lesion"}
    assert _findings(app, case["case_id"]) == before  # nothing of the request was kept
    ok = client.post(
        f"/api/v1/patient/{case['token']}/answers", json={"answers": {"hearing_loss": "no"}}
    )
    assert ok.status_code == 201 and ok.json() == {"saved": ["hearing_loss"]}
    assert ("hearing_loss", "no", "patient") in _findings(app, case["case_id"])


def test_no_finding_of_the_tests_group_can_come_from_a_patient(client: Any, app: Any) -> None:
    kb = app.state.ctx.kb
    tests = [fid for fid, f in kb.findings.items() if f.group == "tests"]
    allowed = intake_service.patient_reportable(kb)
    assert tests and not allowed & set(tests)
    assert "hearing_loss" in allowed and "age_at_onset" in allowed
    case = intake(client, "Pat Patient", TYPICAL)
    for fid in tests:  # imaging, EMG, EEG, CSF, blood: each refused by name
        value = kb.findings[fid].values[0] if kb.findings[fid].values else "1"
        r = client.post(f"/api/v1/patient/{case['token']}/answers", json={"answers": {fid: value}})
        assert r.status_code == 403 and fid in r.json()["error"]["message"], fid


def test_the_patient_page_refuses_a_test_result_too(client: Any, app: Any) -> None:
    case = intake(client, "Pat Page", TYPICAL)
    r = client.post(
        f"/p/{case['token']}/answers",
        data={"csrf_token": csrf(client), "csf_oligoclonal_bands": "yes"},
    )
    assert r.status_code == 403 and "csf_oligoclonal_bands" in r.text
    assert not any(f[0] == "csf_oligoclonal_bands" for f in _findings(app, case["case_id"]))


def test_nothing_is_added_on_a_closed_case(client: Any, clinician: Any, app: Any) -> None:
    case = intake(clinician, "Closed Case", TYPICAL)
    assert (
        clinician.patch(f"/api/v1/cases/{case['case_id']}", json={"status": "closed"}).status_code
        == 200
    )
    r = client.post(
        f"/api/v1/patient/{case['token']}/answers", json={"answers": {"hearing_loss": "no"}}
    )
    assert r.status_code == 403 and "closed" in r.json()["error"]["message"]
    r = client.post(
        f"/api/v1/patient/{case['token']}/videos", files={"file": ("a.mp4", MP4, "video/mp4")}
    )
    assert r.status_code == 403 and "closed" in r.json()["error"]["message"]
    assert client.get(f"/api/v1/patient/{case['token']}").json()["status"] == "closed"


def test_a_new_link_revokes_the_old_and_a_link_can_be_revoked(
    client: Any, clinician: Any, app: Any
) -> None:
    case = intake(client, "Link Holder", TYPICAL)
    old = case["token"]
    assert client.get(f"/api/v1/patient/{old}").status_code == 200
    r = clinician.post(f"/api/v1/cases/{case['case_id']}/link", headers={"host": "evil.example"})
    link = r.json()["link"]
    # built from the configured public address, whatever Host the request named
    assert link.startswith(app.state.ctx.settings.public_url + "/p/") and "evil" not in link
    new = link.rsplit("/", 1)[1]
    assert client.get(f"/api/v1/patient/{old}").status_code == 403  # the old one ended
    assert client.get(f"/api/v1/patient/{new}").status_code == 200
    r = clinician.delete(f"/api/v1/cases/{case['case_id']}/link")
    assert r.status_code == 200 and r.json() == {"revoked": 1}
    r = client.get(f"/api/v1/patient/{new}")
    assert r.status_code == 403 and "expired" in r.json()["error"]["message"]
    assert client.get(f"/p/{new}").status_code == 403
    with app.state.ctx.db.unit_of_work() as s:
        actions = [
            (e.actor, e.action)
            for e in s.scalars(select(t.AuditEvent).where(t.AuditEvent.case_id == case["case_id"]))
        ]
    assert ("doc", "link.create") in actions and ("doc", "link.revoke") in actions


def test_the_intake_link_uses_the_public_url_not_the_host_header(client: Any, app: Any) -> None:
    r = client.post(
        "/api/v1/intake",
        json={"contact": {"name": "Host Test", "email": "h@example.org", "consent": True}},
        headers={"host": "attacker.example"},
    )
    assert r.status_code == 201
    assert r.json()["link"].startswith(app.state.ctx.settings.public_url + "/p/")


@pytest.mark.parametrize("planted", ['"><script>alert(1)</script>', "</script><script>x()"])
def test_a_planted_cookie_never_reaches_a_page(client: Any, planted: str) -> None:
    case = intake(client, "Cookie Test", TYPICAL)
    client.cookies.set("hf_csrf", planted)
    for path in ("/", "/request", "/login", f"/p/{case['token']}"):
        r = client.get(path)
        assert planted not in r.text and "<script>alert" not in r.text, path
        assert "script-src 'self'" in r.headers["content-security-policy"]
