"""Graded certainty through the case record: a "suspected" result and a video's confidence
count as soft evidence, are stored with their certainty, and never replace a certain answer."""

from __future__ import annotations

from typing import Any

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.db.engine import transaction
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.services import cases, intake, videos
from tests.doubles import video_analysis

KB = load_knowledge_base()
CONTACT = intake.Contact("Ann Patient", "ann@example.org", "", "1960", True)


def _case(factory: Any, answers: dict[str, str]) -> int:
    with transaction(factory) as s:
        case, _ = intake.start(s, CONTACT, 30)
        intake.save_draft(s, KB, case.id, answers)
        intake.submit(s, KB, case.id)
        return case.id


def _lesion(factory: Any, value: Any) -> tuple[float, int]:
    case_id = _case(factory, {"age_at_onset": "58", "side": "left"})
    with transaction(factory) as s:
        stored = cases.record_findings(
            s, KB, case_id, {"mri_mass_lesion": value}, source="test", actor="dr"
        )
    ranked = {r.condition_id: r.probability for r in stored.result.ranking}
    return ranked["structural_lesion"], case_id


def test_a_suspected_result_is_stored_with_its_certainty_and_counts_softly(factory: Any) -> None:
    certain, _ = _lesion(factory, "yes")
    suspected, case_id = _lesion(factory, {"value": "yes", "certainty": "suspected"})
    absent, _ = _lesion(factory, "unknown")
    assert absent < suspected < certain
    with transaction(factory) as s:
        rows = [r for r in repo.findings_of(s, case_id) if r.finding_id == "mri_mass_lesion"]
    assert [(r.value, r.certainty) for r in rows] == [("yes", 0.6)]


def test_a_video_reading_fills_a_gap_softly_and_never_replaces_the_patients_answer(
    factory: Any,
) -> None:
    said_left = _case(factory, {"age_at_onset": "58", "side": "left"})
    said_nothing = _case(factory, {"age_at_onset": "58"})
    analysis = video_analysis({"side": "right", "laterality": "unilateral"}, {"side": 0.4})
    for case_id in (said_left, said_nothing):
        with transaction(factory) as s:
            video = t.Video(
                case_id=case_id, sha256="0" * 64, filename="v.mp4", size=1, uploaded_by="p"
            )
            s.add(video)
            s.flush()
            videos.save_analysis(s, KB, case_id, video.id, analysis, None)
    with transaction(factory) as s:
        kept = cases.effective_findings(KB, repo.findings_of(s, said_left))
        filled = cases.effective_findings(KB, repo.findings_of(s, said_nothing))
        last = repo.latest_assessment(s, said_nothing)
    assert kept.values["side"] == "left" and "side" not in kept.certainty
    assert any("video reading 'side: right' (certainty 40%)" in c for c in kept.conflicts)
    assert filled.values["side"] == "right" and filled.certainty == {"side": 0.4}
    assert last is not None and last.result["certainty"] == {"side": 0.4}
