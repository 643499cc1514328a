"""Rate limits per client address (the ``limits`` library; counters in memory, per process,
or where ``HEMIFACIAL_RATE_LIMIT_STORAGE`` says, e.g. Redis shared by all workers).

New consultation requests are limited per address (``HEMIFACIAL_INTAKE_RATE``), so that a
script cannot fill the clinic's "New" tab. A refused request gets 429 with Retry-After.
With in-memory counters and several worker processes, each counts for itself.
"""

from __future__ import annotations

import math
import time

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from hemifacial.errors import TooManyRequestsError
from hemifacial.services.i18n import gettext

from .auth import ctx_of


class AddressLimiter:
    def __init__(self, rate: str, storage: str = "memory://") -> None:
        self.items: list[RateLimitItem] = parse_many(rate)
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage))

    def hit(self, scope: str, address: str) -> None:
        """Count one request from ``address``; raise when it is over a limit."""
        for item in self.items:
            if not self.limiter.hit(item, scope, address):
                reset, _ = self.limiter.get_window_stats(item, scope, address)
                wait = max(1, math.ceil(reset - time.time()))
                message = gettext(
                    "too many consultation requests from your network; please try again "
                    "in %(minutes)s minutes"
                )
                raise TooManyRequestsError(message % {"minutes": wait // 60 + 1}, retry_after=wait)


def limit_intake(request: Request) -> None:
    """Dependency of the routes that start a new request."""
    ctx = ctx_of(request)
    limiter: AddressLimiter | None = ctx.cache.get("intake_limiter")
    if limiter is None:
        settings = ctx.settings
        limiter = AddressLimiter(settings.intake_rate, settings.rate_limit_storage)
        ctx.cache["intake_limiter"] = limiter
    limiter.hit("intake", request.client.host if request.client else "")
