"""Typed dependencies for routes: the app context, the user, and the unit of work.

``tx: Tx`` is one transaction around the route, committed before the response is sent
(``scope="function"``) and rolled back on any error; ``read: Read`` is for routes that only
read. Routes never open transactions themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, Request

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


async def reader(request: Request) -> AsyncIterator[UnitOfWork]:
    """Async on purpose, saving two hops to the thread pool per page: a read session does
    no I/O when it opens (the connection is taken at its first query, in the route's
    thread) nor when it closes (autocommit: the connection goes back with nothing to roll
    back)."""
    with ctx_of(request).db.reader() as s:
        yield s


async def form_fields(request: Request) -> dict[str, str]:
    """The text fields of a posted form, for forms whose field names are data (findings)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


Ctx = Annotated[AppContext, Depends(get_ctx)]
CurrentUser = Annotated[SessionInfo, Depends(require_user)]


Tx = Annotated[UnitOfWork, Depends(unit_of_work, scope="function")]
Read = Annotated[UnitOfWork, Depends(reader, scope="function")]
FormFields = Annotated[dict[str, str], Depends(form_fields)]
Audit = Annotated[Recorder, Depends(recorder)]
