"""The mistakes issue 10 found in the evidence base stay corrected, one test per number."""

from __future__ import annotations

import pytest

from hemifacial.domain.case import parse_case
from hemifacial.domain.knowledge.model import KnowledgeBase, Provenance, Tier
from hemifacial.domain.knowledge.population import HOUSTON_SHARE, for_population, odds
from hemifacial.domain.reasoning.assess import assess
from hemifacial.errors import InputError

HFS_CAUSES = (
    "primary_nvc",
    "post_paralytic_hfs",
    "nerve_injury",
    "demyelination",
    "structural_lesion",
    "vascular_anomaly",
)


def prov(kb: KnowledgeBase, finding: str, condition: str) -> Provenance:
    return kb.findings[finding].likelihoods[condition].provenance


def p_yes(kb: KnowledgeBase, finding: str, condition: str) -> float:
    return kb.findings[finding].likelihoods[condition].probabilities["yes"]


# Numbers the audit found labelled as cited although the source gives no such figure.
NO_FIGURE_IN_SOURCE = [
    ("laterality", "blepharospasm"),
    ("present_in_sleep", "blepharospasm"),
    ("sensory_trick", "blepharospasm"),
    ("contraction_pattern", "eyelid_myokymia"),
    ("contraction_pattern", "facial_myokymia"),
    ("contraction_pattern", "structural_lesion"),
    ("present_in_sleep", "focal_seizure"),
    ("present_in_sleep", "tardive_oromandibular"),
    ("laterality", "focal_seizure"),
    ("laterality", "tardive_oromandibular"),
    ("tinnitus_vertigo", "vascular_anomaly"),
    ("facial_numbness", "vascular_anomaly"),
    ("mri_nvc_rez", "primary_nvc"),
    ("emg_lateral_spread", "post_paralytic_hfs"),
]


@pytest.mark.parametrize(("finding", "condition"), NO_FIGURE_IN_SOURCE)
def test_numbers_without_a_figure_are_estimates(
    kb: KnowledgeBase, finding: str, condition: str
) -> None:
    p = prov(kb, finding, condition)
    assert p.tier is Tier.ESTIMATE and p.estimate and len(p.estimate) >= 25


def test_light_sensitivity_in_blepharospasm_is_about_a_third(kb: KnowledgeBase) -> None:
    assert p_yes(kb, "light_sensitivity", "blepharospasm") == pytest.approx(1 / 3, abs=0.001)
    assert prov(kb, "light_sensitivity", "blepharospasm").tier is Tier.MEASURED


def test_vascular_anomaly_symptoms_say_they_rest_on_one_case_report(kb: KnowledgeBase) -> None:
    for finding in ("tinnitus_vertigo", "facial_numbness"):
        assert "one case report" in (prov(kb, finding, "vascular_anomaly").estimate or "")


def test_mri_contact_in_primary_hfs_shows_adlers_figure_and_is_not_88(kb: KnowledgeBase) -> None:
    p = prov(kb, "mri_nvc_rez", "primary_nvc")
    assert any("24/37" in q and "64.9%" in q for q in p.support)
    assert p_yes(kb, "mri_nvc_rez", "primary_nvc") != pytest.approx(0.88)


def test_lateral_spread_figure_belongs_to_synkinesis(kb: KnowledgeBase) -> None:
    assert p_yes(kb, "emg_lateral_spread", "postparalytic_synkinesis") == pytest.approx(0.795)
    assert prov(kb, "emg_lateral_spread", "postparalytic_synkinesis").tier is Tier.MEASURED
    assert p_yes(kb, "emg_lateral_spread", "post_paralytic_hfs") != pytest.approx(0.795)


def test_lower_face_onset_gives_the_literature_range(kb: KnowledgeBase) -> None:
    p = prov(kb, "onset_site", "primary_nvc")
    assert "conte2015" in p.sources and any("1.3–17%" in q for q in p.support)
    assert "1.3–17%" in kb.red_flags["lower_face_onset"].message
    assert "conte2015" in kb.red_flags["lower_face_onset"].sources


