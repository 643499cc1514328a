"""The next-test ranking gives the plans frozen before it was made faster (issue: ranking
< 20 ms): same tests in the same order, same scores, bits, pending findings, key outcomes,
exclusions and stopping rule, floats to 1e-9 relative. See ``next_test_cases.py``.

Since tests done in part are set apart (``TestPlan.to_complete``), a frozen ranking is the
new ranking with those tests put back in their old places, with the same numbers."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.next_test import plan_tests
from tests.domain.next_test_cases import FIXTURE, frozen_cases, plan_record

FROZEN: list[dict[str, Any]] = json.loads(FIXTURE.read_text())


def _same(new: Any, old: Any, where: str) -> None:
    """Equal, floats to 1e-9 relative (and 1e-15 absolute for values near 0)."""
    if isinstance(old, float) or isinstance(new, float):
        assert isinstance(new, int | float) and isinstance(old, int | float), where
        assert math.isclose(new, old, rel_tol=1e-9, abs_tol=1e-15), f"{where}: {new} != {old}"
    elif isinstance(old, dict):
        assert isinstance(new, dict) and set(new) == set(old), where
        for k in old:
            _same(new[k], old[k], f"{where}.{k}")
    elif isinstance(old, list):
        assert isinstance(new, list) and len(new) == len(old), f"{where}: {new} != {old}"
        for i, (n, o) in enumerate(zip(new, old, strict=True)):
            _same(n, o, f"{where}[{i}]")
    else:
        assert new == old, f"{where}: {new!r} != {old!r}"


def test_the_fixture_covers_the_vignettes_and_random_cases(kb: KnowledgeBase) -> None:
    names = [c.name for c in frozen_cases(kb)]
    assert names == [f["name"] for f in FROZEN]
    assert sum(n.startswith("random/") for n in names) >= 300
    assert {n.split("/")[0] for n in names} == {"blind", "case_reports", "original", "random"}
    assert all(f["kb_hash"] == kb.content_hash for f in FROZEN), (
        "the evidence base changed since the plans were frozen: regenerate them with "
        "python -m tests.domain.next_test_cases (and check the differences are intended)"
    )


def _sole(kb: KnowledgeBase) -> set[str]:
    """Findings one test alone reveals."""
    every = [f for t in kb.tests.values() for f in t.reveals]
    return {f for f in every if every.count(f) == 1}


def _as_before(kb: KnowledgeBase, plan: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """The plan in the frozen (pre-"done in part") form: tests done in part were ranked with
    the others, with the same numbers. Checks on the way that exactly the tests with a
    recorded finding only they reveal are apart, each with its recorded findings."""
    sole = _sole(kb)
    done = plan.pop("to_complete")
    for t in done:
        test = kb.tests[t["test_id"]]
        assert not test.asks_questions and any(f in values for f in test.reveals if f in sole)
        assert t.pop("recorded_findings") == [f for f in test.reveals if f in values]
    for t in plan["ranked"]:
        test = kb.tests[t["test_id"]]
        assert test.asks_questions or not any(f in values for f in test.reveals if f in sole)
        assert t.pop("recorded_findings") == []
    # the caller puts them back in the frozen order (urgent first, then by score)
    return {**plan, "ranked": [*plan["ranked"], *done]}


def _merged_order(frozen: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Any]:
    by_id = {t["test_id"]: t for t in new}
    return [by_id.get(t["test_id"]) for t in frozen]


def test_plans_equal_the_frozen_ones(kb: KnowledgeBase) -> None:
    apart = 0
    for case, frozen in zip(frozen_cases(kb), FROZEN, strict=True):
        plan = plan_tests(kb, case.values, case.setting, case.certainty or None, case.urgent)
        apart += len(plan.to_complete)
        record = _as_before(kb, plan_record(plan), dict(case.values))
        old = frozen["plan"]
        # the same tests, each with the same numbers; those not apart in the old order
        assert sorted(t["test_id"] for t in record["ranked"]) == sorted(
            t["test_id"] for t in old["ranked"]
        ), case.name
        record["ranked"] = _merged_order(old["ranked"], record["ranked"])
        _same(record, old, case.name)
        kept = [t.test_id for t in plan.ranked]
        assert kept == [t["test_id"] for t in old["ranked"] if t["test_id"] in kept], case.name
    assert apart >= 20  # the random cases record MRI, EMG and MS work-up findings


def test_the_comparison_can_fail(kb: KnowledgeBase) -> None:
    """A plan with one score changed by 1e-6 relative is told apart from the frozen one."""
    frozen = next(f for f in FROZEN if f["plan"]["ranked"])
    changed = json.loads(json.dumps(frozen["plan"]))
    changed["ranked"][0]["score"] *= 1 + 1e-6
    with pytest.raises(AssertionError):
        _same(changed, frozen["plan"], frozen["name"])
