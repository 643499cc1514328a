"""Issue 10 §4: once MS is known, the MS work-up (CSF bands, McDonald criteria) is not proposed."""

from __future__ import annotations

from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.next_test import plan_tests

NEW_RIPPLING = {"contraction_pattern": "rippling", "acute_onset": "yes"}


def test_known_ms_means_no_csf_work_up(kb: KnowledgeBase) -> None:
    plan = plan_tests(kb, {**NEW_RIPPLING, "known_ms": "yes"}, "referral_clinic")
    proposed = [t.test_id for t in plan.ranked]
    assert "ms_workup" not in proposed
    assert ("ms_workup", "known ms already established") in plan.superseded


def test_without_known_ms_the_work_up_can_still_be_proposed(kb: KnowledgeBase) -> None:
    plan = plan_tests(kb, {**NEW_RIPPLING, "known_ms": "no"}, "referral_clinic")
    assert not any(s[0] == "ms_workup" for s in plan.superseded)
