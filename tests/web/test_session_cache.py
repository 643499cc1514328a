"""The session cache: a known session costs no query, and a logout, a new role or a
disabled account take effect with their commit in this process, and as soon as the
notification arrives when another process made the change. On SQLite nothing is kept."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

from hemifacial.services import accounts

from .helpers import TYPICAL, intake

OTHER_PROCESS = """
import sys
from hemifacial.services import accounts
from hemifacial.services.database import Database
db = Database(sys.argv[1])
with db.unit_of_work() as s:
    accounts.set_disabled(s, "doc", True, "admin")
db.close()
"""


def _hits(app: Any) -> int:
    return int(app.state.ctx.sessions.hits)


def _listening(app: Any) -> bool:
    """Whether sessions are kept (PostgreSQL), once the login's own notification (its
    commit wrote the account's one-time code step) has come back."""
    db = app.state.ctx.db
    if not db.changes.enabled:
        return False
    deadline = time.monotonic() + 5
    while db.accounts_generation() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    seen = db.accounts_generation()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if db.accounts_generation() == seen:
            return seen is not None
        seen = db.accounts_generation()
    return False


def test_a_known_session_is_kept_and_a_change_here_ends_it_at_once(
    clinician: Any, app: Any
) -> None:
    case_id = intake(clinician, "Kept Kim", TYPICAL)["case_id"]
    listening = _listening(app)
    assessment = f"/api/v1/cases/{case_id}/assessment"
    assert clinician.get(assessment).status_code == 200
    before = _hits(app)
    assert clinician.get(assessment).status_code == 200
    assert (_hits(app) > before) == listening  # PostgreSQL: from the cache; SQLite: never
    with app.state.ctx.db.unit_of_work() as s:  # an administrator makes doc front desk
        accounts.set_role(s, "doc", "front_desk", "admin")
    assert clinician.get(assessment).status_code in (401, 403)  # the very next request


def test_a_logged_out_session_is_refused_at_once(clinician: Any, app: Any) -> None:
    listening = _listening(app)
    assert clinician.get("/api/v1/cases").status_code == 200
    before = _hits(app)
    assert clinician.get("/api/v1/cases").status_code == 200
    assert (_hits(app) > before) == listening
    cookie = clinician.cookies["hf_session"]
    assert clinician.delete("/api/v1/session").status_code in (200, 204)
    clinician.cookies.set("hf_session", cookie)  # the old cookie, kept by an attacker
    assert clinician.get("/api/v1/cases").status_code == 401


def test_a_change_by_another_process_ends_the_kept_session(clinician: Any, app: Any) -> None:
    listening = _listening(app)
    assert clinician.get("/api/v1/cases").status_code == 200
    before = _hits(app)
    assert clinician.get("/api/v1/cases").status_code == 200
    assert (_hits(app) > before) == listening
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    url = app.state.ctx.settings.database_url
    subprocess.run([sys.executable, "-c", OTHER_PROCESS, url], env=env, check=True)
    t0 = time.monotonic()
    while clinician.get("/api/v1/cases").status_code != 401:
        assert time.monotonic() - t0 < 2.0, "the other process's change was not seen"
        time.sleep(0.01)
