"""Accounts: Argon2id hashes (legacy scrypt ones rehashed at login), login, sessions with
idle timeout, logout."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from hemifacial.db import tables as t
from hemifacial.db.engine import transaction
from hemifacial.errors import InvalidValueError
from hemifacial.services import accounts

IDLE = dt.timedelta(minutes=30)
LIFE = dt.timedelta(hours=12)


def scrypt_hash(password: str, salt: bytes = b"0123456789abcdef") -> str:
    """A hash in the format stored before Argon2id (``scrypt$N$r$p$salt$digest``)."""
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, maxmem=2**26)
    b64 = base64.b64encode
    return f"scrypt${2**14}$8$1${b64(salt).decode()}${b64(digest).decode()}"


def test_password_hash_is_salted_argon2id_and_verifies() -> None:
    a, b = accounts.hash_password("correct horse"), accounts.hash_password("correct horse")
    assert a != b and a.startswith("$argon2id$v=19$")
    assert accounts.verify_password("correct horse", a)
    assert not accounts.verify_password("wrong horse", a)
    assert not accounts.verify_password("x", "md5$abc")
    assert not accounts.verify_password("x", "$argon2id$garbage")
    assert not accounts.needs_rehash(a)


def test_legacy_scrypt_hashes_still_verify_and_need_a_rehash() -> None:
    old = scrypt_hash("correct horse")
    assert accounts.verify_password("correct horse", old)
    assert not accounts.verify_password("wrong horse", old)
    assert not accounts.verify_password("x", "scrypt$16384$8$1$not-base64!$abc")
    assert accounts.needs_rehash(old)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("correct horse")
    assert accounts.verify_password("correct horse", weak) and accounts.needs_rehash(weak)


@pytest.mark.parametrize("kind", ["scrypt", "weak argon2id"])
def test_login_rehashes_an_old_hash_transparently(factory: Any, kind: str) -> None:
    old = (
        scrypt_hash("long enough")
        if kind == "scrypt"
        else PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("long enough")
    )
    with transaction(factory) as s:
        accounts.create_user(s, "doc", "long enough", "Dr Doc").password_hash = old
    with transaction(factory) as s, pytest.raises(accounts.LoginRequiredError):
        accounts.login(s, "doc", "wrong password")
    with transaction(factory) as s:  # a failed login leaves the stored hash alone
        assert s.scalars(select(t.User)).one().password_hash == old
        accounts.login(s, "doc", "long enough")
    with transaction(factory) as s:
        new = s.scalars(select(t.User)).one().password_hash
        assert new != old and new.startswith("$argon2id$") and not accounts.needs_rehash(new)
        assert accounts.verify_password("long enough", new)
        accounts.login(s, "doc", "long enough")  # and the next login keeps it
    with transaction(factory) as s:
        assert s.scalars(select(t.User)).one().password_hash == new


def test_users_are_validated(factory: Any) -> None:
    with transaction(factory) as s:
        with pytest.raises(InvalidValueError, match="at least 8"):
            accounts.create_user(s, "doc", "short", "Doc")
        accounts.create_user(s, "Doc", "long enough", "Doc")
        with pytest.raises(InvalidValueError, match="already exists"):
            accounts.create_user(s, "doc", "long enough", "Doc")


def test_login_session_idle_timeout_and_logout(factory: Any) -> None:
    with transaction(factory) as s:  # a role without a second factor
        accounts.create_user(s, "doc", "long enough", "Dr Doc", "front_desk")
    with transaction(factory) as s, pytest.raises(accounts.LoginRequiredError):
        accounts.login(s, "doc", "wrong password")
    with transaction(factory) as s:
        token, info = accounts.login(s, "DOC", "long enough")
        assert info.display_name == "Dr Doc"
        stored = s.scalars(select(t.LoginSession)).one()
        assert stored.token_hash == accounts.token_hash(token) and token not in stored.token_hash
    with transaction(factory) as s:
        assert accounts.current(s, token, IDLE, LIFE) is not None
        assert accounts.current(s, "forged", IDLE, LIFE) is None
        s.scalars(select(t.LoginSession)).one().last_seen = t.utcnow() - dt.timedelta(hours=1)
    with transaction(factory) as s:
        assert accounts.current(s, token, IDLE, LIFE) is None  # idle too long: ended
        token2, _ = accounts.login(s, "doc", "long enough")
        accounts.logout(s, token2)
    with transaction(factory) as s:
        assert accounts.current(s, token2, IDLE, LIFE) is None
        actions = [e.action for e in s.scalars(select(t.AuditEvent))]
        assert actions.count("login") == 2 and "login.failed" in actions
