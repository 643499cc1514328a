"""Password hashes: Argon2id (argon2-cffi), legacy scrypt hashes still verify; hashing runs
on its own small thread pool, off the web server's request threads.

Argon2 releases the GIL while it works. A login that awaited the hash on the server's shared
thread pool held one of its threads for the whole hash, so a burst of wrong logins filled the
pool and every other request waited; :func:`verify_async` and :func:`hash_async` queue the work
on :data:`HASH_POOL` (one thread per core) and give the request thread back while it runs.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import os
import secrets
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
"""Parameters of the legacy scrypt hashes (read from each stored hash; kept for reference)."""
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
"""Argon2id with OWASP's password-storage minimum (m=19 MiB, t=2, p=1): ~0.1 s per login on
this 2-core server under load, where argon2-cffi's default (RFC 9106: 64 MiB, t=3, p=4)
took ~0.8 s and the old scrypt (N=2^15) ~0.3 s (medians of 9, same run)."""
HASH_POOL = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="hash")


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


async def verify_async(password: str, stored: str) -> bool:
    """:func:`verify_password` on :data:`HASH_POOL` (the caller's thread is free meanwhile)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(HASH_POOL, verify_password, password, stored)


async def hash_async(password: str) -> str:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(HASH_POOL, hash_password, password)


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


@functools.cache
def dummy_hash() -> str:
    """A hash to verify against for unknown users, so timing does not reveal them."""
    return hash_password(secrets.token_urlsafe(16))
