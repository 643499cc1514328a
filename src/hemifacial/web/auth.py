"""Login sessions and CSRF for the web layer.

* Session: a random token in an HttpOnly, SameSite=Lax cookie; the database keeps only its
  hash (see :mod:`hemifacial.services.accounts`), so logout and idle timeout are real.
* CSRF: a double-submit token — a random HttpOnly cookie echoed in a hidden form field or
  an ``X-CSRF-Token`` header. Every HTML form post checks it; API writes check it when the
  request carries the session cookie (ambient authority). Token-only patient API calls
  carry no cookie and need none.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from typing import Any

from fastapi import Request, Response
from sqlalchemy.orm import Session

from hemifacial.errors import CsrfError as CsrfError  # re-export
from hemifacial.services import accounts
from hemifacial.services.accounts import LoginRequiredError, SessionInfo

from .context import AppContext

SESSION_COOKIE = "hf_session"
CSRF_COOKIE = "hf_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def ctx_of(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def csrf_token(request: Request) -> str:
    """The request's CSRF token (an existing cookie, or a new one to be set)."""
    token = getattr(request.state, "csrf", None)
    if token is None:
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        request.state.csrf = token
    return str(token)


def set_csrf_cookie(request: Request, response: Response) -> None:
    token = getattr(request.state, "csrf", None)
    if token and request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=True,
            samesite="lax",
            secure=ctx_of(request).settings.secure_cookies,
            path="/",
        )


def check_csrf(request: Request, submitted: str | None) -> None:
    cookie = request.cookies.get(CSRF_COOKIE)
    given = submitted or request.headers.get(CSRF_HEADER)
    if not cookie or not given or not hmac.compare_digest(cookie, given):
        raise CsrfError(
            "this form has expired or did not come from this site; reload the page and "
            "send it again (nothing was saved)"
        )


def _idle(request: Request) -> dt.timedelta:
    return dt.timedelta(minutes=ctx_of(request).settings.session_idle_minutes)


def _logged_in(user: SessionInfo | None) -> SessionInfo:
    if user is None:
        raise LoginRequiredError("please log in to see the clinic's cases")
    return user


def current_user(request: Request) -> SessionInfo | None:
    """The logged-in user, looked up once per request."""
    if hasattr(request.state, "user"):
        user: SessionInfo | None = request.state.user
        return user
    token = request.cookies.get(SESSION_COOKIE)
    user = None
    if token:
        with ctx_of(request).tx() as s:
            user = accounts.current(s, token, _idle(request))
    request.state.user = user
    return user


def require_user_and(
    request: Request, s: Session, also: Any, **params: Any
) -> tuple[SessionInfo, Any]:
    """:func:`require_user`, and the scalar subquery ``also`` read in the same round trip
    (a page's revision stamp: one query per cached page view)."""
    token = request.cookies.get(SESSION_COOKIE)
    user, value = accounts.current_and(s, token, _idle(request), also, **params)
    request.state.user = user
    return _logged_in(user), value


def require_user(request: Request) -> SessionInfo:
    return _logged_in(current_user(request))


def start_session(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=ctx_of(request).settings.secure_cookies,
        path="/",
    )
    # a fresh CSRF token on login
    request.state.csrf = secrets.token_urlsafe(24)
    set_csrf_cookie(request, response)


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
