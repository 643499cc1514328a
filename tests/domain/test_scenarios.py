"""The clinical sequence the work-up must reproduce, and the explanation and red flags."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hemifacial.domain.case import parse_case
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.assess import Assessment, assess

TYPICAL_HFS: dict[str, Any] = {
    "age_at_onset": 52,
    "sex": "female",
    "side": "left",
    "onset_site": "eyelid",
    "spread_to_lower_face": "yes",
    "progression": "worsening",
    "present_in_sleep": "yes",
    "contraction_pattern": "clonic_and_tonic",
    "other_babinski": "yes",
    "facial_weakness": "no",
    "hearing_loss": "no",
    "prior_bells_palsy": "no",
    # the red-flag screen a complete history includes
    "other_neuro_symptoms": "no",
    "trigeminal_neuralgia": "no",
    "facial_numbness": "no",
    "tinnitus_vertigo": "no",
}
MRI_NORMAL_WITH_CONTACT = {
    "mri_mass_lesion": "no",
    "mri_vascular_anomaly": "no",
    "mri_demyelination": "no",
    "mri_nvc_rez": "yes",
}
MS_PLAUSIBLE: dict[str, Any] = {
    "age_at_onset": 28,
    "sex": "female",
    "side": "right",
    "other_neuro_symptoms": "yes",
    "contraction_pattern": "clonic",
    "acute_onset": "yes",
    "onset_site": "whole_side",
    "facial_weakness": "no",
    "hearing_loss": "no",
    "prior_bells_palsy": "no",
    "head_face_neck_injury": "no",
    "known_ms": "no",
}


def run(kb: KnowledgeBase, findings: dict[str, Any], setting: str | None = None) -> Assessment:
    return assess(kb, parse_case(kb, findings, setting))


def test_empty_case_gives_the_priors_and_says_so(kb: KnowledgeBase) -> None:
    a = run(kb, {})
    assert a.status.startswith("insufficient information")
    for r in a.ranking:
        assert r.probability == pytest.approx(r.prior)
    assert a.tests.ranked[0].test_id == "history_exam"


def test_incomplete_history_asks_for_the_red_flag_screen_first(kb: KnowledgeBase) -> None:
    partial = {
        k: v
        for k, v in TYPICAL_HFS.items()
        if k
        not in (
            "facial_numbness",
            "tinnitus_vertigo",
            "other_neuro_symptoms",
            "trigeminal_neuralgia",
        )
    }
    a = run(kb, partial)
    history = next(t for t in a.tests.ranked[:2] if t.test_id == "history_exam")
    screen = {"facial_numbness", "tinnitus_vertigo", "other_neuro_symptoms", "trigeminal_neuralgia"}
    assert screen <= set(history.pending_findings)


def test_typical_history_then_mri_then_stop(kb: KnowledgeBase) -> None:
    a = run(kb, TYPICAL_HFS)
    assert a.leading.condition_id == "primary_nvc"
    assert a.tests.ranked[0].test_id == "mri_protocol"
    assert not a.tests.stop
    done = run(kb, {**TYPICAL_HFS, **MRI_NORMAL_WITH_CONTACT})
    assert done.leading.condition_id == "primary_nvc" and done.leading.probability > 0.99
    assert done.tests.stop and done.tests.ranked == ()
    assert "cause clear" in done.tests.stop_reason


def test_mri_impossible_means_ct_instead(kb: KnowledgeBase) -> None:
    a = run(kb, {**TYPICAL_HFS, "mri_contraindicated": "yes"})
    ids = [t.test_id for t in a.tests.ranked]
    assert "mri_protocol" not in ids and "ms_workup" not in ids
    assert ids[0] == "ct_contrast"
    ct = a.tests.ranked[0]
    assert ct.replaces == "mri_protocol"
    assert ("mri_protocol", "mri contraindicated = yes") in a.tests.contraindicated


def test_ms_plausible_brings_the_ms_workup(kb: KnowledgeBase) -> None:
    a = run(kb, MS_PLAUSIBLE)
    assert a.leading.condition_id == "demyelination"
    assert "ms_workup" in [t.test_id for t in a.tests.ranked[:3]]
    imaging = {"mri_demyelination": "yes", "mri_mass_lesion": "no", "mri_nvc_rez": "no"}
    after = run(kb, {**MS_PLAUSIBLE, **imaging})
    tests = [t.test_id for t in after.tests.ranked]
    assert "ms_workup" in tests[:3]
    assert all(tests.index("ms_workup") < tests.index(t) for t in ("emg", "eeg") if t in tests)
    assert {f for f, _ in after.red_flags[0].triggered_by} & {"other_neuro_symptoms"}


def test_mass_on_mri_overturns_primary_hfs_and_raises_a_flag(kb: KnowledgeBase) -> None:
    a = run(kb, {**TYPICAL_HFS, "mri_mass_lesion": "yes", "hearing_loss": "yes"})
    assert a.leading.condition_id == "structural_lesion"
    flags = {f.id for f in a.red_flags}
    assert {"lesion_on_imaging", "structural_signs"} <= flags
    assert a.red_flags[0].level == "urgent"
    assert "ct_contrast" not in [t.test_id for t in a.tests.ranked]
    assert ("ct_contrast", f"{kb.tests['mri_protocol'].name} already done") in a.tests.superseded


def test_mimics_are_recognised(kb: KnowledgeBase) -> None:
    bsp = run(
        kb,
        {"side": "both", "laterality": "bilateral_synchronous", "light_sensitivity": "yes",
         "sensory_trick": "yes", "present_in_sleep": "no", "age_at_onset": 61},
    )  # fmt: skip
    assert bsp.leading.condition_id == "blepharospasm"
    assert "synchronous_bilateral" in {f.id for f in bsp.red_flags}
    synkinesis = run(
        kb,
        {"prior_bells_palsy": "yes", "only_with_voluntary_movement": "yes",
         "facial_weakness": "yes", "side": "right"},
    )  # fmt: skip
    assert synkinesis.leading.condition_id == "postparalytic_synkinesis"


def test_explanation_signs_follow_likelihood_ratios(kb: KnowledgeBase) -> None:
    a = run(kb, {**TYPICAL_HFS, "suppressible_with_urge": "yes"})
    contributions = {c.finding_id: c for c in a.explanations["primary_nvc"]}
    assert contributions["other_babinski"].log10_lr > 0
    assert contributions["other_babinski"].wording.endswith("supports")
    assert contributions["suppressible_with_urge"].log10_lr < 0
    assert "argues against" in contributions["suppressible_with_urge"].wording
    assert contributions["other_babinski"].sources
    assert "laterality" in contributions and contributions["laterality"].implied
    strengths = [abs(c.log10_lr) for c in a.explanations["primary_nvc"]]
    assert strengths == sorted(strengths, reverse=True)


def test_setting_changes_the_prior(kb: KnowledgeBase) -> None:
    lid = {"onset_site": "eyelid", "contraction_pattern": "rippling", "progression": "improving"}
    assert run(kb, lid, "primary_care").leading.condition_id == "eyelid_myokymia"
    assert run(kb, {}, "primary_care").leading.condition_id == "eyelid_myokymia"
    assert run(kb, {}, "referral_clinic").leading.condition_id == "primary_nvc"


def test_red_flags_with_numeric_thresholds(kb: KnowledgeBase) -> None:
    young = {"age_at_onset": 25, "spread_to_lower_face": "yes", "acute_onset": "yes"}
    flags = {f.id: f for f in run(kb, {**young, "blood_glucose": 22}).red_flags}
    assert flags["young_onset"].triggered_by == (
        ("age_at_onset", "25"),
        ("spread_to_lower_face", "yes"),
        ("acute_onset", "yes"),
    )
    assert flags["hyperglycaemia"].level == "urgent"
    assert "young_onset" not in {f.id for f in run(kb, {**young, "age_at_onset": 55}).red_flags}


def test_assessment_serialises_with_versions(kb: KnowledgeBase) -> None:
    data = run(kb, TYPICAL_HFS).to_dict()
    assert data["schema_version"] == 1
    assert data["kb_version"] == kb.version and data["kb_hash"] == kb.content_hash
    assert data["tests"]["ranked"][0]["reason"]
    assert data["limits"]
    assert json.loads(json.dumps(data)) == data


def test_ct_is_proposed_only_when_the_mri_is_impossible(kb: KnowledgeBase) -> None:
    """MRI is the initial screen (Tash 1991; ACR 2022): CT never stands beside it."""
    for values in ({}, TYPICAL_HFS, MS_PLAUSIBLE, {**TYPICAL_HFS, "hearing_loss": "yes"}):
        a = run(kb, values)
        assert "ct_contrast" not in [t.test_id for t in a.tests.ranked]
        if not a.tests.stop:
            assert (
                "ct_contrast",
                f"only when {kb.tests['mri_protocol'].name} is not possible",
            ) in a.tests.superseded
    impossible = run(kb, {**TYPICAL_HFS, "hearing_loss": "yes", "mri_contraindicated": "yes"})
    assert impossible.tests.ranked[0].test_id == "ct_contrast"
