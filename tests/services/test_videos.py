"""Video use cases: storage by content hash, the analysis job and its failure modes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import select

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.db.engine import transaction
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.errors import VideoInputError
from hemifacial.services import intake, videos
from hemifacial.settings import Settings
from tests.support import tiny_mp4

KB = load_knowledge_base()
MP4_HEAD = tiny_mp4()


class FakeAnalysis:
    """Stands in for VideoAnalysis: the job only needs to_dict() and findings."""

    findings: ClassVar[dict[str, str]] = {
        "side": "right",
        "laterality": "unilateral",
        "other_babinski": "yes",
    }

    def to_dict(self) -> dict[str, Any]:
        side = {"events_per_min": 12.0, "time_in_spasm_pct": 8.5}
        return {
            "schema_version": "1",
            "metrics": {
                "affected_side": "right",
                "right": side,
                "left": {"events_per_min": 0.0, "time_in_spasm_pct": 0.0},
                "severity": {"jankovic_total": 4},
            },
            "findings": self.findings,
            "notes": [],
        }


def fake_analyzer(path: Path, *, mirrored: bool, progress: Any, settings: Settings) -> Any:
    assert path.is_file()
    progress(0.5)
    return FakeAnalysis()


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


def _queued_job(factory: Any, settings: Settings) -> tuple[int, int]:
    with transaction(factory) as s:
        case, _ = intake.start(s, intake.Contact("Vid", "v@example.org", "", "", True), 30)
        intake.save_draft(s, KB, case, {"age_at_onset": "60"})
        intake.submit(s, KB, case)
        job = videos.add_video(
            s, case.id, stored(settings, MP4_HEAD), "clip.mp4", mirrored=False, actor="patient"
        )
        return case.id, job.id


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
        assert video_rows == FakeAnalysis.findings
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
        videos.retry(s, job_id, "dr")
    assert videos.run_video_job(factory, settings, KB, job_id, analyzer=fake_analyzer) == "done"


def test_a_job_interrupted_too_often_gives_up(factory: Any, settings: Settings) -> None:
    _, job_id = _queued_job(factory, settings)
    with transaction(factory) as s:
        job = repo.get_job(s, job_id)
        job.status, job.attempts = "running", videos.MAX_ATTEMPTS
    assert videos.run_video_job(factory, settings, KB, job_id, analyzer=fake_analyzer) == "failed"
    with transaction(factory) as s:
        assert "interrupted" in (repo.get_job(s, job_id).error or "")
