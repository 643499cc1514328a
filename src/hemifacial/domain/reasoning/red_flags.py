"""Red flags: findings that call for action whatever the ranking says.

Kept apart from the probabilities on purpose — a rare but dangerous cause can sit low in
the ranking and still need an MRI this week.
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
        return f"{case.numbers[criterion.finding]:g}"
    return case.values[criterion.finding]


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
                RedFlag(rule.id, rule.level, rule.message, rule.action, triggered, rule.sources)
            )
    return tuple(sorted(raised, key=lambda f: f.level != "urgent"))
