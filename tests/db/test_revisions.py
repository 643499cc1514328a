"""Per-case revisions (the ETag of a case page): every change to a case raises its own."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.db.engine import transaction
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.services import cases

KB = load_knowledge_base()


def _new_case(factory: Any, name: str) -> int:
    with transaction(factory) as s:
        row = t.Case(patient_name=name, status="new", draft={}, extras={})
        s.add(row)
        s.flush()
        return row.id


def _case_revision(s: Any, case_id: int) -> int | None:
    return repo.case_revision(s, case_id)


def _stamps(factory: Any, *case_ids: int) -> list[int | None]:
    with transaction(factory) as s:
        return [_case_revision(s, i) for i in case_ids]


def test_every_kind_of_change_stamps_its_case_and_only_its_case(factory: Any) -> None:
    a, b = _new_case(factory, "Ann"), _new_case(factory, "Bob")
    video_ids: list[int] = []

    def add_video(s: Any) -> None:
        video = t.Video(case_id=a, sha256="0" * 64, filename="v.mp4", size=1, uploaded_by="x")
        s.add(video)
        s.flush()
        s.add(t.Job(kind="analyze_video", video_id=video.id, status="running"))
        video_ids.append(video.id)

    def job_progress(s: Any) -> None:  # a core UPDATE, outside the ORM's unit of work
        job = s.query(t.Job).filter_by(video_id=video_ids[0]).one()
        repo.set_job_progress(s, job.id, 0.5)

    def analysis(s: Any) -> None:
        s.add(t.Analysis(video_id=video_ids[0], result={}, affected_side="left"))

    changes: list[tuple[str, Callable[[Any], Any]]] = [
        (
            "findings",
            lambda s: cases.record_findings(
                s, KB, a, {"side": "left"}, source="clinician", actor="doc"
            ),
        ),
        ("note", lambda s: cases.add_note(s, a, "seen", "doc")),
        ("visit", lambda s: cases.add_visit(s, a, "2026-01-02", "baseline", "", "doc")),
        ("status", lambda s: cases.set_status(s, a, "closed", "doc")),
        ("video and job", add_video),
        ("job progress", job_progress),
        ("analysis", analysis),
    ]
    ticks = {"job progress"}  # the page's own script refreshes progress: no new page
    (rev_a, rev_b) = _stamps(factory, a, b)
    for name, change in changes:
        with transaction(factory) as s:
            change(s)
        new_a, new_b = _stamps(factory, a, b)
        assert new_a is not None and rev_a is not None
        assert (new_a == rev_a) if name in ticks else (new_a > rev_a), name
        assert new_b == rev_b, name
        rev_a = new_a
    assert _stamps(factory, 4040) == [None]


def test_reading_and_logging_in_do_not_change_anything(factory: Any) -> None:
    from hemifacial.services import accounts

    case = _new_case(factory, "Ann")
    before = _stamps(factory, case)
    with transaction(factory) as s:
        accounts.create_user(s, "doc", "a long enough password", "Dr Doc")
        repo.get_case(s, case)
        repo.audit(s, "doc", "case.view", case)
    assert _stamps(factory, case) == before


def test_concurrent_writers_to_one_case_lose_no_revision(factory: Any) -> None:
    ids = [_new_case(factory, f"P{i}") for i in range(4)]
    before = _stamps(factory, *ids)

    def writer(case_id: int) -> None:
        for _ in range(10):
            with transaction(factory) as s:
                cases.add_note(s, case_id, "note", "doc")

    threads = [threading.Thread(target=writer, args=(i,)) for i in [*ids, ids[0]]]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    after = _stamps(factory, *ids)
    raised = [int(x or 0) - int(y or 0) for x, y in zip(after, before, strict=True)]
    assert raised == [20, 10, 10, 10]  # one per transaction, none lost to a race
