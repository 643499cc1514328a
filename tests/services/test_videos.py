"""Video use cases: storage by content hash, the analysis job and its failure modes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.db.engine import transaction
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.errors import VideoInputError
from hemifacial.services import intake, videos
from hemifacial.settings import Settings
from tests.doubles import FINDINGS, fake_analyzer
from tests.support import tiny_mp4

KB = load_knowledge_base()
MP4_HEAD = tiny_mp4()


def stored(settings: Settings, data: bytes, name: str = "clip.mp4") -> videos.StoredFile:
    return videos.store_upload(settings, [data[:7], data[7:]], name)


def test_uploads_are_stored_once_by_content_hash_outside_the_web_root(settings: Settings) -> None:
    a = stored(settings, MP4_HEAD)
    b = stored(settings, MP4_HEAD, "same content.mov")
    assert a.sha256 == b.sha256 and a.path == b.path
    assert a.path == settings.upload_dir / a.sha256[:2] / a.sha256
    assert a.path.read_bytes() == MP4_HEAD
    assert [p.name for p in settings.upload_dir.rglob("*") if p.is_file()] == [a.sha256]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"%PDF-1.7 this is a pdf" * 3, "not a video file"),
        (b"not a video, a text file renamed .mp4\n" * 5, "not a video file we can read"),
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100, "not a video file"),  # a header only
        (tiny_mp4()[:300], "not a video file"),  # corrupt: cut before any frame
    ],
)
def test_files_that_are_not_videos_are_refused_and_not_kept(
    settings: Settings, data: bytes, message: str
) -> None:
    with pytest.raises(VideoInputError, match=message):
        stored(settings, data, "../../etc/report.pdf")
    assert [p for p in settings.upload_dir.rglob("*") if p.is_file()] == []


def test_upload_size_limit(settings: Settings) -> None:
    big = MP4_HEAD + b"\x00" * settings.max_upload_bytes
    with pytest.raises(videos.UploadTooLargeError, match="5 MB limit") as info:
        stored(settings, big)
    assert info.value.http_status == 413
    assert [p for p in settings.upload_dir.rglob("*") if p.is_file()] == []


def test_safe_names() -> None:
    assert videos.safe_name("../../x y;rm.mp4") == "x_y_rm.mp4"
    assert videos.safe_name("") == "video"


def _queued_job(
    factory: Any, settings: Settings, submitted: list[int] | None = None
) -> tuple[int, int]:
    with transaction(factory) as s:
        case, _ = intake.start(s, intake.Contact("Vid", "v@example.org", "", "", True), 30)
        intake.save_draft(s, KB, case.id, {"age_at_onset": "60"})
        intake.submit(s, KB, case.id)
        job = videos.add_video(
            s,
            case.id,
            stored(settings, MP4_HEAD),
            "clip.mp4",
            mirrored=False,
            actor="patient",
            submit=(submitted if submitted is not None else []).append,
        )
        assert not submitted, "handed to the runner before the upload was committed"
        return case.id, job.id


def test_a_job_reaches_the_runner_only_once_its_video_is_committed(
    factory: Any, settings: Settings
) -> None:
    submitted: list[int] = []
    case_id, job_id = _queued_job(factory, settings, submitted)
    assert submitted == [job_id]
    with pytest.raises(RuntimeError), transaction(factory) as s:
        videos.add_video(
            s,
            case_id,
            stored(settings, MP4_HEAD),
            "again.mp4",
            mirrored=False,
            actor="patient",
            submit=submitted.append,
        )
        raise RuntimeError("the request failed after the upload")
    assert submitted == [job_id]


def test_job_stores_the_analysis_adds_video_findings_and_re_ranks(
    factory: Any, settings: Settings
) -> None:
    case_id, job_id = _queued_job(factory, settings)
    status = videos.run_video_job(factory, settings, KB, job_id, analyzer=fake_analyzer)
    assert status == "done"
    with transaction(factory) as s:
        job = repo.get_job(s, job_id)
        assert (job.status, job.progress, job.attempts) == ("done", 1.0, 1)
        a = repo.analysis_of(s, job.video_id)
        assert a is not None and a.events_per_min == 12.0 and a.severity == 4
        video_rows = {
            r.finding_id: r.value for r in repo.findings_of(s, case_id) if r.source == "video"
        }
        assert video_rows == FINDINGS
        latest = repo.latest_assessment(s, case_id)
        assert latest is not None and latest.trigger.startswith("video findings")
    # idempotent: a second delivery changes nothing
    assert videos.run_video_job(factory, settings, KB, job_id, analyzer=fake_analyzer) == "done"
    with transaction(factory) as s:
        assert len(s.scalars(select(t.Analysis)).all()) == 1


def test_a_bad_video_fails_the_job_with_the_reason(factory: Any, settings: Settings) -> None:
    _, job_id = _queued_job(factory, settings)

    def no_face(path: Path, **_: Any) -> Any:
        raise VideoInputError("'clip.mp4' shows no usable face")

    assert videos.run_video_job(factory, settings, KB, job_id, analyzer=no_face) == "failed"
    with transaction(factory) as s:
        assert repo.get_job(s, job_id).error == "'clip.mp4' shows no usable face"
        assert s.scalars(select(t.Analysis)).all() == []


def test_an_internal_error_is_reported_without_details_and_can_be_retried(
    factory: Any, settings: Settings
) -> None:
    _, job_id = _queued_job(factory, settings)

    def crash(path: Path, **_: Any) -> Any:
        raise RuntimeError("patient Ann Patient secret detail")

    assert videos.run_video_job(factory, settings, KB, job_id, analyzer=crash) == "failed"
    with transaction(factory) as s:
        error = repo.get_job(s, job_id).error or ""
        assert "internal error" in error and "Ann" not in error
        videos.retry(s, job_id, "dr", submit=lambda _job: None)
    assert videos.run_video_job(factory, settings, KB, job_id, analyzer=fake_analyzer) == "done"


def test_a_job_interrupted_too_often_gives_up(factory: Any, settings: Settings) -> None:
    _, job_id = _queued_job(factory, settings)
    with transaction(factory) as s:
        job = repo.get_job(s, job_id)
        job.status, job.attempts = "running", videos.MAX_ATTEMPTS
    assert videos.run_video_job(factory, settings, KB, job_id, analyzer=fake_analyzer) == "failed"
    with transaction(factory) as s:
        assert "interrupted" in (repo.get_job(s, job_id).error or "")