def test_toxin_statements_cite_the_indian_study_and_the_delayed_cure_key(kb: KnowledgeBase) -> None:
    for cid in ("nerve_injury", "post_paralytic_hfs"):
        options = kb.conditions[cid].treatment.options
        secondary = [o for o in options if "Secondary HFS" in o.text]
        assert secondary and all(o.sources == ("indian_bont",) for o in secondary)
    assert "ishikawa_delayed" not in kb.references and "jnsb2022_delayed" in kb.references


def test_primary_care_priors_are_labelled_placeholders_and_keep_the_tumour_rate(
    kb: KnowledgeBase,
) -> None:
    setting = kb.settings["primary_care"]
    assert "placeholder" in setting.label.lower()
    assert all("Placeholder" in (p.estimate or "") for p in setting.provenance.values())
    hfs = sum(setting.priors[c] for c in HFS_CAUSES)
    share = setting.priors["structural_lesion"] / hfs
    referral = kb.settings["referral_clinic"]
    referral_share = referral.priors["structural_lesion"] / sum(
        referral.priors[c] for c in HFS_CAUSES
    )
    assert 0.0044 <= share <= 0.01  # tumour 0.44–0.54% (≤1%) of HFS
    assert share == pytest.approx(referral_share, rel=0.05)


def test_sex_ratio_is_the_published_one_not_three_to_one(kb: KnowledgeBase) -> None:
    women = kb.findings["sex"].likelihoods["primary_nvc"].probabilities["female"]
    assert 1.6 <= women / (1 - women) <= 2.0


def test_ancestry_says_asian_in_one_us_city(kb: KnowledgeBase) -> None:
    finding = kb.findings["east_asian_ancestry"]
    assert "Asian" in finding.label and "Houston" in (finding.comment or "")


def test_new_findings_have_provenance(kb: KnowledgeBase) -> None:
    added = (
        "eye_deviation_with_spasm",
        "multifocal_movements",
        "facial_contracture",
        "mastoid_bruit",
        "parotid_mass",
        "known_tumour_or_head_radiotherapy",
        "known_epilepsy",
        "back_injury_history",
    )
    for fid in added:
        for lk in kb.findings[fid].likelihoods.values():
            p = lk.provenance
            assert p.estimate or (p.support and p.sources), fid


def test_back_injury_is_asked_and_weighs_only_towards_a_functional_cause(
    kb: KnowledgeBase,
) -> None:
    finding = kb.findings["back_injury_history"]
    assert "back" in finding.question and "back" in finding.label.lower()
    functional = p_yes(kb, "back_injury_history", "functional_spasm")
    others = {p_yes(kb, "back_injury_history", c) for c in kb.conditions if c != "functional_spasm"}
    assert len(others) == 1 and functional > others.pop()


# --- the population ---------------------------------------------------------------------------


def test_population_keeps_the_odds_ratio_and_houston_gives_the_base(kb: KnowledgeBase) -> None:
    same = for_population(kb, HOUSTON_SHARE)
    for cid in kb.conditions:
        assert p_yes(same, "east_asian_ancestry", cid) == pytest.approx(
            p_yes(kb, "east_asian_ancestry", cid)
        )
    clinic = for_population(kb, 0.4)
    assert p_yes(clinic, "east_asian_ancestry", "blepharospasm") == pytest.approx(0.4)
    ratio = odds(p_yes(clinic, "east_asian_ancestry", "primary_nvc")) / odds(0.4)
    assert ratio == pytest.approx(odds(0.1061) / odds(HOUSTON_SHARE))
    assert clinic.content_hash != kb.content_hash and len(clinic.content_hash) == 16


def test_population_changes_the_weight_of_ancestry_in_an_assessment(kb: KnowledgeBase) -> None:
    case = parse_case(kb, {"east_asian_ancestry": "yes"}, "referral_clinic")
    houston = assess(kb, case).explanations["primary_nvc"][0]
    asian_city = assess(for_population(kb, 0.6), case).explanations["primary_nvc"][0]
    assert houston.likelihood_ratio > asian_city.likelihood_ratio > 1


def test_population_share_outside_zero_one_is_a_clear_error(kb: KnowledgeBase) -> None:
    with pytest.raises(InputError, match="strictly between 0 and 1"):
        for_population(kb, 1.5)
