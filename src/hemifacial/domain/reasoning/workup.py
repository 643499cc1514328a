"""The interactive work-up as a pure state machine.

``start`` → ``next_question`` → ``answer`` (or ``skip``) → ``next_question`` … until it
returns ``None``. The CLI, the web app and the tests all drive the same functions; the state
is an immutable value, so a web session can store it and a test can replay it.

Questions come from the history and examination, the most informative first (expected
information about the cause, with must-not-miss causes weighted as in the test ranking).
Questioning stops when no remaining question is worth ``MIN_QUESTION_VALUE`` or the cause is
clear; questions that steer the work-up without being evidence (can the patient have an
MRI?) are asked once at the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from hemifacial.domain.case import parse_case, parse_value, split_certainty
from hemifacial.domain.knowledge.model import FindingType, KnowledgeBase
from hemifacial.domain.reasoning.next_test import MIN_QUESTION_VALUE, question_values, should_stop
from hemifacial.domain.reasoning.posterior import log_posterior
from hemifacial.domain.types import Case, RawValue
from hemifacial.errors import UnknownKeyError

HISTORY_GROUPS = ("demographics", "spasm", "associated", "history")


@dataclass(frozen=True)
class Question:
    finding_id: str
    text: str
    type: FindingType
    options: tuple[str, ...]
    unit: str | None
    value_range: tuple[float, float] | None
    expected_value_bits: float


@dataclass(frozen=True)
class WorkupState:
    setting: str
    answers: Mapping[str, RawValue | Mapping[str, Any]] = field(default_factory=dict)
    skipped: frozenset[str] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        return {
            "setting": self.setting,
            "answers": dict(self.answers),
            "skipped": sorted(self.skipped),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WorkupState:
        return cls(str(data["setting"]), dict(data["answers"]), frozenset(data["skipped"]))


def start(kb: KnowledgeBase, setting: str | None = None) -> WorkupState:
    setting = setting or kb.default_setting
    if setting not in kb.settings:
        raise UnknownKeyError("setting", setting, kb.settings)
    return WorkupState(setting)


def case_of(kb: KnowledgeBase, state: WorkupState) -> Case:
    return parse_case(kb, state.answers, state.setting)


def _question(kb: KnowledgeBase, finding_id: str, value: float) -> Question:
    f = kb.findings[finding_id]
    return Question(
        finding_id, f.question, f.type, f.values, f.unit, f.value_range, round(value, 4)
    )


def _open_findings(kb: KnowledgeBase, state: WorkupState, case: Case) -> list[str]:
    return [
        fid
        for fid, f in kb.findings.items()
        if f.group in HISTORY_GROUPS and fid not in case.values and fid not in state.skipped
    ]


def ranked_questions(kb: KnowledgeBase, state: WorkupState) -> list[Question]:
    """Open evidence questions, most valuable first."""
    case = case_of(kb, state)
    log_post = log_posterior(kb, case.values, case.setting, case.certainty)
    open_ = [f for f in _open_findings(kb, state, case) if kb.findings[f].informative]
    worth = question_values(kb, log_post, open_, case.values, case.certainty)
    scored = [_question(kb, f, v) for f, v in worth.items()]
    scored.sort(key=lambda q: -q.expected_value_bits)
    return scored


def next_question(kb: KnowledgeBase, state: WorkupState) -> Question | None:
    """The next question to ask, or ``None`` when the history is complete enough."""
    case = case_of(kb, state)
    stop, _ = should_stop(kb, log_posterior(kb, case.values, case.setting, case.certainty))
    if not stop:
        ranked = ranked_questions(kb, state)
        if ranked and ranked[0].expected_value_bits >= MIN_QUESTION_VALUE:
            return ranked[0]
    steering = [fid for fid in _open_findings(kb, state, case) if not kb.findings[fid].informative]
    return _question(kb, steering[0], 0.0) if steering else None


def answer(kb: KnowledgeBase, state: WorkupState, finding_id: str, value: Any) -> WorkupState:
    """Record an answer; 'unknown' counts as skipping. Raises InputError on bad input."""
    if finding_id not in kb.findings:
        raise UnknownKeyError("finding", finding_id, kb.findings)
    raw, sure = split_certainty(finding_id, value)
    parsed = parse_value(kb, finding_id, raw)
    if parsed is None:
        return skip(kb, state, finding_id)
    stored: Any = parsed if sure >= 1.0 else {"value": parsed, "certainty": sure}
    answers = {**state.answers, finding_id: stored}
    parse_case(kb, answers, state.setting)  # raises on contradictions; state unchanged
    return replace(state, answers=answers, skipped=state.skipped - {finding_id})


def skip(kb: KnowledgeBase, state: WorkupState, finding_id: str) -> WorkupState:
    if finding_id not in kb.findings:
        raise UnknownKeyError("finding", finding_id, kb.findings)
    answers = {k: v for k, v in state.answers.items() if k != finding_id}
    return replace(state, answers=answers, skipped=state.skipped | {finding_id})


def answer_many(kb: KnowledgeBase, state: WorkupState, answers: Mapping[str, Any]) -> WorkupState:
    """Record several answers at once (a submitted form); all or nothing, as states are values."""
    for finding_id, value in answers.items():
        state = answer(kb, state, finding_id, value)
    return state
