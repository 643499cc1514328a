"""Video review: a clinician's judgement of events and side counts over the analyser's;
the sources' disagreements are named and a choice settles them (all audited)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from hemifacial.analysis.judged import Judgement, judged
from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.db.engine import transaction
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.errors import InvalidValueError
from hemifacial.services import cases, conflicts, intake, reads, review, videos
from hemifacial.settings import Settings
from tests.doubles import SPASM_EVENTS, events_analysis

KB = load_knowledge_base()
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64


def test_rejecting_the_one_left_event_turns_both_sides_into_right() -> None:
    a = events_analysis()
    assert a.metrics.affected_side == "both" and a.findings["side"] == "both"
    b = judged(a, Judgement(rejected=frozenset({2})))
    assert b.metrics.affected_side == "right" and b.findings["side"] == "right"
    assert b.findings["laterality"] == "unilateral"
    assert len(b.events) == len(SPASM_EVENTS) - 1
    # one-sided events per usable minute: 3 right events in 0.1 min
    assert b.metrics.right.events_per_min == pytest.approx(30.0)
    assert b.metrics.left.events_per_min == 0.0
    assert judged(a, Judgement()) is a


def test_confirming_events_raises_certainty_and_a_given_side_wins() -> None:
    a = judged(events_analysis(), Judgement(rejected=frozenset({2})))
    sure = judged(
        events_analysis(), Judgement(rejected=frozenset({2}), confirmed=frozenset({0, 1, 3}))
    )
    assert sure.finding_certainty["side"] > a.finding_certainty["side"]
    left = judged(events_analysis(), Judgement(side="left"))
    assert (left.metrics.affected_side, left.metrics.side_confidence) == ("left", 1.0)
    with pytest.raises(ValueError, match="side must be"):
        judged(events_analysis(), Judgement(side="up"))


def _analysed_case(factory: Any, settings: Settings, side: str = "right") -> tuple[int, int]:
    with transaction(factory) as s:
        case, _ = intake.start(s, intake.Contact("Rev", "r@example.org", "", "1960", True), 30)
        intake.save_draft(s, KB, case.id, {"age_at_onset": "60", "side": side})
        intake.submit(s, KB, case.id)
        settings.upload_dir.mkdir(parents=True, exist_ok=True)
        blob = videos.blob_path(settings, "ab" * 32)
        blob.parent.mkdir(parents=True, exist_ok=True)
        blob.write_bytes(MP4_HEAD)
        stored = videos.StoredFile("ab" * 32, len(MP4_HEAD), blob)
        videos.add_video(
            s, case.id, stored, "clip.mp4", mirrored=False, actor="doc", submit=lambda _: None
        )
        video = s.scalars(select(t.Video)).one()
        videos.save_analysis(s, KB, case.id, video.id, events_analysis(), None)
        return case.id, video.id


def _video_side(s: Any, case_id: int) -> dict[str, str]:
    return {r.source: r.value for r in repo.findings_of(s, case_id) if r.finding_id == "side"}


def test_an_event_marked_wrong_re_derives_the_video_findings_and_re_ranks(
    factory: Any, settings: Settings
) -> None:
    case_id, video_id = _analysed_case(factory, settings)
    with transaction(factory) as s:
        assert _video_side(s, case_id)["video"] == "both"
        before = repo.latest_assessment(s, case_id)
        assert before is not None
        review.judge_event(s, KB, video_id, 2, "wrong", "doc")
    with transaction(factory) as s:
        assert _video_side(s, case_id) == {"patient": "right", "video": "right"}
        latest = repo.latest_assessment(s, case_id)
        assert latest is not None and latest.id > before.id
        assert latest.trigger == f"video {video_id} reviewed: event 3 wrong"
        row = repo.analysis_of(s, video_id)
        assert row is not None and row.affected_side == "right"  # the course follows
        assert row.result["metrics"]["affected_side"] == "both"  # the analyser's is kept
        audit = s.scalars(select(t.AuditEvent).where(t.AuditEvent.action == "video.review")).one()
        assert (audit.actor, audit.detail) == (
            "doc",
            {"video_id": video_id, "event": 2, "verdict": "wrong"},
        )
        view = reads.case_view(s, KB, case_id)
        analysis = view.videos[0].analysis
        assert analysis is not None and analysis.review is not None
        assert analysis.verdict(2) == "wrong" and analysis.verdict(0) is None
        assert analysis.counted.metrics.affected_side == "right"
        assert len(analysis.result.events) == len(SPASM_EVENTS)  # the timeline shows all
        review.judge_event(s, KB, video_id, 2, "clear", "doc")
    with transaction(factory) as s:
        assert _video_side(s, case_id)["video"] == "both"
        assert not s.scalars(select(t.VideoReview)).all()


def test_a_side_given_by_the_clinician_counts_as_their_finding(
    factory: Any, settings: Settings
) -> None:
    case_id, video_id = _analysed_case(factory, settings)
    with transaction(factory) as s:
        review.judge_side(s, KB, video_id, "left", "doc")
    with transaction(factory) as s:
        assert _video_side(s, case_id) == {"patient": "right", "video": "left", "clinician": "left"}
        latest = reads.latest_assessment(s, case_id)
        assert latest.sources["side"] == "clinician"
        review.judge_side(s, KB, video_id, "left", "doc")  # again: still one clinician row
    with transaction(factory) as s:
        rows = [r for r in repo.findings_of(s, case_id) if r.source == "clinician"]
        assert [(r.finding_id, r.value, r.video_id) for r in rows] == [("side", "left", video_id)]


def test_bad_judgements_are_refused_with_the_reason(factory: Any, settings: Settings) -> None:
    _, video_id = _analysed_case(factory, settings)
    with transaction(factory) as s:
        with pytest.raises(InvalidValueError, match="there is no event 6"):
            review.judge_event(s, KB, video_id, 5, "wrong", "doc")
        with pytest.raises(InvalidValueError, match="verdict must be"):
            review.judge_event(s, KB, video_id, 0, "maybe", "doc")
        with pytest.raises(InvalidValueError, match="side must be"):
            review.judge_side(s, KB, video_id, "up", "doc")


def test_sources_that_disagree_are_named_and_a_choice_resolves_them(
    factory: Any, settings: Settings
) -> None:
    case_id, _ = _analysed_case(factory, settings, side="left")
    with transaction(factory) as s:
        view = reads.case_view(s, KB, case_id)
        side = next(c for c in view.conflicts if c.finding_id == "side")
        assert [(v.source, v.value) for v in side.values] == [
            ("patient", "left"),
            ("video", "both"),
        ]
        assert side.used is not None and side.used.source == "patient"  # certain before uncertain
        assert not side.resolved and side.choices == ("left", "both")
        conflicts.choose(s, KB, case_id, "side", "both", "doc")
    with transaction(factory) as s:
        view = reads.case_view(s, KB, case_id)
        side = next(c for c in view.conflicts if c.finding_id == "side")
        assert side.resolved and side.used is not None and side.used.source == "clinician"
        assert view.assessment is not None and view.assessment.sources["side"] == "clinician"
        actions = [a.action for a in s.scalars(select(t.AuditEvent))]
        assert "conflict.resolve" in actions
        with pytest.raises(InvalidValueError, match="no finding"):
            conflicts.choose(s, KB, case_id, "nope", "x", "doc")


def test_a_clinicians_choice_against_a_test_result_stays_open(factory: Any) -> None:
    with transaction(factory) as s:
        case, _ = intake.start(s, intake.Contact("Tess", "t@example.org", "", "", True), 30)
        intake.save_draft(s, KB, case.id, {"age_at_onset": "60", "side": "left"})
        intake.submit(s, KB, case.id)
        cases.record_findings(
            s, KB, case.id, {"mri_mass_lesion": "yes"}, source="test", actor="doc"
        )
        conflicts.choose(s, KB, case.id, "mri_mass_lesion", "no", "doc")
        view = reads.case_view(s, KB, case.id)
        mass = next(c for c in view.conflicts if c.finding_id == "mri_mass_lesion")
        assert mass.used is not None and mass.used.source == "test"
        assert not mass.resolved  # the choice did not win: the banner keeps it


def _statements(engine: Any, factory: Any, case_id: int) -> list[str]:
    from sqlalchemy import event

    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.split()[0] + " " + statement.split("FROM")[1].split()[0])

    event.listen(engine, "before_cursor_execute", count)
    try:
        with transaction(factory) as s:
            reads.case_view(s, KB, case_id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return [x for x in seen if not x.startswith(("BEGIN", "COMMIT"))]


def test_the_case_page_reads_reviews_only_for_a_reviewed_video(
    engine: Any, factory: Any, settings: Settings
) -> None:
    case_id, video_id = _analysed_case(factory, settings)
    before = _statements(engine, factory, case_id)
    assert len(before) >= 5
    assert not [q for q in before if "video_reviews" in q]  # counted in the first query
    with transaction(factory) as s:
        review.judge_event(s, KB, video_id, 2, "wrong", "doc")
    after = _statements(engine, factory, case_id)
    assert len(after) == len(before) + 1
    assert [q for q in after if q not in before] == ["SELECT video_reviews"]
