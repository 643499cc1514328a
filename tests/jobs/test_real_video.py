"""One analysis through the real MediaPipe landmarker on a real face clip (shared data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hemifacial.db import repositories as repo
from hemifacial.db.engine import make_engine, migrate, session_factory, transaction
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.services import intake, videos
from hemifacial.settings import from_env
from tests.db.fixtures import unavailable

CLIP = Path(__file__).resolve().parents[3] / "shared" / "data" / "videos" / "pyfeat_single_face.mp4"


@pytest.mark.shared_data
def test_mediapipe_analysis_of_a_real_clip_is_stored_with_its_plot(tmp_path: Path) -> None:
    """One real analysis is enough (SQLite only: the job code is database-independent)."""
    if not CLIP.is_file():
        unavailable(f"{CLIP} is missing")
    settings = from_env(
        {"HEMIFACIAL_DATA_DIR": str(tmp_path), "HEMIFACIAL_VIDEO_JOBS": "1"}, mode="dev"
    )
    engine = make_engine(settings.database_url)
    migrate(engine)
    factory = session_factory(engine)
    kb = load_knowledge_base()
    with CLIP.open("rb") as fh:
        stored = videos.store_upload(settings, iter(lambda: fh.read(1 << 16), b""), CLIP.name)
    with transaction(factory) as s:
        case, _ = intake.start(s, intake.Contact("Real", "r@example.org", "", "", True), 30)
        intake.submit(s, kb, case.id)
        job_id = videos.add_video(
            s, case.id, stored, CLIP.name, mirrored=False, actor="test", submit=lambda _j: None
        ).id
    assert videos.run_video_job(factory, settings, kb, job_id) == "done"
    with transaction(factory) as s:
        job = repo.get_job(s, job_id)
        analysis = repo.analysis_of(s, job.video_id)
        assert analysis is not None and analysis.plot_file
        result = analysis.result
        assert result["quality"]["face_fraction"] > 0.9  # a face was tracked
        assert result["software"]["landmarker"].startswith("mediapipe")
    png = settings.plot_dir / analysis.plot_file
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    engine.dispose()
