"""Job runners: the in-process thread, recovery after a restart, and a real Celery worker
against Redis running the real analysis pipeline on a synthetic clip."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from hemifacial.jobs.inprocess import InProcessRunner, NullRunner
from hemifacial.services import accounts
from hemifacial.settings import Settings
from hemifacial.web.app import create_app
from tests.db.fixtures import REDIS_URL, client_for, unavailable
from tests.doubles import fake_analyzer
from tests.support import DOC_SECRET, otp, run_cli
from tests.web.helpers import MP4

PASSWORD = "correct horse battery"


def _login(c: Any, ahead: int = 0) -> None:
    code = otp(ahead=ahead)
    r = c.post("/api/v1/session", json={"username": "doc", "password": PASSWORD, "otp": code})
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]


def _case(c: Any) -> int:
    r = c.post(
        "/api/v1/intake",
        json={
            "contact": {"name": "Jo", "email": "j@example.org", "consent": True},
            "answers": {"side": "left"},
        },
    )
    return int(r.json()["case_id"])


def test_a_job_interrupted_by_a_restart_is_run_on_the_next_start(
    settings: Settings, engine: Any
) -> None:
    first = create_app(settings, runner=NullRunner())
    with first.state.ctx.db.unit_of_work() as s:
        accounts.create_user(s, "doc", PASSWORD, "Doc", totp_secret=DOC_SECRET)
    with client_for(first) as c:
        _login(c)
        case_id = _case(c)
        job = c.post(
            f"/api/v1/cases/{case_id}/videos", files={"file": ("a.mp4", MP4, "video/mp4")}
        ).json()
        with first.state.ctx.db.unit_of_work() as s:  # the process dies while analysing
            from hemifacial.db import repositories as repo

            repo.get_job(s, job["id"]).status = "running"
    second = create_app(settings, runner=None)
    ctx = second.state.ctx
    runner = InProcessRunner(ctx.db.factory, settings, ctx.kb, analyzer=fake_analyzer)
    ctx.runner = runner
    with client_for(second) as c:
        runner.join()
        _login(c, ahead=1)  # the second login of the same clinician within 30 s
        got = c.get(f"/api/v1/jobs/{job['id']}").json()
        assert got["status"] == "done" and got["attempts"] == 1


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        unavailable(f"Redis at {REDIS_URL} is not reachable: {type(exc).__name__}")


def _worker_env(settings: Settings, queue: str, redis_url: str = REDIS_URL) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "HEMIFACIAL_JOBS": "celery",
            "HEMIFACIAL_REDIS_URL": redis_url,
            "HEMIFACIAL_CELERY_QUEUE": queue,
            "HEMIFACIAL_DATABASE_URL": settings.database_url,
            "HEMIFACIAL_DATA_DIR": str(settings.data_dir),
            "HEMIFACIAL_LANDMARKER": settings.landmarker,
            "HEMIFACIAL_VIDEO_JOBS": "1",
            "HEMIFACIAL_MODE": "dev",
        }
    )
    return env


def test_worker_says_clearly_when_redis_is_unreachable(settings: Settings) -> None:
    env = _worker_env(settings, "unused", "redis://127.0.0.1:1/0")
    out = run_cli("worker", env=env)
    assert out.returncode == 5
    assert "Redis at redis://127.0.0.1:1/0 is not reachable" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.redis
def test_celery_worker_runs_the_real_analysis(
    settings: Settings, engine: Any, synthetic_clip: Path
) -> None:
    _redis_or_skip()
    queue = f"hemifacial-test-{secrets.token_hex(4)}"
    settings = settings.with_(jobs="celery", redis_url=REDIS_URL, celery_queue=queue)
    app = create_app(settings)
    with app.state.ctx.db.unit_of_work() as s:
        accounts.create_user(s, "doc", PASSWORD, "Doc", totp_secret=DOC_SECRET)
    worker = subprocess.Popen(
        [sys.executable, "-m", "hemifacial.cli", "worker"],
        env=_worker_env(settings, queue),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        with client_for(app) as c:
            _login(c)
            case_id = _case(c)
            r = c.post(
                f"/api/v1/cases/{case_id}/videos",
                files={"file": ("clip.mp4", synthetic_clip.read_bytes(), "video/mp4")},
            )
            assert r.status_code == 202
            job = r.json()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                got = c.get(f"/api/v1/jobs/{job['id']}").json()
                if got["status"] in ("done", "failed"):
                    break
                assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
                time.sleep(0.5)
            assert got["status"] == "done", got
            analysis = c.get(f"/api/v1/videos/{job['video_id']}/analysis").json()
            assert analysis["metrics"]["affected_side"] == "right"
            assert analysis["findings"]["side"] == "right"
            png = c.get(f"/api/v1/videos/{job['video_id']}/timeline.png")
            assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
            case = c.get(f"/api/v1/cases/{case_id}").json()
            video_findings = {
                f["finding_id"]: f["value"] for f in case["findings"] if f["source"] == "video"
            }
            assert video_findings.get("laterality") == "unilateral"
            # the patient said left, the video reads right with its certainty: a soft reading
            # no longer overrides the patient's answer, and the disagreement is shown (issue 11)
            assert case["assessment"]["sources"]["side"] == "patient"
            assert any("video reading 'side: right'" in m for m in case["assessment"]["conflicts"])
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        if worker.stdout:
            worker.stdout.close()
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
        client.close()
