"""Duplicate-submission guard: a repeated submission (the same Idempotency-Key header on
the API, or the same one-time key of the request form) answers with the case the first one
made, never a second case.

Only the key's SHA-256 is stored, with the case's number. The first submission claims the
key at the start of its transaction; a concurrent repeat waits for it (the key is the
primary key) and then finds its case. A repeat gets a fresh private link to that case: the
first link was shown once and is not kept anywhere in clear.
"""

from __future__ import annotations

import hashlib

from hemifacial.db import submissions
from hemifacial.errors import ConflictError, InvalidValueError

from .database import UnitOfWork

MAX_KEY = 200


def _digest(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()


def claim(s: UnitOfWork, scope: str, key: str | None) -> int | None:
    """The case of an earlier submission with ``key``, or None after claiming it for this
    one (nothing is claimed without a key)."""
    if not key:
        return None
    if len(key) > MAX_KEY or not key.isprintable():
        raise InvalidValueError(f"an idempotency key has 1 to {MAX_KEY} printable characters")
    digest = _digest(scope, key)
    if submissions.claim_key(s, digest):
        return None
    earlier = submissions.idempotent_case(s, digest)
    if earlier is None:
        raise ConflictError("this submission is being handled already; wait a moment")
    return earlier


def bind(s: UnitOfWork, scope: str, key: str | None, case_id: int) -> None:
    """Record that the submission with ``key`` made case ``case_id``."""
    if key:
        submissions.bind_key(s, _digest(scope, key), case_id)
