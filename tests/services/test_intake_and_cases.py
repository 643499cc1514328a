"""Use cases: the consultation request, recording results, re-ranking, the private link."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.db.engine import transaction
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.errors import NotFoundError, PermissionDeniedError
from hemifacial.services import cases, forms, intake

KB = load_knowledge_base()
CONTACT = intake.Contact("Ann Patient", "ann@example.org", "", "1960", True)
TYPICAL = {
    "age_at_onset": "58",
    "side": "left",
    "other_babinski": "yes",
    "spread_to_lower_face": "yes",
    "treatments": "botulinum toxin",
}


def count(s: Any, table: Any) -> int:
    return int(s.scalar(select(func.count()).select_from(table)) or 0)


def submitted_case(factory: Any, answers: dict[str, str] = TYPICAL) -> tuple[int, str]:
    with transaction(factory) as s:
        case, token = intake.start(s, CONTACT, 30)
        intake.save_draft(s, KB, case.id, answers)
        intake.submit(s, KB, case.id)
        return case.id, token


def test_every_history_finding_is_asked_exactly_once() -> None:
    keys = [f.key for sec in forms.sections(KB) for f in sec.fields if f.is_finding]
    history = [fid for fid, f in KB.findings.items() if f.group != "tests"]
    assert sorted(keys) == sorted(history)
    fields = forms.all_fields(KB)
    assert fields["laterality"].show_if == ("side", "both")
    assert fields["injury_details"].show_if == ("head_face_neck_injury", "yes")


def test_contact_errors_name_each_field_and_save_nothing(factory: Any) -> None:
    bad = intake.Contact("", "not-an-email", "abc", "1800", False)
    with pytest.raises(cases.FormError) as info, transaction(factory) as s:
        intake.start(s, bad, 30)
    assert set(info.value.fields) == {"name", "email", "phone", "birth_year", "consent"}
    assert "does not look like an e-mail address" in info.value.fields["email"]
    with transaction(factory) as s:
        assert count(s, t.Case) == 0 and count(s, t.PatientLink) == 0


def test_draft_keeps_what_was_typed_and_submit_refuses_it_without_saving(factory: Any) -> None:
    with transaction(factory) as s:
        case, _ = intake.start(s, CONTACT, 30)
        intake.save_draft(s, KB, case.id, {"age_at_onset": "fifty", "side": "left", "nope": "x"})
        case_id = case.id
    with transaction(factory) as s:
        case = repo.get_case(s, case_id)
        assert case.draft == {"age_at_onset": "fifty", "side": "left"}  # unknown keys dropped
        with pytest.raises(cases.FormError) as info:
            intake.submit(s, KB, case.id)
    assert list(info.value.fields) == ["age_at_onset"]
    assert "number" in info.value.fields["age_at_onset"]
    with transaction(factory) as s:
        assert repo.get_case(s, case_id).status == "draft"
        assert count(s, t.Finding) == 0 and count(s, t.Assessment) == 0


def test_hidden_follow_up_answers_are_ignored(factory: Any) -> None:
    findings, extras, errors = intake.validate_answers(
        KB, {"side": "left", "laterality": "bilateral_synchronous", "injury_details": "x"}
    )
    assert errors == {} and "laterality" not in findings and extras == {}


def test_submit_stores_findings_assessment_with_kb_version_and_audit(factory: Any) -> None:
    case_id, _ = submitted_case(factory)
    with transaction(factory) as s:
        case = repo.get_case(s, case_id)
        assert case.status == "new" and case.extras == {"treatments": "botulinum toxin"}
        rows = repo.findings_of(s, case_id)
        assert {r.finding_id: r.value for r in rows} == {
            "age_at_onset": "58",
            "side": "left",
            "other_babinski": "yes",
            "spread_to_lower_face": "yes",
        }
        assert {r.source for r in rows} == {"patient"}
        a = repo.latest_assessment(s, case_id)
        assert a is not None and a.kb_version == KB.version and a.kb_hash == KB.content_hash
        assert a.result["ranking"][0]["condition_id"] == "primary_nvc"
        assert case.top_condition == "primary_nvc"
        actions = [e.action for e in s.scalars(select(t.AuditEvent))]
        assert actions == ["request.start", "request.submit"]


def test_red_flags_set_the_case_level(factory: Any) -> None:
    case_id, _ = submitted_case(
        factory, {"age_at_onset": "27", "side": "right", "other_neuro_symptoms": "yes"}
    )
    with transaction(factory) as s:
        case = repo.get_case(s, case_id)
        flags = repo.latest_assessment(s, case_id).result["red_flags"]  # type: ignore[union-attr]
        assert flags and case.red_flag_level == max(cases.RED_FLAG_LEVEL[f["level"]] for f in flags)


def test_an_mri_result_re_ranks_and_keeps_the_history(factory: Any) -> None:
    case_id, _ = submitted_case(factory)
    with transaction(factory) as s:
        row = cases.record_findings(
            s, KB, case_id, {"mri_mass_lesion": "yes"}, source="test", actor="dr"
        )
    assert row.result.leading.condition_id == "structural_lesion"
    with transaction(factory) as s:
        history = repo.assessment_history(s, case_id)
        assert [h.result["ranking"][0]["condition_id"] for h in history] == [
            "primary_nvc",
            "structural_lesion",
        ]
        assert repo.get_case(s, case_id).top_condition == "structural_lesion"


def test_bad_result_is_refused_whole(factory: Any) -> None:
    case_id, _ = submitted_case(factory)
    with pytest.raises(cases.FormError) as info, transaction(factory) as s:
        cases.record_findings(
            s,
            KB,
            case_id,
            {"mri_mass_lesion": "yes", "emg_lateral_spread": "maybe", "mri_nvc": "yes"},
            source="test",
            actor="dr",
        )
    assert set(info.value.fields) == {"emg_lateral_spread", "mri_nvc"}
    assert "did you mean 'mri_nvc_rez'" in info.value.fields["mri_nvc"]
    with transaction(factory) as s:
        assert count(s, t.Finding) == 4 and count(s, t.Assessment) == 1  # unchanged


def test_contradicting_result_is_refused(factory: Any) -> None:
    case_id, _ = submitted_case(factory)
    with pytest.raises(cases.FormError, match="contradicts"), transaction(factory) as s:
        cases.record_findings(
            s,
            KB,
            case_id,
            {"laterality": "bilateral_synchronous"},
            source="patient",
            actor="patient",
        )


def test_higher_sources_win_and_contradicting_lower_ones_are_set_aside(factory: Any) -> None:
    rows = [
        t.Finding(id=1, finding_id="side", value="left", source="patient"),
        t.Finding(id=2, finding_id="laterality", value="bilateral_synchronous", source="video"),
        t.Finding(id=3, finding_id="side", value="both", source="clinician"),
        t.Finding(id=4, finding_id="other_babinski", value="no", source="patient"),
        t.Finding(id=5, finding_id="other_babinski", value="yes", source="patient"),
        t.Finding(id=6, finding_id="emg_lateral_spread", value="unknown", source="test"),
    ]
    eff = cases.effective_findings(KB, rows)
    assert eff.values == {
        "side": "both",
        "laterality": "bilateral_synchronous",
        "other_babinski": "yes",
    }
    assert eff.sources["side"] == "clinician"
    rows.append(t.Finding(id=7, finding_id="laterality", value="unilateral", source="patient"))
    eff = cases.effective_findings(KB, rows)
    assert eff.values["laterality"] == "bilateral_synchronous"


def test_notes_visits_and_status_are_validated(factory: Any) -> None:
    case_id, _ = submitted_case(factory)
    with transaction(factory) as s:
        with pytest.raises(cases.FormError):
            cases.add_note(s, case_id, "   ", "dr")
        with pytest.raises(cases.FormError, match="2026-03-01"):
            cases.add_visit(s, case_id, "March", "", "", "dr")
        with pytest.raises(cases.InvalidValueError, match="awaiting_tests"):
            cases.set_status(s, case_id, "lost", "dr")
        cases.set_status(s, case_id, "awaiting_tests", "dr")
        cases.add_note(s, case_id, "MRI booked", "dr")
    with transaction(factory) as s:
        assert repo.get_case(s, case_id).status == "awaiting_tests"
        assert [n.text for n in repo.notes_of(s, case_id)] == ["MRI booked"]


def test_private_link_opens_only_its_case_and_expires(factory: Any) -> None:
    case_id, token = submitted_case(factory)
    other_id, other_token = submitted_case(factory)
    with transaction(factory) as s:
        assert intake.case_for_token(s, token).id == case_id
        assert intake.case_for_token(s, other_token).id == other_id
        stored = [link.token_hash for link in s.scalars(select(t.PatientLink))]
        assert token not in stored and len(stored[0]) == 64  # only the hash is stored
        with pytest.raises(NotFoundError):
            intake.case_for_token(s, token[:-2] + "xx")
        link = repo.link_by_hash(s, stored[0])
        assert link is not None
        link.expires_at = t.utcnow() - dt.timedelta(seconds=1)
    with transaction(factory) as s, pytest.raises(PermissionDeniedError, match="expired"):
        intake.case_for_token(s, token)


def test_follow_up_questions_ask_what_helps_most(factory: Any) -> None:
    case_id, _ = submitted_case(factory, {"side": "left"})
    with transaction(factory) as s:
        case = repo.get_case(s, case_id)
        questions = intake.follow_ups(KB, case.setting, {"side": "left"})
    assert 1 <= len(questions) <= intake.MAX_FOLLOW_UPS
    assert all(
        q.finding_id != "side" and KB.findings[q.finding_id].group != "tests" for q in questions
    )
