"""Fixtures for the report tests: a SQLite database seeded through the services with three
cases (typical HFS with a hostile name and two analysed videos, young onset with urgent red
flags, and a request without findings), plus the web fixtures for the API tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.services import cases, intake, reads, videos
from hemifacial.services.database import Database
from hemifacial.services.views import CaseView
from hemifacial.settings import Settings, from_env
from tests.doubles import fake_analyzer
from tests.web.conftest import *  # noqa: F403
from tests.web.helpers import MP4, TYPICAL, YOUNG

HOSTILE = '<script>alert("x")</script> Zoë 王 O\'Brien'
ACTOR = "doc"


@dataclass(frozen=True)
class Seeded:
    db: Database
    settings: Settings
    typical: int
    urgent: int
    empty: int

    def view(self, kb: KnowledgeBase, case_id: int) -> CaseView:
        with self.db.reader() as s:
            return reads.case_view(s, kb, case_id)


def _case(db: Database, kb: KnowledgeBase, name: str, answers: dict[str, str]) -> int:
    with db.unit_of_work() as s:
        case, _ = intake.start(s, intake.Contact(name, "p@example.org", "", "1960", True), 30)
        intake.save_draft(s, kb, case.id, answers)
        intake.submit(s, kb, case.id)
        return case.id


def _video(
    seeded_db: Database,
    settings: Settings,
    kb: KnowledgeBase,
    case_id: int,
    day: dt.date,
    label: str,
    payload: bytes,
) -> None:
    stored = videos.store_upload(settings, iter([payload]), "clip.mp4")
    with seeded_db.unit_of_work() as s:
        visit = cases.add_visit(s, case_id, day.isoformat(), label, "", ACTOR)
        job = videos.add_video(
            s,
            case_id,
            stored,
            "clip.mp4",
            mirrored=False,
            actor=ACTOR,
            submit=lambda _id: None,
            visit_id=visit.id,
        )
    videos.run_video_job(seeded_db.factory, settings, kb, job.id, analyzer=fake_analyzer)


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase) -> Iterator[Seeded]:
    base = tmp_path_factory.mktemp("reports")
    settings = from_env(
        {"HEMIFACIAL_DATA_DIR": str(base), "HEMIFACIAL_JOBS": "inprocess"}, mode="dev"
    )
    db = Database(settings.database_url)
    db.open()
    typical = _case(db, kb, HOSTILE, {**TYPICAL, "treatments": "<b>toxin</b> & rest"})
    today = dt.date.today()
    _video(db, settings, kb, typical, today - dt.timedelta(days=60), "first visit", MP4)
    _video(db, settings, kb, typical, today - dt.timedelta(days=5), "after toxin", MP4 + b"2")
    with db.unit_of_work() as s:
        cases.add_visit(
            s, typical, (today - dt.timedelta(days=1)).isoformat(), "phone call", "", ACTOR
        )
        cases.add_note(s, typical, "MRI requested <urgent>", ACTOR)
    urgent = _case(db, kb, "Young Yannick", YOUNG)
    empty = _case(db, kb, "Empty Emma", {})
    yield Seeded(db, settings, typical, urgent, empty)
    db.close()


@pytest.fixture(scope="session")
def plot_dir(seeded: Seeded) -> Path:
    return seeded.settings.plot_dir
