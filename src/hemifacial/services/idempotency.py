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

from sqlalchemy.exc import IntegrityError

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.errors import InvalidValueError

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
    row = s.get(t.IdempotencyKey, digest)
    if row is not None and row.case_id is not None:
        return row.case_id
    try:
        with s.begin_nested():
            s.add(t.IdempotencyKey(key=digest, case_id=None))
    except IntegrityError:  # a concurrent repeat committed first: its case
        found = repo.idempotent_case(s, digest)
        if found is not None:
            return found
        raise
    return None


def bind(s: UnitOfWork, scope: str, key: str | None, case_id: int) -> None:
    """Record that the submission with ``key`` made case ``case_id``."""
    if key:
        row = s.get(t.IdempotencyKey, _digest(scope, key))
        if row is not None:
            row.case_id = case_id
