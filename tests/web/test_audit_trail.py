"""The audit trail through the app: every read and change of patient data, every login,
failed login and logout, with the client's address and user agent; durable before the
response (a killed process loses none); the admin's view with filters and CSV; and
``hemifacial audit verify`` passing, then failing once a row is edited behind the app."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from typing import Any

from sqlalchemy import select, text

from hemifacial.db import audit as chain
from hemifacial.db import tables as t
from hemifacial.services import accounts
from tests.db.fixtures import client_for
from tests.support import DOC_SECRET, otp, run_cli

from .conftest import PASSWORD
from .helpers import MP4, TYPICAL, intake

UA = {"User-Agent": "AuditTest/1.0"}


def _rows(app: Any) -> list[Any]:
    with app.state.ctx.db.reader() as s:
        return list(s.execute(select(t.AuditEvent).order_by(t.AuditEvent.seq)).scalars())


def _wait_job_done(clinician: Any, job_id: int) -> None:
    for _ in range(200):
        if clinician.get(f"/api/v1/jobs/{job_id}").json()["status"] == "done":
            return
        time.sleep(0.05)
    raise AssertionError("the analysis job did not finish")


def test_logins_failures_and_logouts_are_audited_with_address_and_agent(
    app: Any, client: Any
) -> None:
    client.headers.update(UA)
    assert (
        client.post("/api/v1/session", json={"username": "doc", "password": "nope"}).status_code
        == 401
    )
    assert (
        client.post("/api/v1/session", json={"username": "ghost", "password": "x" * 9}).status_code
        == 401
    )
    r = client.post("/api/v1/session", json={"username": "doc", "password": PASSWORD, "otp": otp()})
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    assert client.delete("/api/v1/session").status_code == 204
    got = [(r.actor, r.action, r.ip, r.user_agent) for r in _rows(app) if "log" in r.action]
    assert got == [
        ("doc", "login.failed", "testclient", "AuditTest/1.0"),
        ("ghost", "login.failed", "testclient", "AuditTest/1.0"),
        ("doc", "login", "testclient", "AuditTest/1.0"),
        ("doc", "logout", "testclient", "AuditTest/1.0"),
    ]


def test_every_read_of_patient_data_is_audited(app: Any, client: Any, clinician: Any) -> None:
    made = intake(client, "Typical Tina", TYPICAL)
    case_id, token = made["case_id"], made["token"]
    client.get(f"/api/v1/patient/{token}")
    client.get(f"/p/{token}")
    client.get(f"/p/{token}/video")
    up = clinician.post(
        f"/api/v1/cases/{case_id}/videos", files={"file": ("a.mp4", MP4, "video/mp4")}
    )
    job_id = up.json()["id"]
    _wait_job_done(clinician, job_id)
    video_id = _rows(app)[-1].detail.get("video_id") or 1
    assert clinician.get(f"/api/v1/videos/{video_id}/analysis").status_code == 200
    clinician.get(f"/api/v1/videos/{video_id}/timeline.png")
    clinician.get(f"/api/v1/cases/{case_id}/assessment")
    clinician.get("/api/v1/cases")
    seen = {(r.action, r.case_id) for r in _rows(app)}
    for action in ("link.view", "job.view", "analysis.view", "assessment.view", "video.upload"):
        assert (action, case_id) in seen, action
    listed = next(r for r in _rows(app) if r.action == "cases.list")
    assert listed.detail["cases"] == [case_id] and "Tina" not in str(listed.detail)
    assert app.state.ctx.db.verify_audit().ok


CHILD = """
import os, signal, sys
from hemifacial.settings import from_env
from hemifacial.web.app import create_app
from tests.db.fixtures import client_for
settings = from_env({"HEMIFACIAL_DATA_DIR": sys.argv[1], "HEMIFACIAL_DATABASE_URL": sys.argv[2]},
                    mode="dev")
with client_for(create_app(settings)) as c:
    from tests.support import otp
    login = {"username": "doc", "password": sys.argv[3], "otp": otp()}
    assert c.post("/api/v1/session", json=login).status_code == 200
    for _ in range(5):
        page = c.get(f"/clinic/cases/{sys.argv[4]}", follow_redirects=False)
        assert page.status_code == 200, page.status_code
    print("viewed", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # a crash right after the responses
"""


def test_views_are_durable_before_the_response_a_killed_process_loses_none(
    app: Any, client: Any, settings: Any
) -> None:
    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHILD), str(settings.data_dir),
         settings.database_url, PASSWORD, str(case_id)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == -signal.SIGKILL and "viewed" in done.stdout, done.stderr[-2000:]
    views = [r for r in _rows(app) if r.action == "case.view" and r.case_id == case_id]
    assert len(views) == 5  # 5 of 5 kept (the in-memory buffer lost them all)


def _admin(app: Any) -> Any:
    with app.state.ctx.db.unit_of_work() as s:
        accounts.create_user(s, "root", PASSWORD, "Admin", role="admin", totp_secret=DOC_SECRET)
    c = client_for(app)
    r = c.post("/api/v1/session", json={"username": "root", "password": PASSWORD, "otp": otp()})
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def test_the_admin_audit_view_filters_and_exports_csv(
    app: Any, client: Any, clinician: Any
) -> None:
    a = intake(client, "Typical Tina", TYPICAL)["case_id"]
    b = intake(client, "Other Olga", TYPICAL)["case_id"]
    clinician.get(f"/clinic/cases/{a}")
    clinician.get(f"/clinic/cases/{b}")
    assert clinician.get("/clinic/audit").status_code == 403  # a clinician is no admin
    with _admin(app) as admin:
        page = admin.get(f"/clinic/audit?case={a}&actor=doc&action=case.view")
        assert page.status_code == 200 and f'<a href="/clinic/audit?case={a}">{a}</a>' in page.text
        assert f'?case={b}">' not in page.text
        today = time.strftime("%Y-%m-%d", time.gmtime())
        export = admin.get(f"/clinic/audit.csv?action=case.view&since={today}&until={today}")
        assert export.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(export.text)))
        assert {(r["actor"], r["case_id"]) for r in rows} == {("doc", str(a)), ("doc", str(b))}
        assert admin.get("/clinic/audit.csv?since=2026-13-01").status_code == 422
        old = admin.get("/clinic/audit?since=1999-01-01&until=1999-01-02").text
        assert "No audit rows match." in old
    assert {"audit.view", "audit.export"} <= {r.action for r in _rows(app)}


def test_audit_verify_passes_then_fails_after_a_row_is_edited_behind_the_app(
    app: Any, client: Any, clinician: Any, settings: Any
) -> None:
    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    clinician.get(f"/clinic/cases/{case_id}")
    env = {**os.environ, "HEMIFACIAL_DATA_DIR": str(settings.data_dir)}
    env |= {"HEMIFACIAL_DATABASE_URL": settings.database_url, "HEMIFACIAL_MODE": "dev"}
    ok = run_cli("audit", "verify", env=env)
    assert ok.returncode == 0 and "audit trail intact" in ok.stdout, ok.stderr
    engine = app.state.ctx.db._engine
    with engine.begin() as conn:
        for s in chain.unguard_sql(engine.dialect.name):
            conn.execute(text(s))
        conn.execute(text("UPDATE audit SET actor = 'nobody' WHERE action = 'case.view'"))
        for s in chain.guard_sql(engine.dialect.name):
            conn.execute(text(s))
    bad = run_cli("audit", "verify", env=env)
    assert bad.returncode == 1 and "was changed after it was written" in bad.stderr
