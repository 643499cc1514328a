"""Caching by the HTTP standard (per-case revisions as ETags) and CSRF bound to the session."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hemifacial.db import tables as t
from hemifacial.services import accounts
from tests.db.fixtures import client_for
from tests.support import DOC_SECRET

from .helpers import TYPICAL, YOUNG, csrf, intake
from .test_pages import login


def test_a_case_page_is_revalidated_by_etag_until_the_case_changes(client: Any) -> None:
    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    other_id = intake(client, "Young Yusuf", YOUNG)["case_id"]
    login(client)
    url = f"/clinic/cases/{case_id}"
    first = client.get(url)
    etag = first.headers["etag"]
    assert first.status_code == 200 and "private" in first.headers["cache-control"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    note = {"csrf_token": csrf(client), "text": "Seen in clinic."}
    client.post(f"/clinic/cases/{other_id}/notes", data=note)  # another case: still current
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    client.post(f"{url}/notes", data=note)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Seen in clinic." in changed.text
    assert changed.headers["etag"] != etag
    api = client.get(f"/api/v1/cases/{case_id}")
    assert api.json()["notes"][0]["text"] == "Seen in clinic."
    assert (
        client.get(
            f"/api/v1/cases/{case_id}", headers={"If-None-Match": api.headers["etag"]}
        ).status_code
        == 304
    )


def test_job_progress_does_not_change_the_case_page(app: Any, client: Any) -> None:
    from hemifacial.db import repositories as repo

    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    login(client)
    with app.state.ctx.db.unit_of_work() as s:
        video = t.Video(case_id=case_id, sha256="0" * 64, filename="v.mp4", size=1, uploaded_by="x")
        s.add(video)
        s.flush()
        job = t.Job(kind="video_analysis", video_id=video.id, status="running")
        s.add(job)
        s.flush()
        job_id = job.id
    etag = client.get(f"/clinic/cases/{case_id}").headers["etag"]
    with app.state.ctx.db.unit_of_work() as s:
        repo.set_job_progress(s, job_id, 0.4)
    assert (
        client.get(f"/clinic/cases/{case_id}", headers={"If-None-Match": etag}).status_code == 304
    )
    assert client.get(f"/api/v1/jobs/{job_id}").json()["progress"] == 0.4


def test_each_login_session_has_its_own_token_and_a_planted_cookie_forges_nothing(
    app: Any, client: Any
) -> None:
    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    with app.state.ctx.db.unit_of_work() as s:
        accounts.create_user(s, "doc2", "correct horse battery", "Dr Two", totp_secret=DOC_SECRET)
    with client_for(app) as other:
        login(client)
        login(other, "doc2")
        mine, theirs = csrf(client), csrf(other)
        assert mine != theirs
        url = f"/clinic/cases/{case_id}"
        assert f'value="{mine}"' in client.get(url).text
        assert f'value="{theirs}"' in other.get(url).text
        refused = other.post(f"{url}/notes", data={"csrf_token": mine, "text": "forged"})
        assert refused.status_code == 403
        other.cookies.set("hf_csrf", "planted")  # a sibling site plants the old cookie
        assert (
            other.post(f"{url}/notes", data={"csrf_token": "planted", "text": "x"}).status_code
            == 403
        )
        ok = other.post(f"{url}/notes", data={"csrf_token": theirs, "text": "ok"})
        assert ok.status_code == 200 and "ok" in ok.text
        api = other.post(f"/api/v1/cases/{case_id}/notes", json={"text": "no header"})
        assert api.status_code == 403  # the session cookie is ambient authority: token needed


def test_every_view_of_patient_data_is_audited_even_when_unchanged(app: Any, client: Any) -> None:
    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    login(client)
    etag = client.get(f"/clinic/cases/{case_id}").headers["etag"]
    assert (
        client.get(f"/clinic/cases/{case_id}", headers={"If-None-Match": etag}).status_code == 304
    )
    client.get("/clinic?q=tina")
    client.get(f"/api/v1/cases/{case_id}")
    client.get("/api/v1/cases")
    assert client.get("/clinic/cases/4040").status_code == 404
    with app.state.ctx.db.unit_of_work() as s:
        rows = s.execute(
            select(t.AuditEvent.actor, t.AuditEvent.action, t.AuditEvent.case_id)
            .where(t.AuditEvent.action.like("%view%") | (t.AuditEvent.action == "cases.list"))
            .order_by(t.AuditEvent.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("doc", "case.view", case_id),
        ("doc", "case.view", case_id),
        ("doc", "dashboard.view", None),
        ("doc", "case.view", case_id),
        ("doc", "cases.list", None),
        ("doc", "case.view", 4040),
    ]


def test_a_failed_login_is_audited_on_the_page_and_the_api(app: Any, client: Any) -> None:
    page = client.post(
        "/login", data={"csrf_token": csrf(client), "username": "doc", "password": "wrong"}
    )
    api = client.post("/api/v1/session", json={"username": "doc", "password": "wrong"})
    assert page.status_code == 401 and api.status_code == 401
    with app.state.ctx.db.unit_of_work() as s:
        failed = s.scalars(
            select(t.AuditEvent.actor).where(t.AuditEvent.action == "login.failed")
        ).all()
    assert failed == ["doc", "doc"]
