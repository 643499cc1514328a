"""Clinician accounts and sessions: Argon2id password hashes (argon2-cffi),
backend-verified session tokens (only their SHA-256 is stored), idle timeout, logout that
truly ends the session.

Hashes stored in the earlier ``scrypt$N$r$p$salt$digest`` format still verify; a successful
login replaces such a hash (or an Argon2 hash with weaker parameters) with a current one."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete
from sqlalchemy.orm import Session

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.errors import InvalidValueError
from hemifacial.errors import (
    LoginRequiredError as LoginRequiredError,  # re-exported (defined in errors.py)
)

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
"""Parameters of the legacy scrypt hashes (read from each stored hash; kept for reference)."""
MIN_PASSWORD = 8
ROLES = ("clinician", "admin")
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
"""Argon2id with OWASP's password-storage minimum (m=19 MiB, t=2, p=1): ~0.1 s per login on
this 2-core server under load, where argon2-cffi's default (RFC 9106: 64 MiB, t=3, p=4)
took ~0.8 s and the old scrypt (N=2^15) ~0.3 s (medians of 9, same run)."""


def hash_password(password: str) -> str:
    """An Argon2id hash in the PHC string format (``$argon2id$v=19$m=...``)."""
    return _HASHER.hash(password)


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (Argon2 or the legacy scrypt format)."""
    if stored.startswith("$argon2"):
        try:
            return _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    return _verify_scrypt(password, stored)


def needs_rehash(stored: str) -> bool:
    """True for a legacy scrypt hash or an Argon2 hash with other parameters than today's."""
    if not stored.startswith("$argon2"):
        return True
    try:
        return _HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=2**26,
        )
        expected = base64.b64decode(digest)
    except ValueError:  # not six fields, not numbers, bad base64, bad scrypt parameters
        return False
    return hmac.compare_digest(got, expected)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    s: Session, username: str, password: str, display_name: str, role: str = "clinician"
) -> t.User:
    username = username.strip().lower()
    if not username:
        raise InvalidValueError("username must not be empty")
    if len(password) < MIN_PASSWORD:
        raise InvalidValueError(f"password must have at least {MIN_PASSWORD} characters")
    if role not in ROLES:
        raise InvalidValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if repo.user_by_name(s, username) is not None:
        raise InvalidValueError(f"user '{username}' already exists")
    user = t.User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
    )
    s.add(user)
    s.flush()
    repo.audit(s, "system", "user.create", user=username, role=role)
    return user


@dataclass(frozen=True)
class SessionInfo:
    """A logged-in clinician as the web layer sees it."""

    user_id: int
    username: str
    display_name: str
    role: str
    csrf_token: str


def login(s: Session, username: str, password: str) -> tuple[str, SessionInfo]:
    """Check the password and open a session; returns (cookie token, info)."""
    user = repo.user_by_name(s, username.strip().lower())
    # verify against a dummy hash for unknown users so timing does not reveal them
    stored = user.password_hash if user else _dummy_hash()
    if not verify_password(password, stored) or user is None:
        repo.audit(s, username[:120] or "?", "login.failed")
        raise LoginRequiredError("wrong username or password")
    if needs_rehash(user.password_hash):  # the password is at hand only now
        user.password_hash = hash_password(password)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    s.add(t.LoginSession(token_hash=token_hash(token), user_id=user.id, csrf_token=csrf))
    repo.audit(s, user.username, "login")
    return token, SessionInfo(user.id, user.username, user.display_name, user.role, csrf)


def current(s: Session, token: str | None, idle: dt.timedelta) -> SessionInfo | None:
    """The session of a cookie token, or None when missing, unknown or idle too long."""
    if not token:
        return None
    login = repo.session_by_hash(s, token_hash(token))
    if login is None:
        return None
    now = t.utcnow()
    if now - login.last_seen > idle:
        repo.end_session(s, login.session_id)
        return None
    if now - login.last_seen > dt.timedelta(seconds=60):
        repo.touch_session(s, login.session_id, now)
    return SessionInfo(
        login.user_id, login.username, login.display_name, login.role, login.csrf_token
    )


def logout(s: Session, token: str | None) -> None:
    """End the session of ``token`` (audited when there was one)."""
    if not token:
        return
    login = repo.session_by_hash(s, token_hash(token))
    s.execute(delete(t.LoginSession).where(t.LoginSession.token_hash == token_hash(token)))
    if login is not None:
        repo.audit(s, login.username, "logout")


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))
