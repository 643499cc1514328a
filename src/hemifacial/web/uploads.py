"""Receiving a video upload (shared by the API and the pages)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from fastapi import Request, UploadFile
from starlette.concurrency import run_in_threadpool

from hemifacial.errors import InvalidValueError, ServiceUnavailableError
from hemifacial.services import videos
from hemifacial.services.videos import StoredFile, UploadTooLargeError

from .context import AppContext

log = logging.getLogger(__name__)
CHUNK = 1 << 20


def check_length(request: Request, ctx: AppContext) -> None:
    """Refuse an oversized upload from its Content-Length before reading it."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > ctx.settings.max_upload_bytes + CHUNK:
        limit = ctx.settings.max_upload_bytes // (1024 * 1024)
        raise UploadTooLargeError(f"the file is larger than the {limit} MB limit")


async def receive(ctx: AppContext, upload: UploadFile | None) -> tuple[StoredFile, str]:
    if upload is None or not upload.filename:
        raise InvalidValueError("choose a video file to upload")
    name = upload.filename

    def chunks() -> Iterator[bytes]:
        while block := upload.file.read(CHUNK):
            yield block

    stored = await run_in_threadpool(videos.store_upload, ctx.settings, chunks(), name)
    return stored, name


def queue_job(ctx: AppContext, job_id: int) -> str | None:
    """Hand the job to the runner; a missing broker leaves it queued (sent again on start)."""
    try:
        ctx.runner.submit(job_id)
    except ServiceUnavailableError as exc:
        log.warning("job %s stays queued: broker unavailable", job_id)
        return str(exc)
    return None
