"""The JSON API: every route, invalid input, and access without login."""

from __future__ import annotations

import re
from typing import Any

import pytest

from hemifacial.web import policy
from tests.db.fixtures import client_for
from tests.support import otp

from .helpers import MP4, TYPICAL, YOUNG, intake

CLINIC_ROUTES = [
    ("get", "/api/v1/session"),
    ("delete", "/api/v1/session"),
    ("get", "/api/v1/cases"),
    ("get", "/api/v1/cases/1"),
    ("patch", "/api/v1/cases/1"),
    ("post", "/api/v1/cases/1/findings"),
    ("get", "/api/v1/cases/1/assessment"),
    ("post", "/api/v1/cases/1/notes"),
    ("post", "/api/v1/cases/1/visits"),
    ("post", "/api/v1/cases/1/link"),
    ("post", "/api/v1/cases/1/videos"),
    ("get", "/api/v1/jobs/1"),
    ("post", "/api/v1/jobs/1/retry"),
    ("get", "/api/v1/videos/1/analysis"),
    ("get", "/api/v1/videos/1/timeline.png"),
]


@pytest.mark.parametrize(("method", "path"), CLINIC_ROUTES)
def test_clinic_routes_need_login(client: Any, method: str, path: str) -> None:
    intake(client, "Somebody", TYPICAL)
    r = getattr(client, method)(path)
    assert r.status_code == 401
    assert r.json()["error"]["message"] == "please log in to see the clinic's cases"


def test_login_errors_and_session(client: Any) -> None:
    r = client.post("/api/v1/session", json={"username": "doc", "password": "wrong one"})
    assert r.status_code == 401 and r.json()["error"]["message"] == "wrong username or password"
    r = client.post("/api/v1/session", json={"username": "doc"})
    assert r.status_code == 422 and "password" in r.json()["error"]["fields"]
    right = {"username": "doc", "password": "correct horse battery"}
    r = client.post("/api/v1/session", json=right)  # a clinician needs the one-time code too
    assert r.status_code == 401 and "6-digit code" in r.json()["error"]["message"]
    assert "hf_session" not in r.headers.get("set-cookie", "")
    r = client.post("/api/v1/session", json={**right, "otp": otp()})
    assert r.status_code == 200 and r.json()["display_name"] == "Dr Doc"
    cookie = r.headers["set-cookie"]
    assert "hf_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/api/v1/session").json()["username"] == "doc"
    # a write with the session cookie but without the CSRF header is refused
    assert client.delete("/api/v1/session").status_code == 403
    token = r.json()["csrf_token"]
    assert client.delete("/api/v1/session", headers={"X-CSRF-Token": token}).status_code == 204
    assert client.get("/api/v1/session").status_code == 401


def test_intake_creates_a_case_with_red_flags(clinician: Any) -> None:
    young = intake(clinician, "Young Patient", YOUNG)
    assert young["status"] == "new" and young["red_flags"]
    typical = intake(clinician, "Typical Patient", TYPICAL)
    assert typical["red_flags"] == []
    page = clinician.get("/api/v1/cases").json()
    assert page["total"] == 2 and page["counts"] == {"new": 2}
    assert [c["patient_name"] for c in page["cases"]] == ["Young Patient", "Typical Patient"]
    assert clinician.get("/api/v1/cases?red_flags=true").json()["total"] == 1
    assert clinician.get("/api/v1/cases?q=typical").json()["cases"][0]["id"] == typical["case_id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"contact": {"name": "X", "consent": True}, "answers": {}}, "email"),
        ({"contact": {"name": "X", "email": "x@example.org", "consent": False}}, "consent"),
        (
            {
                "contact": {"name": "X", "email": "x@example.org", "consent": True},
                "answers": {"side": "leftt"},
            },
            "side",
        ),
        (
            {
                "contact": {"name": "X", "email": "x@example.org", "consent": True},
                "answers": {"age_at_onset": "200"},
            },
            "age_at_onset",
        ),
        (
            {
                "contact": {"name": "X", "email": "x@example.org", "consent": True},
                "answers": {"favourite_colour": "blue"},
            },
            "favourite_colour",
        ),
        (
            {
                "contact": {"name": "X", "email": "x@example.org", "consent": True},
                "answers": {"side": "left", "laterality": "unilateral"},
                "extra": 1,
            },
            "extra",
        ),
    ],
)
def test_invalid_intake_is_refused_and_saves_nothing(
    clinician: Any, body: dict[str, Any], field: str
) -> None:
    r = clinician.post("/api/v1/intake", json=body)
    assert r.status_code == 422
    assert field in r.json()["error"]["fields"]
    assert clinician.get("/api/v1/cases").json()["total"] == 0


