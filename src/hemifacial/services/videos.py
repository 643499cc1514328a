"""Video use cases: store an upload once by content hash (outside the web root), queue its
analysis, and run the analysis job (idempotent; safe to retry after a restart)."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.db.engine import transaction
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.errors import InputError, VideoInputError
from hemifacial.errors import UploadTooLargeError as UploadTooLargeError  # re-export
from hemifacial.settings import Settings

from .cases import record_findings

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
PROGRESS_EVERY_S = 0.5


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


def store_upload(settings: Settings, chunks: Iterable[bytes], filename: str) -> StoredFile:
    """Stream chunks to disk, enforcing the size limit; keep one file per content hash."""
    settings.upload_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=settings.upload_dir, prefix=".incoming-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > settings.max_upload_bytes:
                    limit = settings.max_upload_bytes // (1024 * 1024)
                    raise UploadTooLargeError(
                        f"the file is larger than the {limit} MB limit; record a shorter clip "
                        "(30–60 seconds is enough)"
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise VideoInputError(f"'{safe_name(filename)}' is empty")
        if not _is_video(tmp):
            raise VideoInputError(
                f"'{safe_name(filename)}' is not a video file we can read; please upload the "
                "recording as it came from the phone (MP4, MOV or WebM)"
            )
        sha = digest.hexdigest()
        final = blob_path(settings, sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            tmp.unlink()
        else:
            os.replace(tmp, final)
            final.chmod(0o600)
        return StoredFile(sha, size, final)
    finally:
        if tmp.exists():
            tmp.unlink()


def _is_video(path: Path) -> bool:
    """PyAV decides (imported here: only an upload pays for loading FFmpeg)."""
    from hemifacial.video.decode import is_video

    return is_video(path)


def add_video(
    s: Session,
    case_id: int,
    stored: StoredFile,
    filename: str,
    *,
    mirrored: bool,
    actor: str,
    visit_id: int | None = None,
) -> t.Job:
    """Record the video and queue its analysis (the caller submits the job after commit)."""
    repo.get_case(s, case_id)
    video = t.Video(
        case_id=case_id,
        visit_id=visit_id,
        sha256=stored.sha256,
        filename=safe_name(filename),
        size=stored.size,
        mirrored=mirrored,
        uploaded_by=actor,
    )
    s.add(video)
    s.flush()
    job = t.Job(kind="video_analysis", video_id=video.id, status="queued")
    s.add(job)
    repo.audit(s, actor, "video.upload", case_id, video_id=video.id, sha256=stored.sha256)
    s.flush()
    return job


Analyzer = Callable[..., Any]


def _default_analyzer(
    path: Path, *, mirrored: bool, progress: Callable[[float], None], settings: Settings
) -> Any:
    from hemifacial.video import analyze_video

    return analyze_video(
        path,
        mirrored=mirrored,
        progress=progress,
        jobs=settings.video_jobs,
        landmarker=settings.landmarker,
    )


def run_video_job(
    factory: sessionmaker[Session],
    settings: Settings,
    kb: KnowledgeBase,
    job_id: int,
    *,
    analyzer: Analyzer | None = None,
) -> str:
    """Run one analysis job to completion; returns its final status. Idempotent."""
    with transaction(factory) as s:
        job = repo.get_job(s, job_id)
        if job.status in ("done", "failed"):
            return job.status
        video = repo.get_video(s, job.video_id)
        if repo.analysis_of(s, video.id) is not None:
            job.status, job.progress = "done", 1.0
            return "done"
        job.attempts += 1
        if job.attempts > MAX_ATTEMPTS:
            job.status, job.error = "failed", "the analysis was interrupted too many times"
            return "failed"
        job.status, job.progress, job.updated_at = "running", 0.0, t.utcnow()
        path, mirrored, case_id, video_id = (
            blob_path(settings, video.sha256),
            video.mirrored,
            video.case_id,
            video.id,
        )
    last = [0.0]

    def progress(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_S:
            last[0] = now
            with transaction(factory) as s2:
                repo.set_job_progress(s2, job_id, round(min(max(fraction, 0.0), 0.99), 3))

    try:
        run = analyzer or _default_analyzer
        analysis = run(path, mirrored=mirrored, progress=progress, settings=settings)
    except VideoInputError as exc:
        _fail(factory, job_id, str(exc))
        return "failed"
    except Exception as exc:  # never leak a traceback to the user; keep it in the log
        log.exception("video job %s failed (%s)", job_id, type(exc).__name__)
        _fail(
            factory,
            job_id,
            "the analysis failed because of an internal error; "
            "the clinic has been told and can retry it",
        )
        return "failed"
    plot = _plot(settings, analysis, video_id)
    with transaction(factory) as s:
        job = repo.get_job(s, job_id)
        if repo.analysis_of(s, video_id) is not None:  # another worker finished first
            job.status, job.progress = "done", 1.0
            return "done"
        save_analysis(s, kb, case_id, video_id, analysis.to_dict(), plot, analysis.findings)
        job.status, job.progress, job.error, job.updated_at = "done", 1.0, None, t.utcnow()
    return "done"


def save_analysis(
    s: Session,
    kb: KnowledgeBase,
    case_id: int,
    video_id: int,
    result: dict[str, Any],
    plot: str | None,
    findings: dict[str, str],
) -> t.Analysis:
    metrics = result.get("metrics", {})
    side = str(metrics.get("affected_side", "none"))
    side_m = metrics.get(side, {}) if side in ("left", "right") else {}
    if not side_m:  # no clear side: report the busier side
        both = [metrics.get("left", {}), metrics.get("right", {})]
        side_m = max(both, key=lambda m: m.get("events_per_min") or 0.0)
    row = t.Analysis(
        video_id=video_id,
        result=result,
        plot_file=plot,
        affected_side=side,
        events_per_min=side_m.get("events_per_min"),
        time_in_spasm_pct=side_m.get("time_in_spasm_pct"),
        severity=(metrics.get("severity") or {}).get("jankovic_total"),
    )
    s.add(row)
    s.flush()
    usable = {k: v for k, v in findings.items() if k in kb.findings}
    if usable:
        try:
            record_findings(
                s, kb, case_id, usable, source="video", actor="video analysis", video_id=video_id
            )
        except InputError as exc:  # a contradiction with the clinician's findings: keep both
            log.info("video %s findings not applied: %s", video_id, type(exc).__name__)
    repo.audit(s, "video analysis", "video.analysed", case_id, video_id=video_id)
    return row


def _plot(settings: Settings, analysis: Any, video_id: int) -> str | None:
    try:
        from hemifacial.video import render_timeline_png

        settings.plot_dir.mkdir(parents=True, exist_ok=True)
        name = f"video-{video_id}.png"
        render_timeline_png(analysis, settings.plot_dir / name)
        return name
    except Exception as exc:  # the numbers matter more than the picture
        log.warning("timeline plot for video %s failed: %s", video_id, type(exc).__name__)
        return None


def _fail(factory: sessionmaker[Session], job_id: int, message: str) -> None:
    with transaction(factory) as s:
        job = repo.get_job(s, job_id)
        job.status, job.error, job.updated_at = "failed", message, t.utcnow()


def retry(s: Session, job_id: int, actor: str) -> t.Job:
    job = repo.get_job(s, job_id)
    if job.status != "failed":
        raise InputError(f"job {job_id} is {job.status}; only failed jobs can be retried")
    job.status, job.attempts, job.error, job.progress = "queued", 0, None, 0.0
    repo.audit(s, actor, "job.retry", None, job_id=job_id)
    return job
