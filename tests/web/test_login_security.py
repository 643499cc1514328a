"""Logging in: throttling and lockout with Retry-After, audited failures, the second factor
(enrolment, replay, recovery codes), disabled accounts, password changes, the absolute session
lifetime, Secure cookies and HSTS off loopback, and password hashing off the request threads."""

from __future__ import annotations

import datetime as dt
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio.to_thread
import pyotp
import pytest
from sqlalchemy import select

from hemifacial.db import tables as t
from hemifacial.jobs.inprocess import InProcessRunner
from hemifacial.services import accounts, passwords
from hemifacial.settings import Settings
from hemifacial.web.app import create_app
from tests.db.fixtures import REDIS_URL, client_for, unavailable
from tests.doubles import fake_analyzer
from tests.support import DOC_SECRET, otp

from .conftest import PASSWORD
from .helpers import csrf

ONE_DB = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def make_app(settings: Settings, **changes: Any) -> Any:
    app = create_app(settings.with_(**changes), runner=None)
    ctx = app.state.ctx
    ctx.runner = InProcessRunner(ctx.db.factory, settings, ctx.kb, analyzer=fake_analyzer)
    with ctx.db.unit_of_work() as s:
        accounts.create_user(s, "doc", PASSWORD, "Dr Doc", totp_secret=DOC_SECRET)
        accounts.create_user(s, "desk", PASSWORD, "Front Desk", "front_desk")
        accounts.create_user(s, "boss", PASSWORD, "The Admin", "admin", totp_secret=DOC_SECRET)
    return app


def audit_actions(app: Any, action: str) -> list[t.AuditEvent]:
    with app.state.ctx.db.unit_of_work() as s:
        return list(s.scalars(select(t.AuditEvent).where(t.AuditEvent.action == action)))


def api_login(c: Any, username: str, password: str = PASSWORD, code: str | None = None) -> Any:
    body = {"username": username, "password": password}
    if code is not None:
        body["otp"] = code
    r = c.post("/api/v1/session", json=body)
    if r.status_code == 200:
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return r


@ONE_DB
def test_wrong_logins_lock_the_account_with_retry_after_and_are_audited(
    settings: Settings, engine: Any
) -> None:
    app = make_app(settings, login_limit_account="3/15minutes", login_limit_address="5/minute")
    with client_for(app) as c:
        for _ in range(3):
            assert api_login(c, "desk", "wrong password").status_code == 401
        r = api_login(c, "desk")  # the right password, but the account is locked now
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        assert "too many failed logins for this account" in r.json()["error"]["message"]
        page = c.post(
            "/login", data={"csrf_token": csrf(c), "username": "desk", "password": PASSWORD}
        )
        assert page.status_code == 429 and "Retry-After" in page.headers
        assert "Too many failed logins" in page.text
        failed = audit_actions(app, "login.failed")  # committed although each request failed
        assert [e.actor for e in failed] == ["desk"] * 3
        # per address: other names from the same address are cut off too
        for name in ("nobody1", "nobody2"):
            assert api_login(c, name, "x").status_code == 401
        r = api_login(c, "doc", PASSWORD, otp())
        assert r.status_code == 429 and "this address" in r.json()["error"]["message"]


@ONE_DB
def test_the_second_factor_is_required_used_once_and_recovery_codes_work_once(
    settings: Settings, engine: Any
) -> None:
    app = make_app(settings)
    with client_for(app) as c:
        r = api_login(c, "doc")
        assert r.status_code == 401 and r.json()["error"]["type"] == "SecondFactorError"
        r = api_login(c, "doc", code="000000")
        assert r.status_code == 401 and "wrong or was already used" in r.json()["error"]["message"]
        assert [e.detail["reason"] for e in audit_actions(app, "login.failed")] == ["second factor"]
        code = otp()
        assert api_login(c, "doc", code=code).status_code == 200
        c.cookies.clear()
        assert api_login(c, "doc", code=code).status_code == 401  # the same code again: refused
        with app.state.ctx.db.unit_of_work() as s:
            user = s.scalars(select(t.User).where(t.User.username == "doc")).one()
            session = accounts.SessionInfo(user.id, "doc", "Dr Doc", "clinician", "")
            codes = accounts.new_recovery_codes(s, session.user_id)
            assert all(h not in codes for h in user.recovery_codes or [])  # stored hashed
        assert len(codes) == 10
        assert api_login(c, "doc", code=codes[0]).status_code == 200
        c.cookies.clear()
        assert api_login(c, "doc", code=codes[0]).status_code == 401  # single use
        assert len(audit_actions(app, "mfa.recovery_code_used")) == 1


