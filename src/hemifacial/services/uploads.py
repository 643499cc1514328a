"""Storing an uploaded file: streamed to disk under the size limit, probed by PyAV (what
it is, how long, how large, how many frames), kept once per content hash, owner-only, and
never left half-copied (the video use cases are in :mod:`.videos`)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hemifacial.errors import UploadTooLargeError, VideoInputError
from hemifacial.settings import Settings

from .i18n import gettext as _


def safe_name(name: str) -> str:
    base = Path(name or "video").name
    return re.sub(r"[^A-Za-z0-9._-]+", "_", base)[:120] or "video"


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    path: Path


def blob_path(settings: Settings, sha256: str) -> Path:
    return settings.upload_dir / sha256[:2] / sha256


def private_dir(path: Path) -> Path:
    """``path`` as a directory only its owner can read (0700), made when missing."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def store_upload(settings: Settings, chunks: Iterable[bytes], filename: str) -> StoredFile:
    """Stream chunks to disk, enforcing the size limit; keep one file per content hash.

    On Linux the copy is an unnamed file in the upload folder (``O_TMPFILE``) that gets its
    name only once it is complete and checked: an error, a dropped connection or a killed
    process leaves nothing behind. Elsewhere it is a ``.incoming-*`` file, removed on any
    error, that the next start sweeps away when a kill left it (:func:`sweep_incoming`)."""
    private_dir(settings.upload_dir)
    digest = hashlib.sha256()
    size = 0
    fd, tmp = _incoming(settings.upload_dir)
    readable = tmp or Path(f"/proc/self/fd/{fd}")
    try:
        for chunk in chunks:
            size += len(chunk)
            if size > settings.max_upload_bytes:
                raise _too_large(settings)
            digest.update(chunk)
            _write_all(fd, chunk)
        os.fsync(fd)
        if size == 0:
            raise VideoInputError(_("'%(name)s' is empty") % {"name": safe_name(filename)})
        check_video(settings, readable, safe_name(filename))
        sha = digest.hexdigest()
        final = blob_path(settings, sha)
        private_dir(final.parent)
        if not final.exists():
            _name(fd, tmp, final)
        return StoredFile(sha, size, final)
    finally:
        os.close(fd)
        if tmp is not None and tmp.exists():
            tmp.unlink()


def _incoming(folder: Path) -> tuple[int, Path | None]:
    """A file to copy into: unnamed where the system can (``O_TMPFILE``), else named."""
    flag = getattr(os, "O_TMPFILE", 0)
    if flag:
        try:
            return os.open(folder, flag | os.O_RDWR, 0o600), None
        except OSError:  # a file system without O_TMPFILE
            pass
    fd, name = tempfile.mkstemp(dir=folder, prefix=".incoming-")
    return fd, Path(name)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _name(fd: int, tmp: Path | None, final: Path) -> None:
    """Give the finished copy its final name (atomic; a concurrent equal copy is fine)."""
    try:
        if tmp is None:  # linkat(AT_SYMLINK_FOLLOW), which os.link uses given a dir fd
            root = os.open("/", os.O_RDONLY)
            try:
                os.link(f"/proc/self/fd/{fd}", final, src_dir_fd=root, follow_symlinks=True)
            finally:
                os.close(root)
        else:
            os.replace(tmp, final)
    except FileExistsError:
        return
    final.chmod(0o600)


def _too_large(settings: Settings) -> UploadTooLargeError:
    limit = settings.max_upload_bytes // (1024 * 1024)
    return UploadTooLargeError(
        _(
            "the file is larger than the %(limit)s MB limit; record a shorter clip "
            "(30–60 seconds is enough)"
        )
        % {"limit": limit}
    )


def sweep_incoming(settings: Settings, older_than_s: float = 3600.0) -> int:
    """Remove copies left by a process killed mid-upload (older than ``older_than_s``, so
    that another process's upload in progress is left alone); returns how many."""
    if not settings.upload_dir.is_dir():
        return 0
    cutoff = time.time() - older_than_s
    removed = 0
    for left in settings.upload_dir.glob(".incoming-*"):
        try:
            if left.stat().st_mtime < cutoff:
                left.unlink()
                removed += 1
        except FileNotFoundError:
            pass
    return removed


def check_video(settings: Settings, path: Path, name: str) -> None:
    """FFmpeg (through PyAV) decides what the file is, from its container and streams, not
    from its name or first bytes; then the limits on length, frame size and frame count."""
    from hemifacial.video.decode import is_video, probe

    if not is_video(path):
        raise VideoInputError(
            _(
                "'%(name)s' is not a video file we can read; please upload the "
                "recording as it came from the phone (MP4, MOV or WebM)"
            )
            % {"name": name}
        )
    info = probe(path)
    if info.duration_s is not None and info.duration_s > settings.max_video_seconds:
        raise VideoInputError(
            _("'%(name)s' lasts %(seconds)s s; the limit is %(limit)s s (30–60 seconds is enough)")
            % {
                "name": name,
                "seconds": f"{info.duration_s:.0f}",
                "limit": f"{settings.max_video_seconds:.0f}",
            }
        )
    if info.width * info.height > settings.max_video_pixels:
        raise VideoInputError(
            _(
                "'%(name)s' is %(width)s×%(height)s pixels, larger than this clinic accepts; "
                "record in HD (1920×1080) or less"
            )
            % {"name": name, "width": info.width, "height": info.height}
        )
    frames = info.n_frames or (
        round(info.duration_s * info.avg_fps) if info.duration_s and info.avg_fps else None
    )
    if frames is not None and frames > settings.max_video_frames:
        raise VideoInputError(
            _("'%(name)s' has %(frames)s frames; the limit is %(limit)s")
            % {"name": name, "frames": frames, "limit": settings.max_video_frames}
        )
