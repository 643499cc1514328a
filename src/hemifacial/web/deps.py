"""Typed dependencies for routes (``ctx: Ctx``, ``user: CurrentUser``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from hemifacial.services.accounts import SessionInfo

from .auth import check_csrf, ctx_of, require_user
from .context import AppContext


async def get_ctx(request: Request) -> AppContext:
    """Async on purpose: a sync dependency would cost a hop to the thread pool per request."""
    return ctx_of(request)


def api_csrf(request: Request) -> None:
    """API writes with the session cookie must echo the CSRF token in a header."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and "hf_session" in request.cookies:
        check_csrf(request, None)


def api_user(request: Request) -> SessionInfo:
    user = require_user(request)
    api_csrf(request)
    return user


Ctx = Annotated[AppContext, Depends(get_ctx)]
CurrentUser = Annotated[SessionInfo, Depends(require_user)]
ApiUser = Annotated[SessionInfo, Depends(api_user)]
