"""Receiving a video upload (shared by the API and the pages)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request, UploadFile

from hemifacial.errors import InvalidValueError
from hemifacial.services import videos
from hemifacial.services.videos import StoredFile, UploadTooLargeError

from .context import AppContext

CHUNK = 1 << 20


def check_length(request: Request, ctx: AppContext) -> None:
    """Refuse an oversized upload from its Content-Length before reading it."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > ctx.settings.max_upload_bytes + CHUNK:
        limit = ctx.settings.max_upload_bytes // (1024 * 1024)
        raise UploadTooLargeError(f"the file is larger than the {limit} MB limit")


def receive(ctx: AppContext, upload: UploadFile | None) -> tuple[StoredFile, str]:
    """Store the upload by content hash (routes that call this run in the thread pool)."""
    if upload is None or not upload.filename:
        raise InvalidValueError("choose a video file to upload")
    name = upload.filename

    def chunks() -> Iterator[bytes]:
        while block := upload.file.read(CHUNK):
            yield block

    return videos.store_upload(ctx.settings, chunks(), name), name