@ONE_DB
def test_a_clinician_without_a_second_factor_sets_it_up_at_the_first_login(
    settings: Settings, engine: Any
) -> None:
    app = make_app(settings)
    with app.state.ctx.db.unit_of_work() as s:
        accounts.create_user(s, "newdoc", PASSWORD, "Dr New")
    with client_for(app) as c:
        r = api_login(c, "newdoc")  # the API cannot set it up
        assert r.status_code == 403 and "/login" in r.json()["error"]["message"]
        r = c.post(
            "/login",
            data={"csrf_token": csrf(c), "username": "newdoc", "password": PASSWORD},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == "/login/second-factor"
        # until it is set up, the session opens nothing else
        r = c.get("/clinic", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login/second-factor"
        assert c.get("/api/v1/cases").status_code == 401
        page = c.get("/login/second-factor").text
        secret = re.search(r'value="([A-Z2-7]{32})"', page)
        assert secret and "otpauth://totp/" in page and "<script>" not in page
        token = csrf(c)
        wrong = c.post("/login/second-factor", data={"csrf_token": token, "otp": "123456"})
        assert wrong.status_code == 401 and "does not match" in wrong.text
        code = pyotp.TOTP(secret.group(1)).now()
        done = c.post("/login/second-factor", data={"csrf_token": token, "otp": code})
        assert done.status_code == 200 and len(re.findall(r"<li><code>", done.text)) == 10
        assert c.get("/clinic").status_code == 200
        assert len(audit_actions(app, "mfa.enrol")) == 1


@ONE_DB
def test_a_disabled_account_cannot_log_in_and_its_sessions_end(
    settings: Settings, engine: Any
) -> None:
    app = make_app(settings)
    with client_for(app) as desk, client_for(app) as boss:
        assert api_login(desk, "desk").status_code == 200
        assert desk.get("/api/v1/cases").status_code == 200
        assert api_login(boss, "boss", code=otp()).status_code == 200
        users = boss.get("/clinic/admin/users").text
        desk_id = re.search(r"/clinic/admin/users/(\d+)/disabled", users.split("desk</code>")[1])
        assert desk_id
        r = boss.post(f"/clinic/admin/users/{desk_id.group(1)}/disabled", data={"disabled": "yes"})
        assert r.status_code == 200 and "disabled" in r.text
        assert desk.get("/api/v1/cases").status_code == 401  # the session ended at once
        r = api_login(desk, "desk")
        assert r.status_code == 401 and "disabled" in r.json()["error"]["message"]
        assert desk.get("/clinic/admin/users", follow_redirects=False).status_code == 303
        assert [e.detail["user"] for e in audit_actions(app, "user.disable")] == ["desk"]


@ONE_DB
def test_changing_ones_password_needs_the_current_one_and_ends_the_other_sessions(
    settings: Settings, engine: Any
) -> None:
    app = make_app(settings)
    with client_for(app) as here, client_for(app) as there:
        assert api_login(here, "desk").status_code == 200
        assert api_login(there, "desk").status_code == 200
        form = {"current": "not it", "new": "a new password", "repeat": "a new password"}
        r = here.post("/clinic/account/password", data=form)
        assert r.status_code == 422 and "current password is wrong" in r.text
        assert len(audit_actions(app, "user.password_change_failed")) == 1
        r = here.post("/clinic/account/password", data={**form, "current": PASSWORD})
        assert r.status_code == 200 and "1 other session(s) ended" in r.text
        assert here.get("/api/v1/cases").status_code == 200  # this one stays
        assert there.get("/api/v1/cases").status_code == 401  # the other one ended
        there.cookies.clear()
        assert api_login(there, "desk").status_code == 401
        assert api_login(there, "desk", "a new password").status_code == 200


@ONE_DB
def test_a_session_ends_after_its_absolute_lifetime_however_busy(
    settings: Settings, engine: Any
) -> None:
    app = make_app(settings, session_max_hours=12)
    with client_for(app) as c:
        assert api_login(c, "desk").status_code == 200
        with app.state.ctx.db.unit_of_work() as s:
            row = s.scalars(select(t.LoginSession)).one()
            row.created_at = t.utcnow() - dt.timedelta(hours=12, minutes=1)
            row.last_seen = t.utcnow()  # used a moment ago: the idle timeout alone keeps it
        assert c.get("/api/v1/cases").status_code == 401


@ONE_DB
def test_secure_cookies_and_hsts_when_the_public_address_is_https(
    settings: Settings, engine: Any
) -> None:
    app = make_app(settings, public_url="https://clinic.example.org")
    with client_for(app) as c:
        r = c.get("/login")
        assert r.headers["strict-transport-security"].startswith("max-age=31536000")
        assert "Secure" in r.headers["set-cookie"]
        r = c.post("/api/v1/session", json={"username": "desk", "password": PASSWORD})
        assert "hf_session=" in r.headers["set-cookie"] and "Secure" in r.headers["set-cookie"]


@ONE_DB
def test_wrong_logins_in_flight_do_not_stall_other_users(
    settings: Settings, engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """48 logins whose hashing cannot finish (held by an event) must not keep the dashboard
    waiting: the hashing runs on its own pool, not on the server's request threads (here 16
    of them, fewer than the logins, as on a busy server)."""
    app = make_app(settings, login_limit_account="1000/minute", login_limit_address="1000/minute")
    release, entered = threading.Event(), threading.Semaphore(0)
    real = passwords.verify_password

    def slow_verify(password: str, stored: str) -> bool:
        entered.release()
        release.wait(60)
        return real(password, stored)

    async def sixteen_request_threads() -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 16

    with client_for(app) as c:  # one server (event loop and thread pool) for everyone
        c.portal.call(sixteen_request_threads)
        assert api_login(c, "desk").status_code == 200
        monkeypatch.setattr(passwords, "verify_password", slow_verify)
        with ThreadPoolExecutor(max_workers=48) as pool:
            logins = [pool.submit(api_login, c, f"user{i}", "wrong password") for i in range(48)]
            for _ in range(2):  # the hashing pool's threads are busy with the first logins
                assert entered.acquire(timeout=30)
            try:
                with ThreadPoolExecutor(max_workers=1) as other:
                    dashboard = other.submit(c.get, "/api/v1/cases")
                    # it answers while not one of the 48 logins can finish
                    assert dashboard.result(timeout=30).status_code == 200
                    assert not any(f.done() for f in logins)
            finally:
                release.set()
            assert [f.result().status_code for f in logins] == [401] * 48


@ONE_DB
def test_with_redis_every_worker_shares_the_failed_login_counts(
    settings: Settings, engine: Any
) -> None:
    """Two app processes (here: two apps) on one Redis: failures counted on one lock the
    account on the other."""
    import secrets

    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        unavailable(f"Redis at {REDIS_URL} is not reachable: {type(exc).__name__}")
    shared = {"rate_limit_storage": REDIS_URL, "login_limit_account": "2/15minutes"}
    one = make_app(settings, **shared)
    name = f"ghost-{secrets.token_hex(4)}"  # counts live 15 minutes: a name of its own
    other = create_app(settings.with_(**shared), runner=None)
    with client_for(one) as a, client_for(other) as b:
        assert api_login(a, name, "wrong").status_code == 401
        assert api_login(a, name, "wrong").status_code == 401
        r = api_login(b, name, "wrong")
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
