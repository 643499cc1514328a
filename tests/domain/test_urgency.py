"""Red-flag-driven urgency (issue 10 §4): an urgent flag's test comes first, whatever its
information value, and the flag for a new movement in known MS is what puts the MRI there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hemifacial.domain.case import parse_case
from hemifacial.domain.knowledge.model import Criterion, KnowledgeBase
from hemifacial.domain.reasoning.assess import assess
from hemifacial.domain.reasoning.next_test import plan_tests
from tests.domain.kb_edits import edit, problems

NEW_RIPPLING_IN_MS = {"known_ms": "yes", "contraction_pattern": "rippling", "acute_onset": "yes"}


def _value(c: Criterion) -> Any:
    if c.equals is not None:
        return c.equals
    return c.below - 1 if c.below is not None else c.at_least


def test_known_ms_with_a_new_rippling_movement_images_before_emg(kb: KnowledgeBase) -> None:
    a = assess(kb, parse_case(kb, NEW_RIPPLING_IN_MS, "referral_clinic"))
    assert "new_movement_in_known_ms" in {f.id for f in a.red_flags}
    tests = [t.test_id for t in a.tests.ranked]
    assert tests[0] == "mri_protocol" and a.tests.ranked[0].urgent
    assert tests.index("mri_protocol") < tests.index("emg")


def test_urgency_not_the_score_puts_the_mri_first(kb: KnowledgeBase) -> None:
    """Information per cost alone ranks the history and the video above the MRI (with MS
    known, the MRI's lesion is expected under both leading conditions and danger is ~97%
    already, so it carries little information); the urgent flag overrides the score."""
    quiet = plan_tests(kb, NEW_RIPPLING_IN_MS, "referral_clinic", urgent=())
    scores = {t.test_id: t.score for t in quiet.ranked}
    assert quiet.ranked[0].test_id != "mri_protocol"
    assert max(scores.values()) > scores["mri_protocol"]
    loud = plan_tests(kb, NEW_RIPPLING_IN_MS, "referral_clinic", urgent=("mri_protocol",))
    assert loud.ranked[0].test_id == "mri_protocol"
    assert loud.ranked[0].score == pytest.approx(scores["mri_protocol"])


def test_the_pontine_site_makes_the_mri_informative_in_known_ms(kb: KnowledgeBase) -> None:
    """Once MS is known, lesions on MRI no longer separate MS spasm from a coincidental cause;
    their site at the facial nucleus does (issue 10 §3, mri_pontine_lesion)."""
    case = {**NEW_RIPPLING_IN_MS, "contraction_pattern": "clonic", "spread_to_lower_face": "yes",
            "mri_demyelination": "yes"}  # fmt: skip
    plan = plan_tests(kb, case, "referral_clinic", urgent=())
    mri = next(t for t in plan.ranked if t.test_id == "mri_protocol")
    assert "mri_pontine_lesion" in mri.pending_findings


def test_an_eyelid_twitch_in_known_ms_that_neither_ripples_nor_spreads_is_not_urgent(
    kb: KnowledgeBase,
) -> None:
    case = {"known_ms": "yes", "acute_onset": "yes", "onset_site": "eyelid",
            "spread_to_lower_face": "no", "contraction_pattern": "clonic"}  # fmt: skip
    a = assess(kb, parse_case(kb, case, "referral_clinic"))
    assert "new_movement_in_known_ms" not in {f.id for f in a.red_flags}


def test_every_urgent_flag_puts_its_first_test_first(kb: KnowledgeBase) -> None:
    """For each alternative of each urgent rule with a first test, the case made of exactly
    that alternative raises the flag and ranks the test first, marked urgent."""
    checked = 0
    for rule in kb.red_flags.values():
        if rule.level != "urgent" or rule.first_test is None:
            continue
        for alternative in rule.alternatives:
            findings = {c.finding: _value(c) for c in alternative}
            a = assess(kb, parse_case(kb, findings, "referral_clinic"))
            assert rule.id in {f.id for f in a.red_flags}, (rule.id, findings)
            first = a.tests.ranked[0]
            assert (first.test_id, first.urgent) == (rule.first_test, True), (rule.id, findings)
            checked += 1
    assert checked >= 8


def test_a_contraindicated_urgent_test_passes_its_urgency_to_the_alternative(
    kb: KnowledgeBase,
) -> None:
    a = assess(kb, parse_case(kb, {**NEW_RIPPLING_IN_MS, "mri_contraindicated": "yes"},
                              "referral_clinic"))  # fmt: skip
    assert (a.tests.ranked[0].test_id, a.tests.ranked[0].urgent) == ("ct_contrast", True)


def test_an_urgent_test_is_kept_when_its_result_carries_little_information(
    kb: KnowledgeBase,
) -> None:
    """Known MS with new rippling: an EEG tells almost nothing and is not proposed on its
    information; called for as urgent it is proposed, first."""
    values = {**NEW_RIPPLING_IN_MS, "mri_mass_lesion": "no", "mri_vascular_anomaly": "no",
              "mri_nvc_rez": "no"}  # fmt: skip
    quiet = plan_tests(kb, values, "referral_clinic", urgent=())
    assert "eeg" not in {t.test_id for t in quiet.ranked}  # below the floor on its own
    loud = plan_tests(kb, values, "referral_clinic", urgent=("eeg",))
    assert (loud.ranked[0].test_id, loud.ranked[0].urgent) == ("eeg", True)
    assert loud.ranked[0].pending_findings == ("eeg_epileptiform",)


def test_status_line_counts_the_leading_condition_when_it_is_must_not_miss(
    kb: KnowledgeBase,
) -> None:
    a = assess(kb, parse_case(kb, NEW_RIPPLING_IN_MS, "referral_clinic"))
    assert a.leading.must_not_miss
    together = sum(r.probability for r in a.ranking if r.must_not_miss)
    assert together > a.leading.probability
    assert f"must-not-miss causes together {round(together * 100)}%" in a.tests.stop_reason
    assert "(the leading one included)" in a.tests.stop_reason


def test_status_line_says_nothing_of_inclusion_when_the_leader_is_benign(
    kb: KnowledgeBase,
) -> None:
    a = assess(kb, parse_case(kb, {"onset_site": "eyelid", "spread_to_lower_face": "yes"},
                              "referral_clinic"))  # fmt: skip
    assert not a.leading.must_not_miss
    assert "included" not in a.tests.stop_reason


def test_loader_rejects_an_unknown_first_test(data_copy: Path) -> None:
    edit(data_copy, "red_flags.yaml", lambda d: d["structural_signs"].update(first_test="x"))
    assert "unknown first_test 'x'" in problems(data_copy)


def test_loader_rejects_a_first_test_on_a_soon_flag(data_copy: Path) -> None:
    edit(data_copy, "red_flags.yaml",
         lambda d: d["tonic_only"].update(first_test="mri_protocol"))  # fmt: skip
    assert "only an urgent flag names a first_test" in problems(data_copy)


@pytest.mark.parametrize("rule", ["lesion_on_imaging", "hyperglycaemia"])
def test_flags_that_act_without_a_test_name_none(kb: KnowledgeBase, rule: str) -> None:
    assert kb.red_flags[rule].first_test is None


def test_once_glucose_is_known_rhythmic_jerks_put_the_video_eeg_first(kb: KnowledgeBase) -> None:
    """The seizure flag's action is same-day glucose *and* video-EEG. With the glucose done
    (here very high), the EEG was ranked behind the EMG; it is the next urgent test."""
    for glucose in (20, 5.5):
        a = assess(kb, parse_case(kb, {"contraction_pattern": "rhythmic",
                                       "blood_glucose": glucose}, "referral_clinic"))  # fmt: skip
        tests = [t.test_id for t in a.tests.ranked]
        assert (tests[0], a.tests.ranked[0].urgent) == ("eeg", True), glucose
        assert tests.index("eeg") < tests.index("emg")


def test_every_flags_first_test_comes_before_any_flags_further_tests(kb: KnowledgeBase) -> None:
    """Rhythmic jerks and other neurological symptoms: glucose (first of the seizure flag),
    the MRI (first of the other flag), then the video-EEG."""
    case = {"contraction_pattern": "rhythmic", "other_neuro_symptoms": "yes"}
    a = assess(kb, parse_case(kb, case, "referral_clinic"))
    urgent = [t.test_id for t in a.tests.ranked if t.urgent]
    assert urgent == ["blood_glucose_test", "mri_protocol", "eeg"]
    assert kb.red_flags["limb_or_awareness"].then_tests == ("eeg",)


def test_loader_rejects_an_unknown_then_test(data_copy: Path) -> None:
    edit(data_copy, "red_flags.yaml",
         lambda d: d["limb_or_awareness"].update(then_tests=["x"]))  # fmt: skip
    assert "unknown then_test 'x'" in problems(data_copy)


def test_loader_rejects_then_tests_without_a_first_test(data_copy: Path) -> None:
    edit(data_copy, "red_flags.yaml",
         lambda d: d["hyperglycaemia"].update(level="urgent", then_tests=["eeg"]))  # fmt: skip
    assert "then_tests need a first_test" in problems(data_copy)


@pytest.mark.parametrize(
    ("change", "message"),
    [({"supersedes": ["no_such_flag"]}, "unknown red flag 'no_such_flag'"),
     ({"explains": {"no_such_flag": ["facial_weakness"]}}, "unknown red flag 'no_such_flag'"),
     ({"explains": {"structural_signs": ["no_such_finding"]}},
      "explains an unknown finding 'no_such_finding'"),
     ({"supersedes": ["central_weakness"]}, "explains or supersedes itself")],
)  # fmt: skip
def test_loader_rejects_a_relation_to_an_unknown_flag_or_finding(
    data_copy: Path, change: dict[str, object], message: str
) -> None:
    """A flag's ``explains``/``supersedes`` name flags by id: a renamed flag must fail the
    load, not silently stop hiding the flag it stood in for."""
    edit(data_copy, "red_flags.yaml", lambda d: d["central_weakness"].update(change))
    assert message in problems(data_copy)
