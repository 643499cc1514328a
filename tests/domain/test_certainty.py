"""Graded certainty of findings (soft evidence): spelling, meaning and display."""

from __future__ import annotations

import numpy as np
import pytest

from hemifacial.domain.case import parse_case
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.assess import assess
from hemifacial.domain.reasoning.posterior import log_posterior, posterior
from hemifacial.domain.reasoning.workup import answer, case_of, start
from hemifacial.domain.types import Uncertain
from hemifacial.errors import InvalidValueError

BASE = {"side": "left", "onset_site": "eyelid", "age_at_onset": 55}


def test_case_file_spelling_and_typed_value_agree(kb: KnowledgeBase) -> None:
    a = parse_case(kb, {**BASE, "mri_mass_lesion": {"value": "yes", "certainty": 0.6}})
    b = parse_case(kb, {**BASE, "mri_mass_lesion": Uncertain("yes", 0.6)})
    assert a == b
    assert a.values["mri_mass_lesion"] == "yes"
    assert a.certainty == {"mri_mass_lesion": 0.6}
    assert a.raw()["mri_mass_lesion"] == {"value": "yes", "certainty": 0.6}


def test_certainty_words(kb: KnowledgeBase) -> None:
    case = parse_case(kb, {"mri_mass_lesion": {"value": "yes", "certainty": "Suspected"}})
    assert case.certainty["mri_mass_lesion"] == 0.6
    sure = parse_case(kb, {"mri_mass_lesion": {"value": "yes", "certainty": "definite"}})
    assert sure.certainty == {}


@pytest.mark.parametrize("bad", [0, -0.1, 1.5, "maybe", True, float("nan"), [0.5]])
def test_bad_certainty_is_a_clear_error(kb: KnowledgeBase, bad: object) -> None:
    with pytest.raises(InvalidValueError, match="certainty"):
        parse_case(kb, {"mri_mass_lesion": {"value": "yes", "certainty": bad}})


def test_unknown_keys_in_an_uncertain_value_are_rejected(kb: KnowledgeBase) -> None:
    with pytest.raises(InvalidValueError, match=r"value: \.\.\., certainty"):
        parse_case(kb, {"mri_mass_lesion": {"value": "yes", "confidence": 0.5}})


def test_certainty_one_is_exactly_hard_evidence(kb: KnowledgeBase) -> None:
    hard = parse_case(kb, {**BASE, "mri_mass_lesion": "yes", "sex": "female"})
    soft = parse_case(
        kb, {**BASE, "mri_mass_lesion": {"value": "yes", "certainty": 1.0}, "sex": "female"}
    )
    assert soft == hard
    a = log_posterior(kb, hard.values, hard.setting, hard.certainty)
    b = log_posterior(kb, hard.values, hard.setting)
    assert np.array_equal(a, b)


def test_small_certainty_approaches_no_evidence(kb: KnowledgeBase) -> None:
    case = parse_case(kb, {**BASE, "mri_mass_lesion": {"value": "yes", "certainty": 1e-9}})
    near = posterior(kb, case.values, case.setting, case.certainty)
    without = posterior(kb, parse_case(kb, BASE).values, "referral_clinic")
    assert near["structural_lesion"] == pytest.approx(without["structural_lesion"], rel=1e-6)


def test_a_report_with_certainty_s_has_a_likelihood_ratio_of_at_most_one_over_one_minus_s(
    kb: KnowledgeBase,
) -> None:
    """Virtual evidence: the report is 1/(1 - s) times likelier when the value is true."""
    for sure in (0.3, 0.6, 0.9):
        case = parse_case(kb, {"mri_mass_lesion": {"value": "yes", "certainty": sure}})
        odds = np.exp(log_posterior(kb, case.values, case.setting, case.certainty))
        prior = np.exp(kb.log_prior(case.setting))
        ratio = odds / prior
        assert ratio.max() / ratio.min() <= 1 / (1 - sure) + 1e-9
        assert ratio.max() / ratio.min() > 0.9 / (1 - sure)


def test_posterior_grows_with_certainty(kb: KnowledgeBase) -> None:
    shown = []
    for sure in (0.2, 0.4, 0.6, 0.8, 1.0):
        case = parse_case(kb, {**BASE, "mri_mass_lesion": {"value": "yes", "certainty": sure}})
        shown.append(posterior(kb, case.values, case.setting, case.certainty)["structural_lesion"])
    assert shown == sorted(shown) and shown[0] < shown[-1] / 5


def test_a_suspected_mass_still_raises_the_red_flag_and_shows_its_certainty(
    kb: KnowledgeBase,
) -> None:
    case = parse_case(kb, {**BASE, "mri_mass_lesion": {"value": "yes", "certainty": 0.6}})
    result = assess(kb, case)
    flag = next(f for f in result.red_flags if f.id == "lesion_on_imaging")
    assert ("mri_mass_lesion", "yes (certainty 60%)") in flag.triggered_by
    leading = result.explanations[result.leading.condition_id]
    contribution = next(c for c in leading if c.finding_id == "mri_mass_lesion")
    assert contribution.certainty == 0.6
    assert "(certainty 60%)" in contribution.sentence()
    assert result.to_dict()["certainty"] == {"mri_mass_lesion": 0.6}


def test_an_uncertain_side_implies_laterality_with_the_same_certainty(kb: KnowledgeBase) -> None:
    case = parse_case(kb, {"side": {"value": "left", "certainty": 0.7}})
    assert case.values["laterality"] == "unilateral"
    assert case.certainty["laterality"] == 0.7


def test_uncertain_findings_do_not_count_as_contradictions(kb: KnowledgeBase) -> None:
    case = parse_case(
        kb, {"side": "left", "laterality": {"value": "bilateral_synchronous", "certainty": 0.3}}
    )
    assert case.certainty == {"laterality": 0.3}


def test_workup_keeps_a_graded_answer(kb: KnowledgeBase) -> None:
    state = answer(kb, start(kb), "sensory_trick", {"value": "yes", "certainty": "possible"})
    assert state.answers["sensory_trick"] == {"value": "yes", "certainty": 0.4}
    assert case_of(kb, state).certainty == {"sensory_trick": 0.4}
