"""Login sessions for the web layer.

A random token in an HttpOnly, SameSite=Lax cookie; the database keeps only its hash (see
:mod:`hemifacial.services.accounts`), so logout and idle timeout are real. CSRF is checked
for every route by :mod:`.csrf`.
"""

from __future__ import annotations

import datetime as dt

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from hemifacial.errors import LoginRequiredError
from hemifacial.services import accounts
from hemifacial.services.accounts import SessionInfo

from .context import AppContext

SESSION_COOKIE = "hf_session"


def ctx_of(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def _limits(request: Request) -> tuple[dt.timedelta, dt.timedelta]:
    settings = ctx_of(request).settings
    return (
        dt.timedelta(minutes=settings.session_idle_minutes),
        dt.timedelta(hours=settings.session_max_hours),
    )


def cached_user(request: Request) -> SessionInfo | None:
    """The logged-in user if known without the database (this request already looked it
    up, or the session cache holds it under the current accounts generation); else None."""
    if hasattr(request.state, "user"):
        user: SessionInfo | None = request.state.user
        return user
    ctx = ctx_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    user = ctx.sessions.get(token, ctx.db.accounts_generation(), *_limits(request))
    if user is not None:
        request.state.user = user
    return user


def current_user(request: Request) -> SessionInfo | None:
    """The logged-in user, looked up once per request (in the session cache first)."""
    user = cached_user(request)
    if user is not None or hasattr(request.state, "user"):
        return user
    ctx = ctx_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        generation = ctx.db.accounts_generation()  # taken before the read: never older
        # autocommit: one round trip; the rare touch of an old session commits by itself
        with ctx.db.reader() as s:
            found = accounts.lookup(s, token, *_limits(request))
        if found is not None:
            ctx.sessions.put(token, generation, found)
            user = found.info
    request.state.user = user
    return user


async def require_user(request: Request) -> SessionInfo:
    """The logged-in user (already looked up by the access policy for staff routes)."""
    user = cached_user(request) or await run_in_threadpool(current_user, request)
    if user is None:
        raise LoginRequiredError("please log in to see the clinic's cases")
    return user


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """An HttpOnly, SameSite=Lax cookie for the whole site (Secure unless on loopback)."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="lax",
        secure=ctx_of(request).settings.https,
        path="/",
    )


def start_session(request: Request, response: Response, token: str) -> None:
    set_cookie(request, response, SESSION_COOKIE, token)


def end_session(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=ctx_of(request).settings.https, httponly=True
    )
