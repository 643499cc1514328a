"""Clinic accounts and sessions: roles, Argon2id passwords (:mod:`.passwords`), a second
factor for the roles that need it (:mod:`.mfa`), backend-verified session tokens (only their
SHA-256 is stored) with an idle timeout and an absolute lifetime, and the account lifecycle
(add, disable, set role, reset password, change one's own password).

A login is three steps so that the web layer can hash off its request threads:
:func:`candidate` reads the stored hash, the caller verifies the password
(:func:`.passwords.verify_async`), :func:`complete_login` checks the second factor and opens
the session. :func:`login` does the three in a row (CLI, tests)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.orm import Session

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.errors import InvalidValueError, PermissionDeniedError, SecondFactorError
from hemifacial.errors import (
    LoginRequiredError as LoginRequiredError,  # re-exported (defined in errors.py)
)

from . import mfa
from .admin_views import Enrolment, UserRow
from .passwords import dummy_hash, hash_password, needs_rehash, verify_password

__all__ = ["hash_password", "needs_rehash", "verify_password"]  # re-exported

MIN_PASSWORD = 8
ROLES = ("admin", "clinician", "front_desk", "auditor")
ROLE_LABELS = {
    "admin": "administrator",
    "clinician": "clinician",
    "front_desk": "front desk",
    "auditor": "auditor (read only)",
}
MFA_ROLES = frozenset({"admin", "clinician", "auditor"})
"""Roles that must log in with a second factor (they read or change clinical data)."""
WRONG = "wrong username or password"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidValueError(f"password must have at least {MIN_PASSWORD} characters")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")


def create_user(
    s: Session,
    username: str,
    password: str,
    display_name: str,
    role: str = "clinician",
    *,
    actor: str = "system",
    totp_secret: str | None = None,
) -> t.User:
    """A new account; with ``totp_secret`` its second factor is already set up (demo, tests)."""
    username = username.strip().lower()
    if not username or len(username) > 80 or not username.isprintable() or " " in username:
        raise InvalidValueError("username must be 1 to 80 characters without spaces")
    _check_password(password)
    _check_role(role)
    if repo.user_by_name(s, username) is not None:
        raise InvalidValueError(f"user '{username}' already exists")
    user = t.User(
        username=username,
        display_name=display_name.strip()[:120] or username,
        password_hash=hash_password(password),
        role=role,
        disabled=False,
        totp_secret=totp_secret,
        totp_confirmed=totp_secret is not None,
        recovery_codes=[],
    )
    s.add(user)
    s.flush()
    repo.audit(s, actor, "user.create", user=username, role=role)
    return user


@dataclass(frozen=True)
class SessionInfo:
    """A logged-in user as the web layer sees it (``stage`` "enrol": the password was right
    and the second factor is still to be set up; such a session opens nothing else)."""

    user_id: int
    username: str
    display_name: str
    role: str
    csrf_token: str
    stage: str = "full"
    session_id: int = 0

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


@dataclass(frozen=True)
class LoginCandidate:
    """What a login needs before the password is checked (no hash is verified yet)."""

    username: str
    password_hash: str
    user_id: int | None


def candidate(s: Session, username: str) -> LoginCandidate:
    user = repo.user_by_name(s, username.strip().lower())
    if user is None:  # verify against a dummy hash so timing does not reveal unknown users
        return LoginCandidate(username, dummy_hash(), None)
    return LoginCandidate(user.username, user.password_hash, user.id)


def complete_login(
    s: Session,
    cand: LoginCandidate,
    password_ok: bool,
    otp: str | None,
    *,
    new_hash: str | None = None,
) -> tuple[str, SessionInfo]:
    """Open a session after the password check; a wrong password, a disabled account or a
    wrong second factor is audited and raised (the caller commits before raising on)."""
    user = s.get(t.User, cand.user_id) if cand.user_id is not None else None
    if user is None or not password_ok:
        repo.audit(s, cand.username[:120] or "?", "login.failed", reason="password")
        raise LoginRequiredError(WRONG)
    if user.disabled:
        repo.audit(s, user.username, "login.failed", reason="disabled")
        raise LoginRequiredError("this account is disabled; ask the clinic's administrator")
    stage = "full"
    if user.role in MFA_ROLES:
        if not user.totp_confirmed:
            stage = "enrol"
        elif not (otp or "").strip():
            raise SecondFactorError(
                "enter the 6-digit code from your authenticator app (or a recovery code)"
            )
        elif (kind := mfa.check(user, otp or "")) is None:
            repo.audit(s, user.username, "login.failed", reason="second factor")
            raise SecondFactorError("the one-time code is wrong or was already used")
        elif kind == "recovery":
            repo.audit(s, user.username, "mfa.recovery_code_used")
    if new_hash is not None:  # the password is at hand only now
        user.password_hash = new_hash
    token, info = open_session(s, user, stage)
    repo.audit(s, user.username, "login" if stage == "full" else "login.enrol")
    return token, info


def open_session(s: Session, user: t.User, stage: str = "full") -> tuple[str, SessionInfo]:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    row = t.LoginSession(
        token_hash=token_hash(token), user_id=user.id, csrf_token=csrf, stage=stage
    )
    s.add(row)
    s.flush()
    info = SessionInfo(user.id, user.username, user.display_name, user.role, csrf, stage, row.id)
    return token, info


def login(
    s: Session, username: str, password: str, otp: str | None = None
) -> tuple[str, SessionInfo]:
    """Check the password (on this thread) and the second factor, and open a session."""
    cand = candidate(s, username)
    ok = verify_password(password, cand.password_hash)
    new = hash_password(password) if ok and needs_rehash(cand.password_hash) else None
    return complete_login(s, cand, ok, otp, new_hash=new)


def current(
    s: Session, token: str | None, idle: dt.timedelta, lifetime: dt.timedelta
) -> SessionInfo | None:
    """The session of a cookie token, or None when missing, unknown, idle too long, older
    than ``lifetime`` or of a disabled account."""
    found = lookup(s, token, idle, lifetime)
    return found.info if found is not None else None


@dataclass(frozen=True)
class Found:
    """A live session as read: who, and its idle stamp and start (for a cache's checks)."""

    info: SessionInfo
    last_seen: dt.datetime
    created_at: dt.datetime


TOUCH_S = 60
"""A session's idle stamp is written at most once a minute (and a cache re-reads a
session whose stamp is older than that)."""


def lookup(
    s: Session, token: str | None, idle: dt.timedelta, lifetime: dt.timedelta
) -> Found | None:
    """:func:`current` with the session's stamps."""
    if not token:
        return None
    login = repo.session_by_hash(s, token_hash(token))
    if login is None:
        return None
    now = t.utcnow()
    if login.disabled or now - login.last_seen > idle or now - login.created_at > lifetime:
        repo.end_session(s, login.session_id)
        return None
    last_seen = login.last_seen
    if now - login.last_seen > dt.timedelta(seconds=TOUCH_S):
        repo.touch_session(s, login.session_id, now)
        last_seen = now
    info = SessionInfo(
        login.user_id,
        login.username,
        login.display_name,
        login.role,
        login.csrf_token,
        login.stage,
        login.session_id,
    )
    return Found(info, last_seen, login.created_at)


def logout(s: Session, token: str | None) -> None:
    """End the session of ``token`` (audited when there was one)."""
    if not token:
        return
    login = repo.session_by_hash(s, token_hash(token))
    s.execute(delete(t.LoginSession).where(t.LoginSession.token_hash == token_hash(token)))
    if login is not None:
        repo.audit(s, login.username, "logout")


# -- the second factor -------------------------------------------------------------------


def enrolment(s: Session, user_id: int) -> Enrolment:
    """The secret to type into an authenticator app (made once, kept until confirmed)."""
    user = repo.user_by_id(s, user_id)
    if user.totp_confirmed:
        raise PermissionDeniedError("the second factor is already set up")
    if not user.totp_secret:
        user.totp_secret = mfa.new_secret()
    return Enrolment(user.totp_secret, mfa.uri(user.totp_secret, user.username))


def confirm_enrolment(s: Session, session: SessionInfo, code: str) -> list[str]:
    """Check the first code, finish the login, and return the recovery codes (shown once)."""
    user = repo.user_by_id(s, session.user_id)
    step = mfa.totp_step(user.totp_secret or "", code, None) if user.totp_secret else None
    if user.totp_confirmed or step is None:
        raise SecondFactorError("the code does not match; check the app's clock and try again")
    codes, hashes = mfa.new_recovery_codes()
    user.totp_confirmed, user.totp_last_step, user.recovery_codes = True, step, hashes
    repo.set_session_stage(s, session.session_id, "full")
    repo.end_sessions_of(s, user.id, keep=session.session_id)
    repo.audit(s, user.username, "mfa.enrol")
    return codes


def new_recovery_codes(s: Session, user_id: int) -> list[str]:
    user = repo.user_by_id(s, user_id)
    codes, user.recovery_codes = mfa.new_recovery_codes()
    repo.audit(s, user.username, "mfa.recovery_codes")
    return codes


# -- the account lifecycle ---------------------------------------------------------------


def _user(s: Session, username: str) -> t.User:
    user = repo.user_by_name(s, username.strip().lower())
    if user is None:
        raise InvalidValueError(f"there is no user '{username}'")
    return user


def user_name(s: Session, user_id: int) -> str:
    return repo.user_by_id(s, user_id).username


def list_users(s: Session) -> tuple[UserRow, ...]:
    counts = repo.session_counts(s)
    return tuple(
        UserRow(
            u.id,
            u.username,
            u.display_name,
            u.role,
            bool(u.disabled),
            bool(u.totp_confirmed),
            len(u.recovery_codes or []),
            counts.get(u.id, 0),
            u.created_at,
        )
        for u in repo.all_users(s)
    )


def set_disabled(s: Session, username: str, disabled: bool, actor: str) -> None:
    """Disable (ending its sessions at once) or re-enable an account."""
    user = _user(s, username)
    if disabled and user.username == actor:
        raise InvalidValueError("you cannot disable your own account")
    user.disabled = disabled
    ended = repo.end_sessions_of(s, user.id) if disabled else 0
    action = "user.disable" if disabled else "user.enable"
    repo.audit(s, actor, action, user=user.username, sessions_ended=ended)


def set_role(s: Session, username: str, role: str, actor: str) -> None:
    """A new role; the account's sessions end (the next login asks what the role needs)."""
    _check_role(role)
    user = _user(s, username)
    if user.username == actor and role != "admin":
        raise InvalidValueError("you cannot take the administrator role from yourself")
    before, user.role = user.role, role
    repo.end_sessions_of(s, user.id)
    repo.audit(s, actor, "user.role", user=user.username, before=before, after=role)


def reset_password(s: Session, username: str, password: str, actor: str) -> None:
    """A new password set by an administrator (or the CLI); every session of the user ends."""
    _check_password(password)
    user = _user(s, username)
    user.password_hash = hash_password(password)
    ended = repo.end_sessions_of(s, user.id)
    repo.audit(s, actor, "user.password_reset", user=user.username, sessions_ended=ended)


def reset_second_factor(s: Session, username: str, actor: str) -> None:
    """Forget the user's second factor (a lost phone): it is set up again at the next login."""
    user = _user(s, username)
    user.totp_secret, user.totp_confirmed, user.totp_last_step = None, False, None
    user.recovery_codes = []
    repo.end_sessions_of(s, user.id)
    repo.audit(s, actor, "user.mfa_reset", user=user.username)


def change_password(s: Session, session: SessionInfo, current_pw: str, new_pw: str) -> int:
    """The user's own change (the current password is required); the user's other sessions
    end, this one stays. Returns how many sessions ended."""
    user = repo.user_by_id(s, session.user_id)
    if not verify_password(current_pw, user.password_hash):
        repo.audit(s, user.username, "user.password_change_failed")
        raise InvalidValueError("the current password is wrong")
    _check_password(new_pw)
    user.password_hash = hash_password(new_pw)
    ended = repo.end_sessions_of(s, user.id, keep=session.session_id)
    repo.audit(s, user.username, "user.password_change", sessions_ended=ended)
    return ended