def test_case_record_results_and_re_rank(clinician: Any) -> None:
    case_id = intake(clinician, "Ann", TYPICAL)["case_id"]
    case = clinician.get(f"/api/v1/cases/{case_id}").json()
    assert case["assessment"]["ranking"][0]["condition_id"] == "primary_nvc"
    assert {f["source"] for f in case["findings"]} == {"patient"}
    r = clinician.post(
        f"/api/v1/cases/{case_id}/findings",
        json={"findings": {"mri_mass_lesion": "yes"}, "source": "test"},
    )
    assert r.status_code == 201
    assert r.json()["assessment"]["ranking"][0]["condition_id"] == "structural_lesion"
    assert r.json()["kb_version"] and r.json()["kb_hash"]
    got = clinician.get(f"/api/v1/cases/{case_id}/assessment").json()
    assert got["assessment_id"] == r.json()["assessment_id"]
    r = clinician.post(
        f"/api/v1/cases/{case_id}/findings",
        json={"findings": {"emg_lateral_spread": "perhaps"}, "source": "test"},
    )
    assert r.status_code == 422
    assert "yes, no or unknown" in r.json()["error"]["fields"]["emg_lateral_spread"]
    r = clinician.post(
        f"/api/v1/cases/{case_id}/findings", json={"findings": {"side": "left"}, "source": "lab"}
    )
    assert r.status_code == 422 and "source" in r.json()["error"]["fields"]
    after = clinician.get(f"/api/v1/cases/{case_id}").json()
    assert len(after["assessments"]) == 2  # the refused inputs saved nothing


def test_status_notes_visits_links(clinician: Any) -> None:
    case_id = intake(clinician, "Ann", TYPICAL)["case_id"]
    r = clinician.patch(f"/api/v1/cases/{case_id}", json={"status": "awaiting_tests"})
    assert r.status_code == 200 and r.json()["status_label"] == "Awaiting imaging/tests"
    assert clinician.patch(f"/api/v1/cases/{case_id}", json={"status": "gone"}).status_code == 422
    assert clinician.post(f"/api/v1/cases/{case_id}/notes", json={"text": " "}).status_code == 422
    assert (
        clinician.post(f"/api/v1/cases/{case_id}/notes", json={"text": "MRI booked"}).status_code
        == 201
    )
    assert (
        clinician.post(
            f"/api/v1/cases/{case_id}/visits", json={"visited_on": "yesterday"}
        ).status_code
        == 422
    )
    assert (
        clinician.post(
            f"/api/v1/cases/{case_id}/visits",
            json={"visited_on": "2026-03-01", "label": "baseline"},
        ).status_code
        == 201
    )
    link = clinician.post(f"/api/v1/cases/{case_id}/link").json()["link"]
    case = clinician.get(f"/api/v1/cases/{case_id}").json()
    assert case["notes"][0]["text"] == "MRI booked" and case["visits"][0]["label"] == "baseline"
    anonymous = client_for(clinician.app)
    assert anonymous.get("/api/v1/patient/" + link.rsplit("/", 1)[1]).json()["name"] == "Ann"
    for path in ("/api/v1/cases/999", "/api/v1/cases/999/assessment"):
        r = clinician.get(path)
        assert r.status_code == 404 and "999" in r.json()["error"]["message"]
    assert clinician.get("/api/v1/cases?status=lost").status_code == 400
    assert clinician.get("/api/v1/cases?page=0").status_code == 400


