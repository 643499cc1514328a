"""Typed dependencies for routes: the app context, the user, and the unit of work.

``tx: Tx`` is one transaction around the route, committed before the response is sent
(``scope="function"``) and rolled back on any error; ``read: Read`` is for routes that only
read. Routes never open transactions themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from hemifacial.errors import PermissionDeniedError
from hemifacial.services.accounts import SessionInfo
from hemifacial.services.audit import Recorder
from hemifacial.services.database import Client, UnitOfWork

from .auth import ctx_of, require_user
from .context import AppContext


async def get_ctx(request: Request) -> AppContext:
    """Async on purpose: a sync dependency would cost a hop to the thread pool per request."""
    return ctx_of(request)


def client_of(request: Request) -> Client:
    """The request's address and user agent, for its audit rows (the address is the proxy's
    unless uvicorn runs with ``--proxy-headers`` behind a trusted proxy: docs/deployment.md)."""
    host = request.client.host if request.client else ""
    return Client(host, request.headers.get("user-agent", ""))


def unit_of_work(request: Request) -> Iterator[UnitOfWork]:
    with ctx_of(request).db.unit_of_work(client_of(request)) as s:
        yield s


async def recorder(request: Request) -> Recorder:
    """Audits this request's reads (committed before the response is sent)."""
    return Recorder(ctx_of(request).db, client_of(request))


def reader(request: Request) -> Iterator[UnitOfWork]:
    with ctx_of(request).db.reader() as s:
        yield s


async def form_fields(request: Request) -> dict[str, str]:
    """The text fields of a posted form, for forms whose field names are data (findings)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


Ctx = Annotated[AppContext, Depends(get_ctx)]
CurrentUser = Annotated[SessionInfo, Depends(require_user)]


def require_admin(user: CurrentUser) -> SessionInfo:
    """An administrator's session.

    TODO(policy): declare the admin routes (the audit view, patient erasure) in the route
    policy table of web/policy.py once it is in main, and drop this dependency."""
    if user.role != "admin":
        raise PermissionDeniedError("only an administrator may do this")
    return user


AdminUser = Annotated[SessionInfo, Depends(require_admin)]
Tx = Annotated[UnitOfWork, Depends(unit_of_work, scope="function")]
Read = Annotated[UnitOfWork, Depends(reader, scope="function")]
FormFields = Annotated[dict[str, str], Depends(form_fields)]
Audit = Annotated[Recorder, Depends(recorder)]
