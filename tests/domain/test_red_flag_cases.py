"""Red flags that fire when they should (issue 10 §4), tried on the cases that exposed them."""

from __future__ import annotations

from typing import Any

from hemifacial.domain.case import parse_case
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.assess import Assessment, assess


def run(kb: KnowledgeBase, findings: dict[str, Any]) -> Assessment:
    return assess(kb, parse_case(kb, findings, "referral_clinic"))


def flags(a: Assessment) -> set[str]:
    return {f.id for f in a.red_flags}


def test_stress_eyelid_twitch_at_30_raises_no_young_onset_flag(kb: KnowledgeBase) -> None:
    """Two weeks of one lid flickering under stress: benign eyelid myokymia, no MRI urge."""
    a = run(
        kb,
        {"age_at_onset": 30, "onset_site": "eyelid", "spread_to_lower_face": "no",
         "worse_with_stress": "yes", "acute_onset": "yes", "contraction_pattern": "rippling",
         "progression": "improving"},
    )  # fmt: skip
    assert a.leading.condition_id == "eyelid_myokymia"
    assert "young_onset" not in flags(a)


def test_typical_young_onset_hfs_raises_no_flag(kb: KnowledgeBase) -> None:
    a = run(
        kb,
        {"age_at_onset": 28, "onset_site": "eyelid", "spread_to_lower_face": "yes",
         "progression": "worsening", "contraction_pattern": "clonic_and_tonic",
         "acute_onset": "no"},
    )  # fmt: skip
    assert a.leading.condition_id == "primary_nvc"
    assert "young_onset" not in flags(a)


def test_young_onset_fires_on_a_sudden_spasm_beyond_the_lid(kb: KnowledgeBase) -> None:
    a = run(kb, {"age_at_onset": 33, "spread_to_lower_face": "yes", "acute_onset": "yes"})
    young = next(f for f in a.red_flags if f.id == "young_onset")
    assert young.level == "soon" and "MS" in young.message


def test_young_onset_fires_on_a_small_share_of_primary_hfs_by_the_base_tables(
    kb: KnowledgeBase,
) -> None:
    """Age alone caught ~a quarter of primary HFS (its own age table); the rule now ~1%."""
    lk = kb.findings
    young = sum(
        lk["age_at_onset"].likelihoods["primary_nvc"].probabilities[v]
        for v in ("under_30", "30_to_39")
    )
    spread = lk["spread_to_lower_face"].likelihoods["primary_nvc"].probabilities["yes"]
    acute = lk["acute_onset"].likelihoods["primary_nvc"].probabilities["yes"]
    ripple = lk["contraction_pattern"].likelihoods["primary_nvc"].probabilities["rippling"]
    assert young > 0.2  # what the old rule fired on
    assert young * spread * (acute + ripple) < 0.03


def test_weakness_after_a_bells_palsy_is_worded_for_that_case(kb: KnowledgeBase) -> None:
    a = run(kb, {"prior_bells_palsy": "yes", "facial_weakness": "yes", "side": "left"})
    assert "structural_signs" not in flags(a)
    palsy = next(f for f in a.red_flags if f.id == "weakness_after_palsy")
    assert "expected" in palsy.message and palsy.level == "soon"
    assert a.leading.condition_id == "post_paralytic_hfs"


def test_hearing_loss_after_a_palsy_still_raises_structural_signs(kb: KnowledgeBase) -> None:
    a = run(kb, {"prior_bells_palsy": "yes", "facial_weakness": "yes", "hearing_loss": "yes"})
    assert {"structural_signs", "weakness_after_palsy"} <= flags(a)
    assert a.red_flags[0].id == "structural_signs"


def test_weakness_without_a_palsy_still_raises_structural_signs(kb: KnowledgeBase) -> None:
    a = run(kb, {"facial_weakness": "yes", "prior_bells_palsy": "no"})
    assert "structural_signs" in flags(a) and "weakness_after_palsy" not in flags(a)


def test_known_ms_with_new_rippling_ranks_myokymia_and_images_first(kb: KnowledgeBase) -> None:
    """MS presenting as rippling myokymia is classed as facial myokymia (conditions.yaml)."""
    a = run(
        kb,
        {"known_ms": "yes", "contraction_pattern": "rippling", "acute_onset": "yes",
         "spread_to_lower_face": "yes", "age_at_onset": 35},
    )  # fmt: skip
    assert a.leading.condition_id == "facial_myokymia"
    tests = [t.test_id for t in a.tests.ranked]
    assert tests[0] == "mri_protocol" and a.tests.ranked[0].urgent
    assert tests.index("mri_protocol") < tests.index("emg")
    assert "facial_myokymia" in kb.findings["acute_onset"].likelihoods
    assert not kb.findings["acute_onset"].likelihoods["facial_myokymia"].is_default
