"""Parsing findings as people write them, and refusing what cannot be right."""

from __future__ import annotations

import pytest

from hemifacial.domain.case import case_problems, parse_case
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.errors import ContradictionError, InvalidValueError, UnknownKeyError


def test_values_are_normalised(kb: KnowledgeBase) -> None:
    case = parse_case(
        kb,
        {
            "facial_weakness": True,
            "hearing_loss": "No",
            "onset_site": "Lower face",
            "sex": "FEMALE",
        },
    )
    assert case.values == {
        "facial_weakness": "yes",
        "hearing_loss": "no",
        "onset_site": "lower_face",
        "sex": "female",
    }


def test_numbers_are_binned_and_kept(kb: KnowledgeBase) -> None:
    case = parse_case(kb, {"age_at_onset": "29", "blood_glucose": 19.4})
    assert case.values["age_at_onset"] == "under_30"
    assert case.values["blood_glucose"] == "very_high"
    assert case.numbers == {"age_at_onset": 29.0, "blood_glucose": 19.4}


@pytest.mark.parametrize("unknown", [None, "unknown", "", "?"])
def test_unknown_answers_are_unobserved(kb: KnowledgeBase, unknown: object) -> None:
    assert "facial_weakness" not in parse_case(kb, {"facial_weakness": unknown}).values


def test_side_implies_laterality(kb: KnowledgeBase) -> None:
    one = parse_case(kb, {"side": "left"})
    both = parse_case(kb, {"side": "both"})
    assert one.values["laterality"] == "unilateral" and one.implied == {"laterality"}
    assert both.values["laterality"] == "bilateral"
    assert one.raw() == {"side": "left"}


def test_unknown_key_names_the_nearest(kb: KnowledgeBase) -> None:
    with pytest.raises(UnknownKeyError, match="did you mean 'facial_weakness'"):
        parse_case(kb, {"facial_weaknes": "yes"})


def test_wrong_category_lists_the_allowed_values(kb: KnowledgeBase) -> None:
    with pytest.raises(InvalidValueError, match=r"left, right, both.*did you mean 'left'"):
        parse_case(kb, {"side": "lefft"})


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("age_at_onset", "forty", "must be a number in years"),
        ("age_at_onset", 130, "between 0 and 110 years"),
        ("age_at_onset", True, "must be a number"),
        ("age_at_onset", float("nan"), "finite"),
        ("facial_weakness", "sometimes", "yes, no or unknown"),
        ("sex", 1, "must be one of female, male"),
    ],
)
def test_wrong_types_are_refused(kb: KnowledgeBase, key: str, value: object, message: str) -> None:
    with pytest.raises(InvalidValueError, match=message):
        parse_case(kb, {key: value})


@pytest.mark.parametrize(
    "findings",
    [
        {"side": "left", "laterality": "bilateral_synchronous"},
        {"side": "right", "laterality": "bilateral_asynchronous"},
        {"side": "both", "laterality": "unilateral"},
        {"only_with_voluntary_movement": "yes", "present_in_sleep": "yes"},
        # lower face involved "at onset or by spread" (issue 10 §2): the two say one fact
        {"onset_site": "lower_face", "spread_to_lower_face": "no"},
        {"onset_site": "whole_side", "spread_to_lower_face": "no"},
    ],
)
def test_contradictions_are_refused(kb: KnowledgeBase, findings: dict[str, str]) -> None:
    with pytest.raises(ContradictionError):
        parse_case(kb, findings)


def test_unknown_setting(kb: KnowledgeBase) -> None:
    with pytest.raises(UnknownKeyError, match="did you mean 'primary_care'"):
        parse_case(kb, {}, "primary-care")


def test_an_eyelid_onset_may_stay_in_the_lid(kb: KnowledgeBase) -> None:
    case = parse_case(kb, {"onset_site": "eyelid", "spread_to_lower_face": "no"})
    assert case.values["spread_to_lower_face"] == "no"


def test_an_uncertain_onset_site_is_not_held_against_a_certain_spread(kb: KnowledgeBase) -> None:
    """Graded certainty is weighed, not checked: a 'possible' whole-side onset may be wrong."""
    case = parse_case(
        kb,
        {"onset_site": {"value": "whole_side", "certainty": 0.5}, "spread_to_lower_face": "no"},
    )
    assert case.values["onset_site"] == "whole_side"


def test_every_problem_of_a_case_is_named_at_once(kb: KnowledgeBase) -> None:
    raw = {"side": "right side", "hearing_los": "yes", "onset_site": "eye", "sex": "male"}
    problems = case_problems(kb, raw)
    assert len(problems) == 3
    assert "did you mean 'right'" in problems[0]
    assert "unknown finding 'hearing_los'" in problems[1]
    assert "did you mean 'eyelid'" in problems[2]
    # a contradiction between valid answers is found once each answer is valid
    both = case_problems(kb, {"side": "left", "laterality": "bilateral_synchronous"})
    assert len(both) == 1 and "side" in both[0]
    assert case_problems(kb, {"side": "left"}) == ()
    # a bad setting is one problem, not one per finding
    assert len(case_problems(kb, {"side": "left", "sex": "male"}, "clinic")) == 1
