"""The cases whose next-test plans were frozen before the ranking was made faster.

``tests/domain/data/next_test_plans.json`` holds :func:`plan_record` of ``plan_tests`` for
every vignette of the three sets (with the urgent tests their red flags call for) and for
random cases from a fixed seed (some with graded certainty or urgent tests), computed by
the pre-optimisation implementation (commit a8d40a2), then regenerated after three intended
changes (see ``test_next_test_frozen.py``, which checks that the current one gives the same
plans). Regenerate only when a change of results is
intended: ``python -m tests.domain.next_test_cases``.
"""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from benchmarks.engine_accuracy import SETS
from hemifacial.cli.casefile import load_case_file
from hemifacial.domain.case import parse_case
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.next_test import TestPlan
from hemifacial.domain.reasoning.red_flags import red_flags, urgent_tests

FIXTURE = Path(__file__).parent / "data" / "next_test_plans.json"
SEED = 20261204
RANDOM_CASES = 300


@dataclasses.dataclass(frozen=True)
class FrozenCase:
    name: str
    values: Mapping[str, str]
    setting: str
    certainty: Mapping[str, float]
    urgent: tuple[str, ...]


def frozen_cases(kb: KnowledgeBase) -> Iterator[FrozenCase]:
    for set_name, folder in sorted(SETS.items()):
        for path in sorted(folder.glob("*.yaml")):
            doc = load_case_file(path)
            case = parse_case(kb, doc.findings, doc.setting)
            urgent = tuple(urgent_tests(red_flags(kb, case)))
            yield FrozenCase(
                f"{set_name}/{path.stem}",
                dict(case.values),
                case.setting,
                dict(case.certainty),
                urgent,
            )
    rng = random.Random(SEED)
    findings = sorted(kb.findings)
    settings = sorted(kb.settings)
    tests = sorted(kb.tests)
    for i in range(RANDOM_CASES):
        size = rng.choice([0, 1, 2, 3, 5, 8, 12, 20, 30])
        keys = rng.sample(findings, size)
        values = {k: rng.choice(list(kb.findings[k].values)) for k in keys}
        certainty = {}
        if keys and rng.random() < 0.2:
            for k in rng.sample(keys, max(1, len(keys) // 3)):
                certainty[k] = rng.choice([0.3, 0.6, 0.9])
        urgent: tuple[str, ...] = ()
        if rng.random() < 0.25:
            urgent = tuple(rng.sample(tests, rng.choice([1, 2])))
        yield FrozenCase(f"random/{i}", values, rng.choice(settings), certainty, urgent)


def plan_record(plan: TestPlan) -> dict[str, Any]:
    """Everything a plan says, in JSON (tuples as lists)."""
    record: dict[str, Any] = json.loads(json.dumps(dataclasses.asdict(plan)))
    return record


def main() -> None:
    from hemifacial.domain.knowledge.loader import load_knowledge_base
    from hemifacial.domain.reasoning.next_test import plan_tests

    kb = load_knowledge_base()
    out = []
    for c in frozen_cases(kb):
        plan = plan_tests(kb, c.values, c.setting, c.certainty or None, c.urgent)
        out.append({"name": c.name, "kb_hash": kb.content_hash, "plan": plan_record(plan)})
    FIXTURE.write_text(json.dumps(out, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"{len(out)} plans written to {FIXTURE}")


if __name__ == "__main__":
    main()
