"""Red flags: findings that call for action whatever the ranking says.

Kept apart from the probabilities on purpose — a rare but dangerous cause can sit low in
the ranking and still need an MRI this week. A finding reported with graded certainty
("suspected mass") still raises its flag — safety first — and the trigger shows how sure
the report was.
"""

from __future__ import annotations

from dataclasses import dataclass

from hemifacial.domain.knowledge.model import Criterion, KnowledgeBase
from hemifacial.domain.types import Case


@dataclass(frozen=True)
class RedFlag:
    id: str
    level: str
    message: str
    action: str
    triggered_by: tuple[tuple[str, str], ...]
    sources: tuple[str, ...]
    first_test: str | None = None  # the test an urgent flag puts first (red_flags.yaml)
    then_tests: tuple[str, ...] = ()  # the further tests its action calls urgent, in order


def _holds(criterion: Criterion, case: Case) -> bool:
    if criterion.equals is not None:
        return case.values.get(criterion.finding) == criterion.equals
    number = case.numbers.get(criterion.finding)
    if number is None:
        return False
    if criterion.below is not None and not number < criterion.below:
        return False
    return criterion.at_least is None or number >= criterion.at_least


def _shown(criterion: Criterion, case: Case) -> str:
    if criterion.finding in case.numbers:
        shown = f"{case.numbers[criterion.finding]:g}"
    else:
        shown = case.values[criterion.finding]
    sure = case.certainty.get(criterion.finding)
    return shown if sure is None else f"{shown} (certainty {sure:.0%})"


def urgent_tests(flags: tuple[RedFlag, ...]) -> tuple[str, ...]:
    """The tests the raised urgent flags call for: every flag's ``first_test`` in flag order,
    then their ``then_tests``, without repeats — the order the work-up proposes them in.
    Flags without one act without a test of the base (treating hyperglycaemia) or report a
    test already done (a lesion on imaging)."""
    urgent = [f for f in flags if f.level == "urgent"]
    wanted = [f.first_test for f in urgent] + [t for f in urgent for t in f.then_tests]
    return tuple(dict.fromkeys(t for t in wanted if t))


def red_flags(kb: KnowledgeBase, case: Case) -> tuple[RedFlag, ...]:
    """Every red flag the case raises, urgent ones first."""
    raised = []
    for rule in kb.red_flags.values():
        matched = [alt for alt in rule.alternatives if alt and all(_holds(c, case) for c in alt)]
        if matched:
            triggered = tuple(
                dict.fromkeys((c.finding, _shown(c, case)) for alt in matched for c in alt)
            )
            raised.append(
                RedFlag(
                    rule.id,
                    rule.level,
                    rule.message,
                    rule.action,
                    triggered,
                    rule.sources,
                    rule.first_test,
                    rule.then_tests,
                )
            )
    return tuple(sorted(_unexplained(kb, raised), key=lambda f: f.level != "urgent"))


def _unexplained(kb: KnowledgeBase, raised: list[RedFlag]) -> list[RedFlag]:
    """Drop a flag another raised flag rules out (its ``supersedes``), then one a remaining
    raised flag accounts for (its ``explains``: weakness after a Bell's palsy on that side is
    the palsy's residue, so the structural-signs flag is not shown for the weakness alone)."""
    ids = {f.id for f in raised}
    ruled_out = {other for fid in ids for other in kb.red_flags[fid].supersedes}
    kept = [f for f in raised if f.id not in ruled_out]
    explained = [pair for f in kept for pair in kb.red_flags[f.id].explains]
    return [
        f
        for f in kept
        if not any(
            f.id == other and {x for x, _ in f.triggered_by} <= only for other, only in explained
        )
    ]
