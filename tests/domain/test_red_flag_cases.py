"""Red flags that fire when they should (issue 10 §4), tried on the cases that exposed them."""

from __future__ import annotations

from typing import Any

import pytest

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


def test_central_facial_weakness_raises_an_urgent_flag_and_images_first(
    kb: KnowledgeBase,
) -> None:
    """Lower face weak, forehead spared: a lesion above the facial nucleus (Todd paresis after
    a focal seizure, or another brain lesion). Before, it raised no flag at all."""
    a = run(kb, {"central_facial_weakness": "yes"})
    central = next(f for f in a.red_flags if f.id == "central_weakness")
    assert central.level == "urgent" and "forehead" in central.message
    assert (a.tests.ranked[0].test_id, a.tests.ranked[0].urgent) == ("mri_protocol", True)


def test_central_weakness_after_a_palsy_is_not_called_the_palsys_residue(
    kb: KnowledgeBase,
) -> None:
    """A Bell's palsy is peripheral (forehead weak too): a central pattern is not its residue,
    so the 'expected residue' wording must not be shown, and the flag stays urgent."""
    a = run(
        kb,
        {"prior_bells_palsy": "yes", "facial_weakness": "yes",
         "central_facial_weakness": "yes"},
    )  # fmt: skip
    assert "weakness_after_palsy" not in flags(a)
    assert "central_weakness" in flags(a)
    assert "structural_signs" not in flags(a)  # the central flag is the precise wording
    assert a.red_flags[0].level == "urgent"


def test_peripheral_weakness_after_a_palsy_keeps_the_residue_wording(kb: KnowledgeBase) -> None:
    a = run(
        kb,
        {"prior_bells_palsy": "yes", "facial_weakness": "yes",
         "central_facial_weakness": "no"},
    )  # fmt: skip
    assert flags(a) == {"weakness_after_palsy"}


def test_young_onset_reads_an_onset_beyond_the_lid_as_lower_face_involvement(
    kb: KnowledgeBase,
) -> None:
    """Onset in the lower face or over the whole side is lower-face involvement (§2): a
    30-year-old with a sudden lower-face onset raises the flag as with spread = yes."""
    for site in ("lower_face", "whole_side"):
        a = run(kb, {"age_at_onset": 30, "onset_site": site, "acute_onset": "yes"})
        assert "young_onset" in flags(a), site
    lid = run(kb, {"age_at_onset": 30, "onset_site": "eyelid", "acute_onset": "yes"})
    assert "young_onset" not in flags(lid)


def test_every_flag_on_lower_face_involvement_also_reads_the_onset_site(
    kb: KnowledgeBase,
) -> None:
    """Wherever a rule asks for spread_to_lower_face = yes, an onset in the lower face or over
    the whole side (spread unanswered) raises it too: the two findings say one fact."""
    for rule in kb.red_flags.values():
        for alt in rule.alternatives:
            if not any(c.finding == "spread_to_lower_face" for c in alt):
                continue
            rest = {
                c.finding: c.equals if c.equals is not None else
                (c.below - 1 if c.below is not None else c.at_least)
                for c in alt if c.finding != "spread_to_lower_face"
            }  # fmt: skip
            for site in ("lower_face", "whole_side"):
                a = run(kb, {**rest, "onset_site": site})
                assert rule.id in flags(a), (rule.id, site, rest)


def test_a_parotid_lump_raises_an_urgent_flag_and_images_first(kb: KnowledgeBase) -> None:
    """Martin 2017's patient (a parotid adenoma at the stylomastoid foramen) raised no flag:
    a lump is a lesion found by examination, as urgent as one found by imaging."""
    a = run(kb, {"age_at_onset": 18, "sex": "female", "side": "right", "parotid_mass": "yes"})
    parotid = next(f for f in a.red_flags if f.id == "parotid_mass")
    assert parotid.level == "urgent" and "parotid" in parotid.action
    assert (a.tests.ranked[0].test_id, a.tests.ranked[0].urgent) == ("mri_protocol", True)


