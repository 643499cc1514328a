"""Issue 10 §3, second round: time, course and the other facts clinicians write — each keyed,
weighed as its reasoning says, and not counted twice with the finding it depends on."""

from __future__ import annotations

import math

import pytest

from hemifacial.domain.case import parse_case
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.evidence import log_evidence
from hemifacial.domain.reasoning.posterior import posterior
from hemifacial.services import forms

KB = load_knowledge_base()
IDS = KB.condition_ids
NEW = ("symptom_duration", "remission_and_return", "painful_spasms", "palsy_other_side",
       "dopamine_blocker_recent", "mri_pontine_lesion")  # fmt: skip


def _lr(values: dict[str, str], a: str, b: str) -> float:
    le = log_evidence(KB, values)
    return math.exp(le[IDS.index(a)] - le[IDS.index(b)])


@pytest.mark.parametrize(
    ("months", "value"),
    [(0, "under_1_month"), (0.5, "under_1_month"), (1, "1_to_11_months"), (11.9, "1_to_11_months"),
     (12, "1_year_or_more"), (240, "1_year_or_more")],
)  # fmt: skip
def test_duration_in_months_falls_in_its_bin(months: float, value: str) -> None:
    case = parse_case(KB, {"symptom_duration": months}, "referral_clinic")
    assert case.values["symptom_duration"] == value


def test_a_few_weeks_favour_lid_myokymia_and_years_favour_primary_hfs() -> None:
    weeks = _lr({"symptom_duration": "under_1_month"}, "eyelid_myokymia", "primary_nvc")
    years = _lr({"symptom_duration": "1_year_or_more"}, "eyelid_myokymia", "primary_nvc")
    assert weeks > 10 and years < 0.25


def test_a_waxing_course_favours_tics_over_primary_hfs() -> None:
    assert _lr({"remission_and_return": "yes"}, "facial_tic", "primary_nvc") > 10


def test_painful_spasms_favour_hemimasticatory_spasm() -> None:
    assert _lr({"painful_spasms": "yes"}, "hemimasticatory_spasm", "primary_nvc") == (
        pytest.approx(0.5 / 0.05)
    )


def test_trigeminal_pain_is_not_counted_again_as_painful_spasms() -> None:
    """Given tic convulsif pain, 'painful spasms' adds less for a vascular cause than alone."""
    alone = _lr({"painful_spasms": "yes"}, "vascular_anomaly", "primary_nvc")
    pair = _lr({"painful_spasms": "yes", "trigeminal_neuralgia": "yes"}, "vascular_anomaly",
               "primary_nvc")  # fmt: skip
    tn = _lr({"trigeminal_neuralgia": "yes"}, "vascular_anomaly", "primary_nvc")
    assert pair / tn < alone


def test_the_pontine_site_separates_ms_spasm_from_a_coincidental_primary_hfs() -> None:
    """Known MS with lesions on MRI: lesions no longer separate MS spasm from primary HFS; the
    plaque at the facial nucleus does (75% vs 10% given lesions), and its absence argues
    against MS spasm."""
    base = {"known_ms": "yes", "mri_demyelination": "yes"}
    before = _lr(base, "demyelination", "primary_nvc")
    at_site = _lr({**base, "mri_pontine_lesion": "yes"}, "demyelination", "primary_nvc")
    no_site = _lr({**base, "mri_pontine_lesion": "no"}, "demyelination", "primary_nvc")
    assert at_site / before == pytest.approx(0.75 / 0.1)
    assert no_site / before == pytest.approx(0.25 / 0.9)


def test_the_pontine_lesion_alone_keeps_its_marginal() -> None:
    lr = _lr({"mri_pontine_lesion": "yes"}, "demyelination", "primary_nvc")
    assert lr == pytest.approx(0.7 / 0.01)


def test_a_palsy_on_the_other_side_is_recorded_but_weighs_nothing() -> None:
    empty = posterior(KB, {}, "referral_clinic")
    other = posterior(KB, {"palsy_other_side": "yes"}, "referral_clinic")
    assert other == pytest.approx(empty)
    assert not KB.findings["palsy_other_side"].informative


def test_a_recent_dopamine_blocker_raises_tardive_syndromes_less_without_long_use() -> None:
    stopped = _lr({"dopamine_blocker_recent": "yes"}, "tardive_oromandibular", "primary_nvc")
    short_only = _lr({"dopamine_blocker_recent": "yes", "dopamine_blocker_use": "no"},
                     "tardive_oromandibular", "primary_nvc")  # fmt: skip
    assert stopped > 10 and 1 < short_only < 3


def test_the_mri_reveals_the_pontine_site() -> None:
    assert "mri_pontine_lesion" in KB.tests["mri_protocol"].reveals


@pytest.mark.parametrize("fid", [f for f in NEW if f != "mri_pontine_lesion"])
def test_each_history_finding_has_both_wordings_and_a_place_on_the_form(
    kb: KnowledgeBase, fid: str
) -> None:
    finding = kb.findings[fid]
    assert finding.label and finding.question  # the clinician's wording
    assert fid in forms.words()["findings"]  # the patient's wording
    placed = {f.key for s in forms.sections(kb) if s.id != "more" for f in s.fields}
    assert fid in placed
