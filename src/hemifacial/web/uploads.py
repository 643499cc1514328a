"""Receiving a video upload (shared by the API and the pages).

:class:`UploadGuard` stands in front of the upload routes, before anything reads the body:
an oversized ``Content-Length`` is refused at once (413), a request without a valid session
or patient link gets its 401/404 before a byte of the body is read, and a body that grows
past the limit while it streams (no or a false length) is cut off there with 413. The
route then copies the file (:func:`receive`) into the upload folder, where PyAV decides
whether it is a video and the length, size and frame limits apply.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi import Request, UploadFile
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hemifacial.errors import (
    HemifacialError,
    InvalidValueError,
    LoginRequiredError,
    UploadTooLargeError,
)
from hemifacial.services import intake, results, videos
from hemifacial.services.database import UnitOfWork
from hemifacial.services.i18n import gettext as _
from hemifacial.services.videos import StoredFile
from hemifacial.services.views import JobView

from .auth import current_user
from .context import AppContext

CHUNK = 1 << 20
FORM_OVERHEAD = 64 * 1024  # the multipart envelope and the other fields
# The routes that take a file, and what must be valid before their body is read.
UPLOAD_ROUTES = (
    (re.compile(r"^/clinic/cases/[^/]+/videos$"), "session"),
    (re.compile(r"^/api/v1/cases/[^/]+/videos$"), "session"),
    (re.compile(r"^/p/(?P<token>[^/]+)/video$"), "link"),
    (re.compile(r"^/api/v1/patient/(?P<token>[^/]+)/videos$"), "link"),
)


def _limit(ctx: AppContext) -> int:
    return ctx.settings.max_upload_bytes + FORM_OVERHEAD


def _too_large(ctx: AppContext) -> UploadTooLargeError:
    limit = ctx.settings.max_upload_bytes // (1024 * 1024)
    return UploadTooLargeError(
        _("the file is larger than the %(limit)s MB limit") % {"limit": limit}
    )


def check_length(request: Request, ctx: AppContext) -> None:
    """Refuse an oversized upload from its Content-Length before reading it."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > _limit(ctx):
        raise _too_large(ctx)


def _authorise(ctx: AppContext, kind: str, found: re.Match[str], request: Request) -> None:
    """The session or the patient's link must be valid (raises as the route would; the
    route's own policy check then applies the roles)."""
    if kind == "link":
        with ctx.db.reader() as s:
            intake.case_for_token(s, found.group("token"))
        return
    if current_user(request) is None:
        raise LoginRequiredError("please log in to see the clinic's cases")


class UploadGuard:
    """Pure ASGI middleware: size and access are checked before an upload's body is read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = kind = None
        if scope["type"] == "http" and scope["method"] == "POST":
            for pattern, k in UPLOAD_ROUTES:
                if found := pattern.match(scope["path"]):
                    kind = k
                    break
        if found is None or kind is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        ctx: AppContext = scope["app"].state.ctx
        try:
            check_length(request, ctx)
            await run_in_threadpool(_authorise, ctx, kind, found, request)
        except HemifacialError as exc:
            await self._refuse(request, exc, scope, receive, send)
            return
        await self._stream(ctx, request, scope, receive, send)

    async def _refuse(
        self, request: Request, exc: Exception, scope: Scope, receive: Receive, send: Send
    ) -> None:
        from .errors import handle

        response = await handle(request, exc)
        response.headers["connection"] = "close"  # the unread body is not waited for
        await response(scope, receive, send)

    async def _stream(
        self, ctx: AppContext, request: Request, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Count the body as it arrives; past the limit, stop it and answer 413."""
        state: dict[str, Any] = {"seen": 0, "cut": False, "started": False}
        limit = _limit(ctx)

        async def counted() -> Message:
            if state["cut"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["seen"] += len(message.get("body", b""))
                if state["seen"] > limit:
                    state["cut"] = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if state["cut"]:
                if not state["started"]:
                    state["started"] = True
                    await self._refuse(request, _too_large(ctx), scope, receive, send)
                return
            await send(message)

        try:
            await self.app(scope, counted, guarded_send)
        except Exception:
            if not state["cut"]:
                raise
        if state["cut"] and not state["started"]:
            state["started"] = True
            await self._refuse(request, _too_large(ctx), scope, receive, send)


def receive(ctx: AppContext, upload: UploadFile | None) -> tuple[StoredFile, str]:
    """Store the upload by content hash (routes that call this run in the thread pool)."""
    if upload is None or not upload.filename:
        raise InvalidValueError(_("choose a video file to upload"))
    name = upload.filename
    return videos.store_upload(ctx.settings, _chunks(upload), name), name


def _chunks(upload: UploadFile) -> Iterator[bytes]:
    while block := upload.file.read(CHUNK):
        yield block


def receive_attachment(ctx: AppContext, upload: UploadFile | None) -> results.Attachment | None:
    """Store a test result's optional attachment (PDF or image); None when none was sent."""
    if upload is None or not upload.filename:
        return None
    return results.store_attachment(ctx.settings, _chunks(upload), upload.filename)


def attachment_download(found: results.AttachmentFile) -> Response:
    """A stored attachment, only ever as a download, never rendered by the browser."""
    return FileResponse(
        found.path,
        media_type=found.content_type,
        filename=found.name,
        content_disposition_type="attachment",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


def add_video(
    request: Request,
    ctx: AppContext,
    tx: UnitOfWork,
    case_id: int,
    upload: UploadFile | None,
    *,
    actor: str,
    mirrored: bool,
    visit_id: int | None = None,
) -> JobView:
    """What every upload route does: check the length, store the file by its hash, record
    the video and hand its analysis to the job runner once ``tx`` commits."""
    check_length(request, ctx)
    stored, name = receive(ctx, upload)
    return videos.add_video(
        tx,
        case_id,
        stored,
        name,
        mirrored=mirrored,
        actor=actor,
        submit=ctx.runner.submit,
        settings=ctx.settings,
        visit_id=visit_id,
    )