@pytest.mark.parametrize(
    ("finding", "flag"),
    [
        ("known_tumour_or_head_radiotherapy", "known_head_tumour"),
        ("mastoid_bruit", "mastoid_bruit"),
    ],
)
def test_history_pointing_to_a_lesion_raises_a_soon_flag(
    kb: KnowledgeBase, finding: str, flag: str
) -> None:
    assert flag not in flags(run(kb, {finding: "no"}))
    raised = next(f for f in run(kb, {finding: "yes"}).red_flags if f.id == flag)
    assert raised.level == "soon" and "MR" in raised.action


def test_a_pontine_lesion_on_mri_raises_an_urgent_flag_against_mvd_on_a_contact(
    kb: KnowledgeBase,
) -> None:
    """A plaque or glioma at the facial nucleus is the cause of MS spasm and myokymia; with a
    vessel contact too, it raised no flag, so an MVD could be planned on the contact."""
    a = run(kb, {"mri_pontine_lesion": "yes", "mri_nvc_rez": "yes"})
    pons = next(f for f in a.red_flags if f.id == "brainstem_lesion_on_imaging")
    assert pons.level == "urgent" and "MVD" in pons.action
    assert kb.red_flags["brainstem_lesion_on_imaging"].first_test is None  # the MRI is done
    assert "brainstem_lesion_on_imaging" not in flags(run(kb, {"mri_pontine_lesion": "no"}))


def test_epileptiform_eeg_raises_an_urgent_flag_glucose_then_mri(kb: KnowledgeBase) -> None:
    """A positive EEG with the jerks raised no flag (primary HFS still led on its prior)."""
    a = run(kb, {"eeg_epileptiform": "yes"})
    eeg = next(f for f in a.red_flags if f.id == "seizure_on_eeg")
    assert eeg.level == "urgent"
    urgent = [t.test_id for t in a.tests.ranked if t.urgent]
    assert urgent[:2] == ["blood_glucose_test", "mri_protocol"]
    assert "seizure_on_eeg" not in flags(run(kb, {"eeg_epileptiform": "no"}))


def test_spasm_in_known_ms_asks_for_the_brainstem_before_mvd(kb: KnowledgeBase) -> None:
    chronic = run(kb, {"known_ms": "yes", "acute_onset": "no", "progression": "stable"})
    ms = next(f for f in chronic.red_flags if f.id == "spasm_in_known_ms")
    assert ms.level == "soon" and "MVD" in ms.action
    # a new sudden movement is a relapse: the urgent flag replaces the general note
    relapse = run(kb, {"known_ms": "yes", "acute_onset": "yes", "contraction_pattern": "rippling"})
    assert "new_movement_in_known_ms" in flags(relapse)
    assert "spasm_in_known_ms" not in flags(relapse)


def test_demyelination_on_mri_without_known_ms_asks_for_the_ms_work_up(kb: KnowledgeBase) -> None:
    a = run(kb, {"mri_demyelination": "yes", "known_ms": "no"})
    flag = next(f for f in a.red_flags if f.id == "demyelination_on_imaging")
    assert flag.level == "soon" and "McDonald" in flag.action
    known = run(kb, {"mri_demyelination": "yes", "known_ms": "yes"})
    assert "demyelination_on_imaging" not in flags(known)  # MS is already diagnosed
    assert "spasm_in_known_ms" in flags(known)


@pytest.mark.parametrize("finding", ["eye_deviation_with_spasm", "spread_to_other_side_in_episode"])
def test_seizure_signs_of_the_new_keys_raise_the_seizure_flag(
    kb: KnowledgeBase, finding: str
) -> None:
    """Eyes turning with each jerk (the facial nerve moves no eye muscle) and spread to the
    other side within an attack point to focal seizures: same-day glucose first."""
    a = run(kb, {finding: "yes"})
    assert "limb_or_awareness" in flags(a)
    assert (a.tests.ranked[0].test_id, a.tests.ranked[0].urgent) == ("blood_glucose_test", True)
