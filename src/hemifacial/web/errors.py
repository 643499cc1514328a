"""The one place that turns errors into HTTP responses, as JSON for the API and as a page
for people. A user never sees a traceback; a 500 page says what to do next."""

from __future__ import annotations

import logging
import secrets
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from starlette.exceptions import HTTPException as StarletteHTTPException

from hemifacial.errors import (
    HemifacialError,
    LoginRequiredError,
    SecondFactorError,
    ServiceUnavailableError,
    TooManyAttemptsError,
    TooManyRequestsError,
)
from hemifacial.services.i18n import N_

log = logging.getLogger("hemifacial.web")

# what to do next, under the message (translated on the page: error.html's ``| t``)
HINTS = {
    400: N_("Check what you sent and try again."),
    401: N_("Log in, then try again."),
    403: N_("If you think you should have access, ask the clinic."),
    404: N_("Check the address, or go back to the start page."),
    409: N_("Reload the page to see what is stored now, then try again."),
    413: N_("Choose a smaller file."),
    429: N_("Wait the time named above, then try again."),
    422: N_("Correct the value named above and send it again; nothing was saved."),
    503: N_(
        "A server the app needs is not running. Try again in a few minutes; if it keeps "
        "happening, tell the clinic's IT support."
    ),
    500: N_(
        "Please try again. If it happens again, tell the clinic and quote the reference "
        "below; what you had already saved is safe."
    ),
}


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(
    request: Request,
    status: int,
    message: str,
    *,
    kind: str = "error",
    fields: dict[str, str] | None = None,
    reference: str | None = None,
) -> Response:
    if wants_json(request):
        body: dict[str, Any] = {"error": {"type": kind, "status": status, "message": message}}
        if fields:
            body["error"]["fields"] = fields
        if reference:
            body["error"]["reference"] = reference
        return JSONResponse(body, status_code=status)
    from .render import render

    return render(
        request,
        "error.html",
        {
            "status": status,
            "message": message,
            "fields": fields or {},
            "hint": HINTS.get(status, HINTS[500] if status >= 500 else HINTS[400]),
            "reference": reference,
        },
        status_code=status,
    )


async def _hemifacial(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HemifacialError)
    if isinstance(exc, SecondFactorError) and not wants_json(request):
        return RedirectResponse("/login/second-factor", status_code=303)
    if isinstance(exc, LoginRequiredError) and not wants_json(request):
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    status = exc.http_status
    if status >= 500 and not isinstance(exc, ServiceUnavailableError):
        return await _unexpected(request, exc)
    response = error_response(
        request, status, str(exc), kind=type(exc).__name__, fields=getattr(exc, "fields", None)
    )
    if isinstance(exc, (TooManyAttemptsError, TooManyRequestsError)):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def handle(request: Request, exc: Exception) -> Response:
    """The response for ``exc`` outside a route (the upload guard)."""
    if isinstance(exc, HemifacialError):
        return await _hemifacial(request, exc)
    return await _unexpected(request, exc)


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields: dict[str, str] = {}
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        fields[loc or "request"] = str(err.get("msg", "invalid"))
    message = "; ".join(f"{k}: {v}" for k, v in fields.items())
    return error_response(request, 422, message, kind="InvalidRequest", fields=fields)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    messages = {
        404: N_("there is no page at this address"),
        405: N_("this method is not allowed here"),
    }
    message = (
        exc.detail
        if isinstance(exc.detail, str) and exc.status_code not in messages
        else messages.get(exc.status_code, N_("the request could not be handled"))
    )
    return error_response(request, exc.status_code, str(message), kind="HTTPError")


async def _database(request: Request, exc: Exception) -> Response:
    """Only a database that cannot be reached is 503; a value the database refuses is the
    request's fault (4xx, with what to change); anything else is our fault (500)."""
    if isinstance(exc, DataError):
        return error_response(
            request,
            422,
            "a value in the request cannot be stored: a number out of range, or text with a "
            "control character (such as a NUL byte); nothing was changed",
            kind="InvalidValueError",
        )
    if isinstance(exc, IntegrityError):
        return error_response(
            request,
            409,
            "the request refers to a record that does not exist, or repeats one that does; "
            "nothing was changed",
            kind="ConflictError",
        )
    if not isinstance(exc, (OperationalError, InterfaceError, DisconnectionError)):
        return await _unexpected(request, exc)
    log.error("database unavailable: %s", type(exc).__name__)
    return error_response(
        request,
        503,
        "the database is not reachable right now; nothing was changed",
        kind="ServiceUnavailableError",
    )


async def _overflow(request: Request, exc: Exception) -> Response:
    """A number too large for the database (SQLite raises this before any SQL is run)."""
    return error_response(
        request, 422, "a number in the request is too large; nothing was changed",
        kind="InvalidValueError",
    )  # fmt: skip


async def _unexpected(request: Request, exc: Exception) -> Response:
    reference = secrets.token_hex(4)
    # type and reference only: messages can contain patient data
    log.error(
        "unexpected %s on %s %s [ref %s]",
        type(exc).__name__,
        request.method,
        request.url.path.split("/p/")[0],
        reference,
    )
    return error_response(
        request,
        500,
        "something went wrong on our side",
        kind="InternalError",
        reference=reference,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(HemifacialError, _hemifacial)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(OperationalError, _database)
    app.add_exception_handler(DBAPIError, _database)
    app.add_exception_handler(DisconnectionError, _database)
    app.add_exception_handler(OverflowError, _overflow)
    app.add_exception_handler(Exception, _unexpected)
