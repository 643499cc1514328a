"""CSRF protection for every route, declared once on the app (no route can forget it).

The token is an HMAC, keyed by the app's secret, of what the browser authenticates with:
the login-session cookie when there is one, otherwise a random ``hf_csrf`` cookie (for the
patient's forms and the login form). A page carries the token in its forms; a write must
echo it in the ``csrf_token`` field or the ``X-CSRF-Token`` header. A cookie planted by a
sibling site is useless without the secret, the token never comes from a cookie into HTML,
and a new login gives a new token. API writes without the session cookie (the patient's
token-only calls) carry no ambient authority and need no token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from hemifacial.errors import CsrfError
from hemifacial.services.i18n import gettext

from .auth import SESSION_COOKIE, ctx_of, set_cookie

NONCE_COOKIE = "hf_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _key(request: Request) -> bytes:
    key: bytes | None = getattr(request.app.state, "csrf_key", None)
    if key is None:
        secret = ctx_of(request).settings.secret_key
        key = hashlib.sha256(b"hemifacial csrf\0" + secret.encode()).digest()
        request.app.state.csrf_key = key
    return key


def _sign(request: Request, binding: str) -> str:
    return hmac.new(_key(request), binding.encode(), hashlib.sha256).hexdigest()


def _binding(request: Request) -> str | None:
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return "session:" + session
    nonce = getattr(request.state, "csrf_nonce", None) or request.cookies.get(NONCE_COOKIE)
    return "nonce:" + nonce if nonce else None


def csrf_token(request: Request) -> str:
    """The token for this request's forms (a new browser cookie is made when needed)."""
    binding = _binding(request)
    if binding is None:
        request.state.csrf_nonce = secrets.token_urlsafe(24)
        binding = "nonce:" + request.state.csrf_nonce
    return _sign(request, binding)


def token_for_session(request: Request, session_token: str) -> str:
    """The token a new login session will expect (returned by the login API)."""
    return _sign(request, "session:" + session_token)


def set_nonce_cookie(request: Request, response: Response) -> None:
    """Send the browser cookie :func:`csrf_token` made for this request, if it made one."""
    nonce = getattr(request.state, "csrf_nonce", None)
    if nonce:
        set_cookie(request, response, NONCE_COOKIE, nonce)


async def csrf_protect(request: Request) -> None:
    """The app-wide dependency: refuse a write whose token is missing or wrong."""
    if request.method in SAFE_METHODS:
        return
    is_api = request.url.path.startswith("/api/")
    if is_api and SESSION_COOKIE not in request.cookies:
        return
    given = request.headers.get(CSRF_HEADER)
    if not given and request.headers.get("content-type", "").startswith(FORM_TYPES):
        field = (await request.form()).get(CSRF_FIELD)
        given = field if isinstance(field, str) else None
    binding = _binding(request)
    if not given or binding is None or not hmac.compare_digest(given, _sign(request, binding)):
        raise CsrfError(
            gettext(
                "this form has expired or did not come from this site; reload the page and "
                "send it again (nothing was saved)"
            )
        )