def test_video_upload_job_and_analysis(clinician: Any, app: Any) -> None:
    case_id = intake(clinician, "Ann", TYPICAL)["case_id"]
    r = clinician.post(
        f"/api/v1/cases/{case_id}/videos",
        files={"file": ("notes.txt", b"hello, not a video", "text/plain")},
    )
    assert r.status_code == 422 and "not a video file" in r.json()["error"]["message"]
    r = clinician.post(
        f"/api/v1/cases/{case_id}/videos",
        data={"mirrored": "true"},
        files={"file": ("clip.mp4", MP4, "video/mp4")},
    )
    assert r.status_code == 202
    job = r.json()
    app.state.ctx.runner.join()
    got = clinician.get(f"/api/v1/jobs/{job['id']}").json()
    assert got["status"] == "done" and got["progress"] == 1.0
    analysis = clinician.get(f"/api/v1/videos/{job['video_id']}/analysis").json()
    assert analysis["metrics"]["affected_side"] == "right"
    plot = clinician.get(f"/api/v1/videos/{job['video_id']}/timeline.png")
    assert plot.status_code == 200 and plot.content.startswith(b"\x89PNG")
    assert clinician.get("/api/v1/videos/999/timeline.png").status_code == 404
    case = clinician.get(f"/api/v1/cases/{case_id}").json()
    assert case["videos"][0]["mirrored"] is True
    assert case["course"][0]["events_per_min"] == 12.0
    assert "video" in {f["source"] for f in case["findings"]}
    r = clinician.post(f"/api/v1/jobs/{job['id']}/retry")
    assert r.status_code == 422 and "only failed jobs" in r.json()["error"]["message"]
    assert clinician.get("/api/v1/jobs/999").status_code == 404
    assert clinician.get("/api/v1/videos/999/analysis").status_code == 404


def test_patient_api_shows_only_the_own_case(client: Any, app: Any) -> None:
    first = intake(client, "First", {"side": "left"})
    second = intake(client, "Second", YOUNG)
    me = client.get(f"/api/v1/patient/{first['token']}").json()
    assert me["name"] == "First" and me["follow_up_questions"]
    assert "ranking" not in me and "Second" not in str(me)
    assert client.get("/api/v1/patient/not-a-token").status_code == 404
    q = me["follow_up_questions"][0]["finding_id"]
    value = "40" if q == "age_at_onset" else "yes"
    r = client.post(f"/api/v1/patient/{first['token']}/answers", json={"answers": {q: value}})
    assert r.status_code == 201 and r.json()["saved"] == [q]
    r = client.post(
        f"/api/v1/patient/{first['token']}/answers", json={"answers": {"side": "sideways"}}
    )
    assert r.status_code == 422
    r = client.put(f"/api/v1/patient/{second['token']}/draft", json={"answers": {"side": "x"}})
    assert r.status_code == 422 and "already sent" in r.json()["error"]["message"]
    r = client.post(
        f"/api/v1/patient/{second['token']}/videos", files={"file": ("clip.mp4", MP4, "video/mp4")}
    )
    assert r.status_code == 202
    app.state.ctx.runner.join()
    vids = client.get(f"/api/v1/patient/{second['token']}").json()["videos"]
    assert vids == [{"filename": "clip.mp4", "status": "done", "progress": 1.0, "error": None}]


def test_intake_form_kb_openapi_and_health(client: Any, app: Any) -> None:
    form = client.get("/api/v1/intake/form").json()
    assert [s["id"] for s in form["sections"]][:4] == [
        "spasm",
        "associated",
        "history",
        "medicines",
    ]
    kb = client.get("/api/v1/kb").json()
    ctx_kb = app.state.ctx.kb
    assert set(kb["conditions"]) == set(ctx_kb.conditions)
    assert set(kb["references"]) == set(ctx_kb.references)
    assert client.get("/healthz").text == "ok"


def test_openapi_and_docs_are_for_staff_and_use_local_assets(client: Any, clinician: Any) -> None:
    for path in ("/openapi.json", "/docs"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    paths = clinician.get("/openapi.json").json()["paths"]
    assert "/api/v1/cases/{case_id}/findings" in paths and "/api/v1/intake" in paths
    page = clinician.get("/docs").text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all(body.strip() == "" for _, body in scripts)  # no inline script
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(src.startswith("/") for src in sources)  # nothing from a CDN
    for src in sources:
        if src.startswith("/static/"):
            assert client.get(src).status_code == 200, src


def test_unknown_route_and_unexpected_error_never_show_a_traceback(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    for path in ("/api/v1/boom", "/boom"):  # routes added here need a policy too
        monkeypatch.setitem(policy.POLICY, ("GET", path), policy.ANYONE)
    app.add_api_route("/api/v1/boom", boom)
    app.add_api_route("/boom", boom)
    with client_for(app) as c:
        r = c.get("/api/v1/nothing-here")
        assert r.status_code == 404 and r.json()["error"]["type"] == "HTTPError"
        r = c.get("/api/v1/boom")
        assert r.status_code == 500
        assert r.json()["error"]["message"] == "something went wrong on our side"
        assert r.json()["error"]["reference"]
        r = c.get("/boom", headers={"accept": "text/html"})
        assert r.status_code == 500 and "Sorry" in r.text and "quote the reference" in r.text
        assert "secret internal detail" not in r.text and "Traceback" not in r.text
