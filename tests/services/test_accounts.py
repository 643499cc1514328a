"""Accounts: scrypt hashes, login, sessions with idle timeout, logout."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from hemifacial.db import tables as t
from hemifacial.db.engine import transaction
from hemifacial.errors import InvalidValueError
from hemifacial.services import accounts

IDLE = dt.timedelta(minutes=30)


def test_password_hash_is_salted_scrypt_and_verifies() -> None:
    a, b = accounts.hash_password("correct horse"), accounts.hash_password("correct horse")
    assert a != b and a.startswith("scrypt$")
    assert accounts.verify_password("correct horse", a)
    assert not accounts.verify_password("wrong horse", a)
    assert not accounts.verify_password("x", "md5$abc")


def test_users_are_validated(factory: Any) -> None:
    with transaction(factory) as s:
        with pytest.raises(InvalidValueError, match="at least 8"):
            accounts.create_user(s, "doc", "short", "Doc")
        accounts.create_user(s, "Doc", "long enough", "Doc")
        with pytest.raises(InvalidValueError, match="already exists"):
            accounts.create_user(s, "doc", "long enough", "Doc")


def test_login_session_idle_timeout_and_logout(factory: Any) -> None:
    with transaction(factory) as s:
        accounts.create_user(s, "doc", "long enough", "Dr Doc")
    with transaction(factory) as s, pytest.raises(accounts.LoginRequiredError):
        accounts.login(s, "doc", "wrong password")
    with transaction(factory) as s:
        token, info = accounts.login(s, "DOC", "long enough")
        assert info.display_name == "Dr Doc"
        stored = s.scalars(select(t.LoginSession)).one()
        assert stored.token_hash == accounts.token_hash(token) and token not in stored.token_hash
    with transaction(factory) as s:
        assert accounts.current(s, token, IDLE) is not None
        assert accounts.current(s, "forged", IDLE) is None
        s.scalars(select(t.LoginSession)).one().last_seen = t.utcnow() - dt.timedelta(hours=1)
    with transaction(factory) as s:
        assert accounts.current(s, token, IDLE) is None  # idle too long: ended
        token2, _ = accounts.login(s, "doc", "long enough")
        accounts.logout(s, token2)
    with transaction(factory) as s:
        assert accounts.current(s, token2, IDLE) is None
        actions = [e.action for e in s.scalars(select(t.AuditEvent))]
        assert actions.count("login") == 2 and "login.failed" in actions
