"""Logging in, for the login page and the session API: throttling and lockout, the password
checked off the request threads, the second factor.

Failed logins are counted per account and per client address (``limits``, moving window;
in memory, or in Redis when configured so that every worker shares the counts). Past the
limit a login is refused with 429 and Retry-After before any password is checked, also a
right one; the counts fall off as the window moves on. Every failure is audited (the
failure's audit row is committed although the request fails).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from fastapi import Request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool

from hemifacial.errors import LoginRequiredError, SecondFactorError, TooManyAttemptsError
from hemifacial.services import accounts, passwords
from hemifacial.services.accounts import SessionInfo
from hemifacial.services.database import UnitOfWork

from .auth import ctx_of


@dataclass(frozen=True)
class Throttle:
    limiter: MovingWindowRateLimiter
    per_account: RateLimitItem
    per_address: RateLimitItem

    def _keys(self, request: Request, username: str) -> list[tuple[RateLimitItem, str]]:
        address = request.client.host if request.client else "?"
        return [
            (self.per_account, "account:" + username.strip().lower()[:120]),
            (self.per_address, "address:" + address),
        ]

    def check(self, request: Request, username: str) -> None:
        """Refuse (429) while the account or the address is over its limit."""
        for item, key in self._keys(request, username):
            if not self.limiter.test(item, "login", key):
                reset = self.limiter.get_window_stats(item, "login", key).reset_time
                wait = math.ceil(reset - time.time())
                what = "this account" if key.startswith("account:") else "this address"
                raise TooManyAttemptsError(
                    f"too many failed logins for {what}; try again in {max(wait, 1)} seconds",
                    wait,
                )

    def failed(self, request: Request, username: str) -> None:
        for item, key in self._keys(request, username):
            self.limiter.hit(item, "login", key)


def throttle_of(request: Request) -> Throttle:
    ctx = ctx_of(request)
    found: Throttle | None = ctx.cache.get("throttle")
    if found is None:
        settings = ctx.settings
        storage = storage_from_string(settings.rate_limit_storage)
        found = Throttle(
            MovingWindowRateLimiter(storage),
            parse(settings.login_limit_account),
            parse(settings.login_limit_address),
        )
        ctx.cache["throttle"] = found
    return found


async def log_in(
    request: Request, tx: UnitOfWork, username: str, password: str, otp: str | None
) -> tuple[str, SessionInfo]:
    """Check throttling, password (on the hashing pool) and second factor; open a session.
    A failure is audited, committed and raised."""
    throttle = throttle_of(request)
    throttle.check(request, username)
    cand = await run_in_threadpool(accounts.candidate, tx, username)
    ok = await passwords.verify_async(password, cand.password_hash)
    new_hash = (
        await passwords.hash_async(password)
        if ok and passwords.needs_rehash(cand.password_hash)
        else None
    )
    try:
        return await run_in_threadpool(
            accounts.complete_login, tx, cand, ok, otp, new_hash=new_hash
        )
    except LoginRequiredError as exc:
        if not (isinstance(exc, SecondFactorError) and not (otp or "").strip()):
            throttle.failed(request, username)  # asking for the code is not a failure
        await run_in_threadpool(tx.commit)  # the failure's audit row stays
        raise
