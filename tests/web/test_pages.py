"""The pages: the patient's request step by step, the clinic's pages, CSRF and login."""

from __future__ import annotations

import re
from typing import Any

import pytest
from markupsafe import escape

from hemifacial.services import forms
from tests.support import otp

from .helpers import MP4, TYPICAL, YOUNG, csrf, intake


def start_request(client: Any) -> str:
    r = client.post(
        "/request",
        data={
            "csrf_token": csrf(client),
            "name": "Pat Page",
            "email": "pat@example.org",
            "consent": "yes",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    match = re.fullmatch(r"/p/([\w-]+)/history/1", r.headers["location"])
    assert match
    return match.group(1)


def test_contact_step_shows_errors_next_to_fields_and_saves_nothing(clinician: Any) -> None:
    r = clinician.post(
        "/request",
        data={"csrf_token": csrf(clinician), "name": "", "email": "nope", "birth_year": "20"},
    )
    assert r.status_code == 422
    assert "Please enter your name." in r.text
    assert "does not look like an e-mail address" in r.text
    assert "We cannot keep your answers without your consent" in r.text
    assert 'value="nope"' in r.text  # what was typed is kept
    assert clinician.get("/api/v1/cases").json()["total"] == 0


def test_forms_without_the_csrf_token_are_refused(client: Any) -> None:
    client.get("/request")
    r = client.post("/request", data={"name": "X", "email": "x@example.org", "consent": "yes"})
    assert r.status_code == 403 and "reload the page" in r.text
    r = client.post("/request", data={"csrf_token": "forged", "name": "X", "consent": "yes"})
    assert r.status_code == 403


def test_patient_request_step_by_step(client: Any, clinician: Any) -> None:
    token = start_request(client)
    token_csrf = csrf(client)
    page = client.get(f"/p/{token}/history/1")
    assert page.status_code == 200 and "The twitching" in page.text
    assert f"/p/{token}" in page.text  # the private link is shown
    assert 'data-show-if="side=both"' in page.text and "hidden" in page.text
    # a wrong value is shown next to its field, and what was typed is still saved
    r = client.post(
        f"/p/{token}/history/1",
        data={"csrf_token": token_csrf, "age_at_onset": "fifty", "side": "left"},
    )
    assert r.status_code == 422
    assert re.search(r'id="field-age_at_onset".*?Please write a number', r.text, re.S)
    assert 'value="fifty"' in r.text
    assert 'value="left" checked' in r.text
    r = client.post(
        f"/p/{token}/history/1",
        data={
            "csrf_token": token_csrf,
            "age_at_onset": "61",
            "side": "left",
            "other_babinski": "yes",
            "spread_to_lower_face": "yes",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == f"/p/{token}/history/2"
    # branching: the follow-up text appears with its trigger answer
    r = client.post(
        f"/p/{token}/history/3", data={"csrf_token": token_csrf, "head_face_neck_injury": "yes"}
    )
    assert r.status_code == 200 and "Medicines" in r.text  # followed to step 4
    page = client.get(f"/p/{token}/history/3").text
    assert re.search(
        r'id="field-injury_details"\s+data-show-if="head_face_neck_injury=yes"\s*>', page
    )
    r = client.post(
        f"/p/{token}/history/3",
        data={
            "csrf_token": token_csrf,
            "head_face_neck_injury": "yes",
            "injury_details": "Fell off a ladder in 2019",
            "go": "back",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == f"/p/{token}/history/2"
    last = len(forms.sections(client.app.state.ctx.kb))
    r = client.post(
        f"/p/{token}/history/{last}",
        data={"csrf_token": token_csrf, "treatments": "Botox, helped"},
        follow_redirects=False,
    )
    assert r.headers["location"] == f"/p/{token}/review"
    review = client.get(f"/p/{token}/review").text
    assert "Fell off a ladder in 2019" in review and "Botox, helped" in review and "61" in review
    r = client.post(f"/p/{token}/submit", data={"csrf_token": token_csrf}, follow_redirects=False)
    assert r.headers["location"] == f"/p/{token}?sent=1"
    home = client.get(f"/p/{token}?sent=1").text
    assert "Your request was sent" in home and "A few more questions" in home
    # the request is now a case on the dashboard with the patient's findings
    case = clinician.get("/api/v1/cases").json()["cases"][0]
    full = clinician.get(f"/api/v1/cases/{case['id']}").json()
    assert full["extras"]["injury_details"] == "Fell off a ladder in 2019"
    assert {f["finding_id"] for f in full["findings"]} >= {"age_at_onset", "head_face_neck_injury"}
    # after sending, the history pages lead home
    r = client.get(f"/p/{token}/history/1", follow_redirects=False)
    assert r.headers["location"] == f"/p/{token}"


def test_review_refuses_a_bad_draft_and_keeps_it(client: Any) -> None:
    token = start_request(client)
    client.put(f"/api/v1/patient/{token}/draft", json={"answers": {"age_at_onset": "300"}})
    r = client.post(f"/p/{token}/submit", data={"csrf_token": csrf(client)})
    assert r.status_code == 422 and "from 0 to 110" in r.text
    assert client.get(f"/api/v1/patient/{token}").json()["draft"] == {"age_at_onset": "300"}


def test_follow_up_answers_and_video_upload_pages(client: Any, app: Any) -> None:
    token = intake(client, "Ann", {"side": "left"})["token"]
    home = client.get(f"/p/{token}").text
    q = re.search(r'name="(\w+)" value="yes"', home)
    assert q
    r = client.post(f"/p/{token}/answers", data={"csrf_token": csrf(client), q.group(1): "maybe"})
    assert r.status_code == 422 and "Please choose one of the answers" in r.text
    r = client.post(
        f"/p/{token}/answers",
        data={"csrf_token": csrf(client), q.group(1): "yes"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(f"/p/{token}/video").text
    assert "record for <b>60 seconds</b>" in page and 'accept="video/*"' in page
    # the video consent was given apart from the health data's (helpers.intake); once
    # withdrawn, the video page asks for it again and an upload without it is refused
    client.post(f"/p/{token}/ask", data={"csrf_token": csrf(client), "kind": "withdraw_video"})
    page = client.get(f"/p/{token}/video").text
    assert "we need your consent" in page and 'accept="video/*"' not in page
    r = client.post(
        f"/p/{token}/video",
        data={"csrf_token": csrf(client)},
        files={"file": ("clip.mp4", MP4, "video/mp4")},
    )
    assert r.status_code == 422 and "Please tick the box to say we may keep" in r.text
    r = client.post(
        f"/p/{token}/video-consent",
        data={"csrf_token": csrf(client), "consent": "yes"},
        follow_redirects=False,
    )
    assert r.headers["location"] == f"/p/{token}/video"
    r = client.post(
        f"/p/{token}/video",
        data={"csrf_token": csrf(client)},
        files={"file": ("holiday.jpg", b"\xff\xd8\xff\xe0 JPEG data", "image/jpeg")},
    )
    assert r.status_code == 422 and "is not a video file we can read" in r.text
    r = client.post(
        f"/p/{token}/video",
        data={"csrf_token": csrf(client), "mirrored": "yes"},
        files={"file": ("clip.mp4", MP4, "video/mp4")},
        follow_redirects=False,
    )
    assert r.headers["location"] == f"/p/{token}?video=1"
    app.state.ctx.runner.join()
    assert "received and measured" in client.get(f"/p/{token}?video=1").text
    assert client.get("/p/made-up-token").status_code == 404


CLINIC_PAGES = ["/clinic", "/clinic/cases/1", "/clinic/evidence"]
CLINIC_POSTS = [
    "/clinic/cases/1/findings",
    "/clinic/cases/1/status",
    "/clinic/cases/1/notes",
    "/clinic/cases/1/visits",
    "/clinic/cases/1/link",
    "/clinic/cases/1/videos",
    "/clinic/jobs/1/retry",
]


@pytest.mark.parametrize("path", CLINIC_PAGES + CLINIC_POSTS)
def test_clinic_pages_send_visitors_to_login(client: Any, path: str) -> None:
    intake(client, "Ann", TYPICAL)
    method = client.post if path in CLINIC_POSTS else client.get
    kwargs = (
        {"data": {"csrf_token": csrf(client), "text": "x", "status": "closed"}}
        if method == client.post
        else {}
    )
    r = method(path, follow_redirects=False, headers={"accept": "text/html"}, **kwargs)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def login(client: Any, username: str = "doc") -> None:
    """Log in on the page (a one-time code is used once: a second login of the same user in
    the same 30 seconds is refused, so a test logging in twice uses two users)."""
    r = client.post(
        "/login", data={"csrf_token": csrf(client), "username": username, "password": "wrong"}
    )
    assert r.status_code == 401 and "Wrong username or password" in r.text
    r = client.post(
        "/login",
        data={
            "csrf_token": csrf(client),
            "username": username,
            "password": "correct horse battery",
            "otp": otp(),
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/clinic"


def test_dashboard_case_page_and_forms(client: Any) -> None:
    typical = intake(client, "Typical Tina", TYPICAL)["case_id"]
    young = intake(client, "Young Yusuf", YOUNG)["case_id"]
    login(client)
    dash = client.get("/clinic").text
    assert dash.index("Young Yusuf") < dash.index("Typical Tina")  # red flags first
    assert "Typical Tina" not in client.get("/clinic?q=yusuf").text
    assert "Young Yusuf" not in client.get("/clinic?status=closed").text
    page = client.get(f"/clinic/cases/{young}").text
    for heading in (
        "Red flags",
        "Ranked causes",
        "Recommended next tests",
        "Record results",
        "Course over visits",
        "Notes",
        "What this system cannot know",
    ):
        assert heading in page
    assert "flag-row" in page and "Why " in page
    token = csrf(client)
    before = client.get(f"/api/v1/cases/{typical}").json()["assessment"]["ranking"][0]
    r = client.post(
        f"/clinic/cases/{typical}/findings",
        data={"csrf_token": token, "source": "test", "f.emg_lateral_spread": "often"},
    )
    assert r.status_code == 422
    assert re.search(r'id="test-emg_lateral_spread".*?must be yes, no or unknown', r.text, re.S)
    r = client.post(
        f"/clinic/cases/{typical}/findings",
        data={
            "csrf_token": token,
            "source": "test",
            "f.mri_mass_lesion": "yes",
            "f.blood_glucose": "",
        },
    )
    assert r.status_code == 200  # followed the redirect back to the case
    first_row = re.search(r'<tr data-condition="(\w+)"', r.text)
    assert first_row and first_row.group(1) == "structural_lesion" != before["condition_id"]
    assert "Tumour or other structural lesion" in r.text
    r = client.post(f"/clinic/cases/{typical}/notes", data={"csrf_token": token, "text": ""})
    assert r.status_code == 422 and "the note is empty" in r.text
    client.post(f"/clinic/cases/{typical}/notes", data={"csrf_token": token, "text": "Seen."})
    client.post(
        f"/clinic/cases/{typical}/status", data={"csrf_token": token, "status": "under_treatment"}
    )
    r = client.post(
        f"/clinic/cases/{typical}/visits", data={"csrf_token": token, "visited_on": "soon"}
    )
    assert r.status_code == 422 and "a date like 2026-03-01" in r.text
    r = client.post(f"/clinic/cases/{typical}/link", data={"csrf_token": token})
    # built from the configured public address, not from the request's Host header
    link = re.search(r'value="(http://127\.0\.0\.1:8000/p/[\w-]+)"', r.text)
    assert link and "testserver" not in r.text
    r = client.post(
        f"/clinic/cases/{typical}/videos",
        data={"csrf_token": token},
        files={"file": ("x.mp4", b"GIF89a not a video", "video/mp4")},
    )
    assert r.status_code == 422 and "not a video file" in r.text
    case = client.get(f"/api/v1/cases/{typical}").json()
    assert case["status"] == "under_treatment" and case["notes"][0]["text"] == "Seen."
    assert client.get("/clinic/cases/4040").status_code == 404


def test_case_page_shows_video_results_and_course(client: Any, app: Any) -> None:
    case_id = intake(client, "Vera Video", TYPICAL)["case_id"]
    login(client)
    token = csrf(client)
    client.post(
        f"/clinic/cases/{case_id}/visits",
        data={
            "csrf_token": token,
            "visited_on": "2026-01-10",
            "label": "baseline",
            "treatment": "before botulinum toxin",
        },
    )
    r = client.post(
        f"/clinic/cases/{case_id}/videos",
        data={"csrf_token": token, "visit_id": "1"},
        files={"file": ("c.mp4", MP4, "video/mp4")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    app.state.ctx.runner.join()
    page = client.get(f"/clinic/cases/{case_id}").text
    assert "spasm events / min" in page and "Affected side: <b>right</b>" in page
    assert "<svg" in page and "baseline" in page and "12.0" in page
    assert "course-change" not in page  # one measured visit: nothing to compare yet
    client.post(
        f"/clinic/cases/{case_id}/visits",
        data={"csrf_token": token, "visited_on": "2026-04-02", "label": "after toxin"},
    )
    client.post(
        f"/clinic/cases/{case_id}/videos",
        data={"csrf_token": token, "visit_id": "2"},
        files={"file": ("d.mp4", MP4 + b"\x01", "video/mp4")},
    )
    app.state.ctx.runner.join()
    page = client.get(f"/clinic/cases/{case_id}").text
    assert "From 2026-01-10 (baseline) to 2026-04-02 (after toxin):" in page
    assert "spasm events per minute 12.0 → 12.0" in page


def test_evidence_page_lists_everything_with_citations(client: Any, app: Any) -> None:
    login(client)
    page = client.get("/clinic/evidence").text
    kb = app.state.ctx.kb
    assert all(str(escape(c.name)) in page for c in kb.conditions.values())
    assert all(f'id="ref-{rid}"' in page for rid in kb.references)
    assert all(f'id="f-{fid}"' in page for fid in kb.findings)


def test_logout_ends_the_session_and_security_headers(client: Any) -> None:
    login(client)
    r = client.get("/clinic")
    assert r.headers["x-frame-options"] == "DENY" and r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"
    csp = r.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("script-src")[1][:20]
    assert "frame-ancestors 'none'" in csp and "strict-transport-security" not in r.headers
    client.post("/logout", data={"csrf_token": csrf(client)})
    r = client.get("/clinic", follow_redirects=False)
    assert r.status_code == 303


def test_status_changes_and_new_requests_write_e_mails_to_the_outbox(
    client: Any, clinician: Any, app: Any
) -> None:
    from sqlalchemy import select

    from hemifacial.db import tables as t

    first = intake(client, "Eve", {"side": "left"})
    r = clinician.patch(f"/api/v1/cases/{first['case_id']}", json={"status": "awaiting_tests"})
    assert r.status_code == 200
    with app.state.ctx.db.unit_of_work() as s:
        rows = [(m.kind, m.to_addr, m.body) for m in s.scalars(select(t.OutboxMail))]
    assert [(k, to) for k, to, _ in rows] == [
        ("link", "p@example.org"),
        ("receipt", "p@example.org"),
        ("status", "p@example.org"),
    ]
    assert f"/p/{first['token']}" in rows[0][2]  # the link mail carries the link
    assert "The next step is a test" in rows[2][2] and first["token"] not in rows[2][2]


def test_the_about_page_is_plain_and_has_no_figures_of_its_own(client: Any) -> None:
    import textstat

    html = client.get("/about-hfs").text
    body = html.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<[^>]+>", " ", body)
    text = " ".join(main.split())
    assert textstat.flesch_kincaid_grade(text) <= 8
    assert not re.search(r"\d", text)  # no number that the reference does not give
    for topic in (
        "passing eyelid twitch",
        "blood vessel",
        "multiple sclerosis",
        "vascular malformation",
        "benign",
        "injury to the",
        "old injuries of the head, neck or",
        "contrast",
        "Tests for MS",
        "Blood tests",
        "botulinum toxin",
        "microvascular decompression",
    ):
        assert topic in text, topic
    for page in ("/request", "/privacy", "/"):
        assert 'href="/about-hfs"' in client.get(page).text
