"""The second factor: TOTP (RFC 6238, ``pyotp``) and single-use recovery codes.

A code is accepted for the current 30-second step and one step either side (clock drift),
and only once: the step of the last accepted code is kept and a code of that step or an
earlier one is refused (a code seen over someone's shoulder cannot be replayed). Recovery
codes are stored as SHA-256 hashes (they are random, so a fast hash suffices) and each works
once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp

from hemifacial.db import tables as t

ISSUER = "hemifacial clinic"
RECOVERY_CODES = 10
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()


def uri(secret: str, username: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (typed in or pasted, no QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().lower().encode()).hexdigest()


def new_recovery_codes() -> tuple[list[str], list[str]]:
    """(codes to show once, their hashes to store)."""
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    return codes, [_code_hash(c) for c in codes]


def totp_step(
    secret: str, code: str, last_step: int | None, now: float | None = None
) -> int | None:
    """The time step ``code`` belongs to, if it is valid and newer than ``last_step``."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // totp.interval)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * totp.interval), code):
            return step if last_step is None or step > last_step else None
    return None


def check(user: t.User, code: str) -> str | None:
    """Accept a TOTP code or an unused recovery code for ``user`` (updating the row);
    returns ``"totp"`` or ``"recovery"``, or None when neither fits."""
    if not user.totp_secret:
        return None
    step = totp_step(user.totp_secret, code, user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return "totp"
    hashed = _code_hash(code)
    left = list(user.recovery_codes or [])
    for stored in left:
        if hmac.compare_digest(stored, hashed):
            left.remove(stored)
            user.recovery_codes = left
            return "recovery"
    return None
