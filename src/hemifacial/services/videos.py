"""Video use cases: store an upload once by content hash (outside the web root), queue its
analysis, and run the analysis job (idempotent; safe to retry after a restart)."""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from hemifacial.analysis.types import VideoAnalysis
from hemifacial.db import repositories as repo
from hemifacial.db import submissions
from hemifacial.db import tables as t
from hemifacial.db.engine import transaction
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.errors import (
    ConflictError,
    InputError,
    InvalidValueError,
    NotFoundError,
    ServiceUnavailableError,
    VideoInputError,
)
from hemifacial.errors import UploadTooLargeError as UploadTooLargeError  # re-export
from hemifacial.settings import Settings

from .cases import record_findings
from .database import UnitOfWork, on_commit
from .stored import job_view
from .uploads import StoredFile as StoredFile  # re-exported: the storage moved there
from .uploads import blob_path as blob_path
from .uploads import check_video as check_video
from .uploads import private_dir as private_dir
from .uploads import safe_name as safe_name
from .uploads import store_upload as store_upload
from .uploads import sweep_incoming as sweep_incoming
from .views import JobView

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
PROGRESS_EVERY_S = 0.5


def add_video(
    s: UnitOfWork,
    case_id: int,
    stored: StoredFile,
    filename: str,
    *,
    mirrored: bool,
    actor: str,
    submit: Callable[[int], object],
    visit_id: int | None = None,
    settings: Settings | None = None,
) -> JobView:
    """Record the video and queue its analysis: ``submit(job_id)`` runs once committed.

    The same file again on the same case is analysed once: the first upload's job is
    returned. Uploads of one case are serialised (the case row is locked first)."""
    submissions.lock_case(s, case_id)
    earlier = submissions.video_with_hash(s, case_id, stored.sha256)
    if earlier is not None:
        repo.audit(s, actor, "video.repeat", case_id, video_id=earlier.id)
        return job_view(submissions.job_of_video(s, earlier.id))
    try:
        if visit_id is not None and repo.visit_of(s, visit_id, case_id) is None:
            raise InvalidValueError(f"visit {visit_id} is not a visit of case {case_id}")
        check_quota(s, settings, case_id)
    except InputError:
        if not submissions.hash_in_use(s, stored.sha256):  # keep no file without its record
            stored.path.unlink(missing_ok=True)
        raise
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
    job_id = job.id
    on_commit(s, lambda: _hand_over(submit, job_id))
    return job_view(job)


def check_quota(s: UnitOfWork, settings: Settings | None, case_id: int) -> None:
    """Refuse a new video beyond the case's limits (total, and in the last 24 hours)."""
    if settings is None:
        return
    total, today = submissions.video_counts(s, case_id, t.utcnow() - dt.timedelta(days=1))
    if total >= settings.max_uploads_per_case:
        raise ConflictError(
            f"case {case_id} already has {total} videos, the most it may hold; "
            "ask the clinic to remove one"
        )
    if today >= settings.max_uploads_per_day:
        raise ConflictError(
            f"case {case_id} received {today} videos in the last 24 hours, the most "
            "allowed; please try again tomorrow"
        )


def _hand_over(submit: Callable[[int], object], job_id: int) -> None:
    """Give the committed job to the runner; a missing broker leaves it queued (it is sent
    again when the app starts), so the upload itself still succeeds."""
    try:
        submit(job_id)
    except ServiceUnavailableError:
        log.warning("job %s stays queued: the job broker is not reachable", job_id)


class Analyzer(Protocol):
    """What turns a stored video file into a typed analysis (the real one: PyAV+MediaPipe)."""

    def __call__(
        self, path: Path, *, mirrored: bool, progress: Callable[[float], None], settings: Settings
    ) -> VideoAnalysis: ...


def _default_analyzer(
    path: Path, *, mirrored: bool, progress: Callable[[float], None], settings: Settings
) -> VideoAnalysis:
    from hemifacial.video import analyze_video

    return analyze_video(
        path,
        mirrored=mirrored,
        progress=progress,
        jobs=settings.video_jobs,
        landmarker=settings.landmarker,
    )


@dataclass(frozen=True)
class _Claimed:
    """A job this worker now runs: where its video is and which case it belongs to."""

    path: Path
    mirrored: bool
    case_id: int
    video_id: int


def _claim(factory: sessionmaker[Session], settings: Settings, job_id: int) -> _Claimed | str:
    """Mark the job running, or return its final status when there is nothing to run."""
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
        return _Claimed(blob_path(settings, video.sha256), video.mirrored, video.case_id, video.id)


