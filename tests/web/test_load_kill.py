"""A bounded loopback load test with a kill: concurrent intakes and uploads against a real
uvicorn process, which is killed (SIGKILL) in the middle and started again. Clients retry
what got no answer, with the same Idempotency-Key (intakes) or the same file (uploads).

Afterwards every accepted (2xx) submission is stored exactly once, nothing is half-written
(each case has its assessment and link, each video its job and its file, no partial copy),
and ``hemifacial audit verify`` passes — and fails once a row is edited behind the app."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func, select, text

from hemifacial.db import audit as chain
from hemifacial.db import tables as t
from hemifacial.db.engine import session_factory, transaction
from hemifacial.services import accounts
from tests.support import DOC_SECRET, otp, run_cli, tiny_mp4

from .server import free_port

PASSWORD = "correct horse battery"
WORKERS = 6
PHASE_S = 3.0


def _env(settings: Any) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),
        "HEMIFACIAL_DATA_DIR": str(settings.data_dir),
        "HEMIFACIAL_DATABASE_URL": settings.database_url,
        "HEMIFACIAL_MODE": "dev",
        # a fixed key: the session's CSRF token stays good across the restart
        "HEMIFACIAL_SECRET_KEY": "load-test-key-9f8e7d6c5b4a3928",
        "HEMIFACIAL_LANDMARKER": "synthetic",
        "HEMIFACIAL_VIDEO_JOBS": "1",
        "HEMIFACIAL_INTAKE_RATE": "100000/minute",
        "HEMIFACIAL_MAX_UPLOADS_PER_DAY": "1000",
        "HEMIFACIAL_MAX_UPLOADS_PER_CASE": "1000",
    }


def _start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "hemifacial.web.app:app_from_env",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the server did not start")


class Load:
    """Clients that submit until told to stop, retrying what got no answer."""

    def __init__(self, base: str, case_id: int, cookie: dict[str, str]) -> None:
        self.base, self.case_id, self.cookie = base, case_id, cookie
        self.stop = threading.Event()
        self.accepted_intakes: dict[str, int] = {}  # patient name -> case id answered
        self.accepted_uploads: set[str] = set()  # sha256 of the files answered 202
        self.tally: Counter[str] = Counter()
        self.lock = threading.Lock()

    def _send(self, make: Any) -> httpx.Response | None:
        while not self.stop.is_set():
            try:
                return make()  # type: ignore[no-any-return]
            except httpx.HTTPError:
                with self.lock:
                    self.tally["no answer, retried"] += 1
                time.sleep(0.05)
        return None

    def intakes(self, worker: int) -> None:
        n = 0
        with httpx.Client(base_url=self.base, timeout=10) as c:
            while not self.stop.is_set():
                n += 1
                name = f"Load {worker}-{n}"
                body = {"contact": {"name": name, "email": "l@example.org", "consent": True}}
                key = {"Idempotency-Key": f"load-{worker}-{n}"}
                r = self._send(lambda b=body, k=key: c.post("/api/v1/intake", json=b, headers=k))
                if r is not None:
                    with self.lock:
                        self.tally[f"intake {r.status_code}"] += 1
                        if r.status_code == 201:
                            self.accepted_intakes[name] = r.json()["case_id"]

    def uploads(self, worker: int) -> None:
        n = 0
        url = f"/api/v1/cases/{self.case_id}/videos"
        with httpx.Client(base_url=self.base, timeout=20, headers=self.cookie) as c:
            while not self.stop.is_set():
                n += 1
                clip = tiny_mp4(frames=3, size=16 + 2 * (worker * 50 + n))
                sha = hashlib.sha256(clip).hexdigest()
                files = {"file": ("c.mp4", clip, "video/mp4")}
                r = self._send(lambda f=files: c.post(url, files=f))
                if r is not None:
                    with self.lock:
                        self.tally[f"upload {r.status_code}"] += 1
                        if r.status_code == 202:
                            self.accepted_uploads.add(sha)


def _seed(engine: Engine) -> None:
    with transaction(session_factory(engine)) as s:
        accounts.create_user(s, "doc", PASSWORD, "Dr Doc", totp_secret=DOC_SECRET)


def test_concurrent_submissions_survive_a_kill_exactly_once(engine: Engine, settings: Any) -> None:
    _seed(engine)
    env, port = _env(settings), free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start(env, port)
    try:
        with httpx.Client(base_url=base) as c:
            r = c.post(
                "/api/v1/session", json={"username": "doc", "password": PASSWORD, "otp": otp()}
            )
            cookie = {"Cookie": f"hf_session={r.cookies['hf_session']}",
                      "X-CSRF-Token": r.json()["csrf_token"]}  # fmt: skip
        body = {"contact": {"name": "Upload Ulla", "email": "u@example.org", "consent": True}}
        case_id = httpx.post(f"{base}/api/v1/intake", json=body).json()["case_id"]
        load = Load(base, case_id, cookie)
        threads = [threading.Thread(target=load.intakes, args=(i,)) for i in range(WORKERS)]
        threads += [threading.Thread(target=load.uploads, args=(i,)) for i in range(2)]
        for th in threads:
            th.start()
        time.sleep(PHASE_S)
        server.send_signal(signal.SIGKILL)  # mid-request, no shutdown of any kind
        server.wait(timeout=30)
        time.sleep(0.5)
        server = _start(env, port)
        time.sleep(PHASE_S)
        load.stop.set()
        for th in threads:
            th.join(timeout=60)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    _check(engine, settings, load)


def _check(engine: Engine, settings: Any, load: Load) -> None:
    print(f"load with a kill: {dict(load.tally)}; accepted {len(load.accepted_intakes)} "
          f"intakes, {len(load.accepted_uploads)} uploads")  # fmt: skip
    assert len(load.accepted_intakes) > 20 and len(load.accepted_uploads) > 2
    assert load.tally["no answer, retried"] > 0, "the kill happened while requests were open"
    with engine.connect() as conn:
        names = Counter(conn.execute(select(t.Case.patient_name)).scalars())
        for name in load.accepted_intakes:
            assert names[name] == 1, (name, names[name])  # stored exactly once
        ids = {r.id: r for r in conn.execute(select(t.Case.id, t.Case.status))}
        assert set(load.accepted_intakes.values()) <= set(ids)
        # nothing half-written: each submitted case has its assessment and its link
        assessed = set(conn.execute(select(t.Assessment.case_id)).scalars())
        linked = set(conn.execute(select(t.PatientLink.case_id)).scalars())
        assert set(ids) <= assessed & linked
        videos = Counter(conn.execute(select(t.Video.sha256)).scalars())
        assert all(videos[sha] == 1 for sha in load.accepted_uploads)
        assert max(videos.values()) == 1  # never the same file twice
        with_job = set(conn.execute(select(t.Job.video_id)).scalars())
        video_ids = set(conn.execute(select(t.Video.id)).scalars())
        assert video_ids <= with_job
        stored = conn.execute(select(func.count()).select_from(t.AuditEvent)).scalar()
    files = {p.name for p in Path(settings.upload_dir).rglob("*") if p.is_file()}
    assert set(videos) <= files and not any(n.startswith(".incoming") for n in files)
    env = _env(settings)
    ok = run_cli("audit", "verify", env=env)
    assert ok.returncode == 0 and f"{stored} rows" in ok.stdout, ok.stdout + ok.stderr
    with engine.begin() as conn:  # behind the app's back
        for s in chain.unguard_sql(engine.dialect.name):
            conn.execute(text(s))
        conn.execute(text("UPDATE audit SET case_id = case_id + 1 WHERE action = 'request.submit'"))
        for s in chain.guard_sql(engine.dialect.name):
            conn.execute(text(s))
    bad = run_cli("audit", "verify", env=env)
    assert bad.returncode == 1 and "was changed after it was written" in bad.stderr
