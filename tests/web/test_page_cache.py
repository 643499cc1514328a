"""Cached clinic pages: reused while nothing changed, fresh after every change, and each
viewer gets their own CSRF token in the forms."""

from __future__ import annotations

import re
from typing import Any

from hemifacial.web.pagecache import CachedPage, PageCache

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from tests.db.fixtures import client_for

from .helpers import TYPICAL, YOUNG, csrf, intake
from .test_pages import login


def test_page_cache_keeps_the_newest_revision_within_its_byte_budget() -> None:
    cache = PageCache(max_bytes=100)
    cache.put("a", CachedPage(1, {"main": "x" * 40}))
    cache.put("b", CachedPage(1, {"main": "y" * 40}))
    assert cache.get("a", 1) is not None  # "a" is now the most recently used
    cache.put("c", CachedPage(1, {"main": "z" * 40}))  # over budget: drops "b"
    assert cache.get("b", 1) is None and cache.get("a", 1) is not None
    assert cache.get("a", 2) is None  # another revision is a miss
    cache.put("a", CachedPage(2, {"main": "w" * 10}))  # replaces, does not add
    assert len(cache) == 2 and cache.bytes == 50
    cache.put("huge", CachedPage(1, {"main": "h" * 101}))
    assert cache.get("huge", 1) is None and cache.bytes == 50


def _selected_status(page: str) -> str:
    found = re.search(r'<option value="(\w+)" selected>', page)
    assert found
    return found.group(1)


def test_case_page_and_dashboard_are_reused_until_the_case_changes(client: Any, app: Any) -> None:
    pages = app.state.ctx.pages
    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    login(client)
    url = f"/clinic/cases/{case_id}"
    first = client.get(url).text
    hits = pages.hits
    assert client.get(url).text == first and pages.hits == hits + 1

    token = csrf(client)
    client.post(f"{url}/notes", data={"csrf_token": token, "text": "Seen on Monday."})
    assert "Seen on Monday." in client.get(url).text
    client.post(f"{url}/status", data={"csrf_token": token, "status": "under_treatment"})
    assert _selected_status(client.get(url).text) == "under_treatment"
    client.post(
        f"{url}/findings", data={"csrf_token": token, "source": "test", "f.mri_mass_lesion": "yes"}
    )
    top = re.search(r'<tr data-condition="(\w+)"', client.get(url).text)
    assert top and top.group(1) == "structural_lesion"

    # a change made by a background job (no request involved) shows on the next view too
    ctx = app.state.ctx
    with ctx.tx() as s:
        video = t.Video(case_id=case_id, sha256="0" * 64, filename="v.mp4", size=1, uploaded_by="x")
        s.add(video)
        s.flush()
        job = t.Job(kind="analyze_video", video_id=video.id, status="running")
        s.add(job)
    assert "Analysis running" in client.get(url).text
    with ctx.tx() as s:
        repo.set_job_progress(s, job.id, 0.42)
    assert "42%" in client.get(url).text

    dashboard = client.get("/clinic").text
    assert "Young Yusuf" not in dashboard and "Under treatment (1)" in dashboard
    hits = pages.hits
    assert client.get("/clinic").text == dashboard and pages.hits == hits + 1
    intake(client, "Young Yusuf", YOUNG)
    dashboard = client.get("/clinic").text
    assert "Young Yusuf" in dashboard and "New (1)" in dashboard


def test_a_cached_page_carries_each_viewers_own_csrf_token(app: Any, client: Any) -> None:
    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    with client_for(app) as other:
        login(client)
        login(other)
        mine, theirs = csrf(client), csrf(other)
        assert mine != theirs
        url = f"/clinic/cases/{case_id}"
        page_mine = client.get(url).text
        page_theirs = other.get(url).text  # served from the cache
        assert f'value="{mine}"' in page_mine and theirs not in page_mine
        assert f'value="{theirs}"' in page_theirs and mine not in page_theirs
        r = other.post(f"{url}/notes", data={"csrf_token": theirs, "text": "ok"})
        assert r.status_code == 200 and "ok" in r.text


def test_worker_processes_share_rendered_case_pages_but_never_stale_ones(
    app: Any, client: Any, settings: Any
) -> None:
    from hemifacial.web.app import create_app

    second = create_app(settings, runner=app.state.ctx.runner)  # another worker process
    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    url = f"/clinic/cases/{case_id}"
    with client_for(second) as other:
        login(client)
        login(other)
        first = client.get(url).text  # rendered by the first app and shared
        pages = second.state.ctx.pages
        shared = pages.shared_hits
        assert other.get(url).status_code == 200 and pages.shared_hits == shared + 1
        note = {"csrf_token": csrf(client), "text": "New note."}
        client.post(f"{url}/notes", data=note, follow_redirects=False)
        misses = pages.misses
        assert "New note." in other.get(url).text  # the shared copy was of an older revision
        assert pages.misses == misses + 1
        for path in pages.directory.iterdir():  # a damaged file is rendered again, not served
            path.write_bytes(b"garbage")
        mine = app.state.ctx.pages
        misses = mine.misses
        page = client.get(url).text
        assert "New note." in page and mine.misses == misses + 1
        assert first != page


def test_dashboard_api_is_reused_until_a_case_changes(app: Any, client: Any) -> None:
    intake(client, "Typical Tina", TYPICAL)
    login(client)
    pages = app.state.ctx.pages
    first = client.get("/api/v1/cases?page=1").json()
    hits = pages.hits
    assert client.get("/api/v1/cases?page=1").json() == first and pages.hits == hits + 1
    intake(client, "Young Yusuf", YOUNG)
    after = client.get("/api/v1/cases?page=1").json()
    assert after["total"] == first["total"] + 1
    assert {c["patient_name"] for c in after["cases"]} >= {"Typical Tina", "Young Yusuf"}
    schema = client.get("/openapi.json").json()["paths"]["/api/v1/cases"]["get"]
    assert "DashboardPublic" in str(schema["responses"]["200"])


def test_every_view_of_patient_data_is_audited_cached_or_not(app: Any, client: Any) -> None:
    from sqlalchemy import select

    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    login(client)
    for _ in range(2):  # the second view is served from the cache
        assert client.get(f"/clinic/cases/{case_id}").status_code == 200
    client.get("/clinic?q=tina")
    client.get(f"/api/v1/cases/{case_id}")
    client.get("/api/v1/cases")
    assert client.get("/clinic/cases/4040").status_code == 404
    app.state.ctx.view_log.flush()  # the rows are written in batches, off the request path
    with app.state.ctx.tx() as s:
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
    ]
