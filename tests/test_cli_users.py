"""``hemifacial users``: the account lifecycle from the shell, passwords never in argv."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from hemifacial.db import tables as t
from hemifacial.db.engine import make_engine, session_factory, transaction
from hemifacial.services import accounts
from tests.support import run_cli


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HEMIFACIAL_MODE": "dev",
        "HEMIFACIAL_DATA_DIR": str(tmp_path),
        "HEMIFACIAL_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }


def _users(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hemifacial.cli", "users", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_account_lifecycle_from_the_shell(tmp_path: Path) -> None:
    env = _env(tmp_path)
    secret = "a long password 1"
    r = _users("add", "Nurse", "--role", "front_desk", "--password-stdin", env=env, stdin=secret)
    assert r.returncode == 0 and "added front_desk account 'nurse'" in r.stdout, r.stderr
    assert secret not in r.stdout + r.stderr
    r = _users("add", "nurse", "--password-stdin", env=env, stdin=secret)
    assert r.returncode == 2 and "already exists" in r.stderr and "Traceback" not in r.stderr
    assert _users("add", "x", "--password-stdin", env=env, stdin="").returncode == 2
    assert _users("role", "nurse", "clinician", env=env).returncode == 0
    r = _users("role", "nurse", "boss", env=env)
    assert r.returncode == 2 and "boss" in r.stderr
    assert (
        _users("passwd", "nurse", "--password-stdin", env=env, stdin="new password 22").returncode
        == 0
    )
    assert _users("disable", "nurse", env=env).returncode == 0
    listing = _users("list", env=env).stdout
    assert "nurse" in listing and "clinician" in listing and "disabled" in listing
    engine = make_engine(env["HEMIFACIAL_DATABASE_URL"])
    with transaction(session_factory(engine)) as s:
        user = s.scalars(select(t.User)).one()
        assert user.role == "clinician" and user.disabled
        assert accounts.verify_password("new password 22", user.password_hash)
        actions = [e.action for e in s.scalars(select(t.AuditEvent))]
        actors = {e.actor for e in s.scalars(select(t.AuditEvent))}
    engine.dispose()
    assert actions == ["user.create", "user.role", "user.password_reset", "user.disable"]
    assert actors == {"cli"}


def test_a_password_on_the_command_line_is_refused(tmp_path: Path) -> None:
    r = run_cli("serve", "--create-user", "doc", "hunter2hunter2", env=_env(tmp_path))
    assert r.returncode == 2
    assert "hemifacial users add" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "db.sqlite3").exists()  # refused before anything was done
    # there is no option that takes a password as an argument
    help_text = _users("add", "--help", env=_env(tmp_path)).stdout
    assert "--password-stdin" in help_text and "--password " not in help_text
