"""``hemifacial serve --demo`` and the start-up errors people see."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support import otp, run_cli

from .server import free_port


def test_serve_demo_prints_the_login_and_serves_demo_cases(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "HEMIFACIAL_DEMO_VIDEOS": "off"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hemifacial.cli",
            "serve",
            "--demo",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "demo"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = []
        while not any("demo clinician login" in line for line in lines):
            line = proc.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        assert "username 'demo', password 'demo-clinician'" in lines[-1]
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(f"{base}/healthz")
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        secret = lines[-1].split("authenticator secret ")[1].split()[0]
        with httpx.Client(base_url=base) as c:
            code = otp(secret)  # the demo login page shows the same code
            r = c.post(
                "/api/v1/session",
                json={"username": "demo", "password": "demo-clinician", "otp": code},
            )
            assert r.status_code == 200
            cases = c.get("/api/v1/cases").json()
            assert cases["total"] == 4
            assert cases["cases"][0]["red_flag_level"] == 2  # red flags first
            names = {x["patient_name"] for x in cases["cases"]}
            assert "Peter Placeholder" in names
            blepharo = next(x for x in cases["cases"] if x["patient_name"] == "Peter Placeholder")
            assert blepharo["top_condition"] == "blepharospasm"
        assert (tmp_path / "demo" / "hemifacial.sqlite3").is_file()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()


def test_serve_refuses_a_missing_secret_and_an_unreachable_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEMIFACIAL_")}
    env["HEMIFACIAL_DATA_DIR"] = str(tmp_path)
    out = run_cli("serve", env=env)
    assert out.returncode == 2 and "HEMIFACIAL_SECRET_KEY must be set" in out.stderr
    env.update(
        {
            "HEMIFACIAL_MODE": "dev",
            "HEMIFACIAL_DATABASE_URL": "postgresql+psycopg://u:pw@127.0.0.1:1/x",
        }
    )
    out = run_cli("serve", env=env)
    assert out.returncode == 5
    assert "is not reachable" in out.stderr and "Traceback" not in out.stderr
    assert ":pw@" not in out.stderr