def _progress_writer(factory: sessionmaker[Session], job_id: int) -> Callable[[float], None]:
    """At most one progress write per PROGRESS_EVERY_S (it changes no page: no revision)."""
    last = [0.0]

    def progress(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_S:
            last[0] = now
            with transaction(factory) as s:
                repo.set_job_progress(s, job_id, round(min(max(fraction, 0.0), 0.99), 3))

    return progress


def run_video_job(
    factory: sessionmaker[Session],
    settings: Settings,
    kb: KnowledgeBase,
    job_id: int,
    *,
    analyzer: Analyzer | None = None,
) -> str:
    """Run one analysis job to completion; returns its final status. Idempotent."""
    claimed = _claim(factory, settings, job_id)
    if isinstance(claimed, str):
        return claimed
    try:
        run = analyzer or _default_analyzer
        progress = _progress_writer(factory, job_id)
        analysis = run(
            claimed.path, mirrored=claimed.mirrored, progress=progress, settings=settings
        )
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
    plot = _plot(settings, analysis, claimed.video_id)
    with transaction(factory) as s:
        job = repo.get_job(s, job_id)
        if repo.analysis_of(s, claimed.video_id) is None:  # else another worker finished first
            save_analysis(s, kb, claimed.case_id, claimed.video_id, analysis, plot)
        job.status, job.progress, job.error, job.updated_at = "done", 1.0, None, t.utcnow()
    return "done"


def save_analysis(
    s: UnitOfWork,
    kb: KnowledgeBase,
    case_id: int,
    video_id: int,
    analysis: VideoAnalysis,
    plot: str | None,
) -> t.Analysis:
    """Store the analysis and its summary columns; its findings join the case as "video"."""
    row = t.Analysis(
        video_id=video_id, result=analysis.to_dict(), plot_file=plot, **summary_columns(analysis)
    )
    s.add(row)
    s.flush()
    # each video finding with its certainty (virtual evidence): it shifts what the patient
    # said instead of overriding it
    usable = {
        k: {"value": v, "certainty": analysis.finding_certainty.get(k, 1.0)}
        for k, v in analysis.findings.items()
        if k in kb.findings
    }
    if usable:
        try:
            record_findings(
                s, kb, case_id, usable, source="video", actor="video analysis", video_id=video_id
            )
        except InputError as exc:  # a contradiction with the clinician's findings: keep both
            log.info("video %s findings not applied: %s", video_id, type(exc).__name__)
    repo.audit(s, "video analysis", "video.analyzed", case_id, video_id=video_id)
    return row


def summary_columns(analysis: VideoAnalysis) -> dict[str, Any]:
    """The analysis row's summary columns (the course over visits reads these): the side
    and the numbers of the affected side, or of the busier one when there is no clear side."""
    metrics = analysis.metrics
    side = metrics.affected_side
    if side in ("left", "right"):
        side_m = metrics.side(side)
    else:
        side_m = max((metrics.right, metrics.left), key=lambda m: _finite(m.events_per_min))
    return {
        "affected_side": side,
        "events_per_min": _or_none(side_m.events_per_min),
        "time_in_spasm_pct": _or_none(side_m.time_in_spasm_pct),
        "severity": metrics.severity.jankovic_total if metrics.severity.graded else None,
    }


def _finite(x: float) -> float:
    return x if math.isfinite(x) else 0.0


def _or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _plot(settings: Settings, analysis: VideoAnalysis, video_id: int) -> str | None:
    try:
        from hemifacial.video import render_timeline_png

        private_dir(settings.plot_dir)
        name = f"video-{video_id}.png"
        render_timeline_png(analysis, settings.plot_dir / name)
        (settings.plot_dir / name).chmod(0o600)
        return name
    except Exception as exc:  # the numbers matter more than the picture
        log.warning("timeline plot for video %s failed: %s", video_id, type(exc).__name__)
        return None


def _fail(factory: sessionmaker[Session], job_id: int, message: str) -> None:
    with transaction(factory) as s:
        job = repo.get_job(s, job_id)
        job.status, job.error, job.updated_at = "failed", message, t.utcnow()


def retry(s: UnitOfWork, job_id: int, actor: str, submit: Callable[[int], object]) -> JobView:
    """Queue a failed job again (``submit`` runs once committed)."""
    job = repo.get_job(s, job_id)
    if job.status != "failed":
        raise InputError(f"job {job_id} is {job.status}; only failed jobs can be retried")
    job.status, job.attempts, job.error, job.progress = "queued", 0, None, 0.0
    case_id = repo.get_video(s, job.video_id).case_id
    repo.audit(s, actor, "job.retry", case_id, job_id=job_id)
    on_commit(s, lambda: _hand_over(submit, job_id))
    return job_view(job)


def case_of_job(s: UnitOfWork, job_id: int) -> int:
    """The case a job's video belongs to."""
    return repo.get_video(s, repo.get_job(s, job_id).video_id).case_id


def case_of_video(s: UnitOfWork, video_id: int) -> int:
    return repo.get_video(s, video_id).case_id


def timeline_file(s: UnitOfWork, settings: Settings, video_id: int) -> Path:
    """The timeline plot of an analysed video (NotFoundError while there is none)."""
    repo.get_video(s, video_id)
    a = repo.analysis_of(s, video_id)
    if a is None or not a.plot_file:
        raise NotFoundError(f"video {video_id} has no timeline plot yet")
    path = settings.plot_dir / a.plot_file
    if not path.is_file():
        raise NotFoundError(f"the timeline plot of video {video_id} is missing")
    return path


@dataclass(frozen=True)
class MediaFile:
    path: Path
    media_type: str
    case_id: int


MEDIA_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
}


def media_file(s: UnitOfWork, settings: Settings, video_id: int) -> MediaFile:
    """The stored video file to play back, its type (from the uploaded name) and case."""
    video = repo.get_video(s, video_id)
    path = blob_path(settings, video.sha256)
    if not path.is_file():
        raise NotFoundError(f"the file of video {video_id} is missing")
    kind = MEDIA_TYPES.get(Path(video.filename).suffix.lower(), "application/octet-stream")
    return MediaFile(path, kind, video.case_id)
