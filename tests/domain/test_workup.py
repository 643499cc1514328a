"""The interactive work-up state machine."""

from __future__ import annotations

import json

import pytest

from hemifacial.cli.casefile import load_case_file
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning import workup as wu
from hemifacial.domain.reasoning.posterior import posterior
from hemifacial.errors import ContradictionError, InvalidValueError, UnknownKeyError
from tests.support import REPO


def test_first_question_is_the_most_informative(kb: KnowledgeBase) -> None:
    state = wu.start(kb)
    question = wu.next_question(kb, state)
    assert question is not None
    ranked = wu.ranked_questions(kb, state)
    assert question.finding_id == ranked[0].finding_id
    values = [q.expected_value_bits for q in ranked]
    assert values == sorted(values, reverse=True) and values[0] > 0


def test_answers_change_the_next_question(kb: KnowledgeBase) -> None:
    state = wu.start(kb)
    first = wu.next_question(kb, state)
    assert first is not None
    answered = wu.answer(kb, state, first.finding_id, first.options[0])
    second = wu.next_question(kb, answered)
    assert second is not None and second.finding_id != first.finding_id
    assert state.answers == {}  # states are values: the old one is untouched


def test_skip_and_unknown_never_ask_again(kb: KnowledgeBase) -> None:
    state = wu.start(kb)
    q = wu.next_question(kb, state)
    assert q is not None
    skipped = wu.answer(kb, state, q.finding_id, "unknown")
    assert q.finding_id in skipped.skipped
    assert q.finding_id not in [x.finding_id for x in wu.ranked_questions(kb, skipped)]


def test_bad_answers_leave_the_state_unchanged(kb: KnowledgeBase) -> None:
    state = wu.answer(kb, wu.start(kb), "side", "left")
    with pytest.raises(ContradictionError):
        wu.answer(kb, state, "laterality", "bilateral_synchronous")
    with pytest.raises(InvalidValueError):
        wu.answer(kb, state, "age_at_onset", "old")
    with pytest.raises(UnknownKeyError):
        wu.answer(kb, state, "sidee", "left")
    assert state.answers == {"side": "left"}


def test_state_round_trips_through_json_form(kb: KnowledgeBase) -> None:
    state = wu.answer_many(kb, wu.start(kb, "primary_care"), {"side": "right", "age_at_onset": 44})
    state = wu.skip(kb, state, "sex")
    again = wu.WorkupState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert again == state


def test_a_full_session_ends_and_asks_the_steering_question(kb: KnowledgeBase) -> None:
    """Answer like the typical demo patient; the machine finishes with a clear leader."""
    typical = load_case_file(REPO / "src/hemifacial/examples/typical_left_hfs.yaml").findings
    state = wu.start(kb)
    asked = []
    while (q := wu.next_question(kb, state)) is not None:
        asked.append(q.finding_id)
        state = wu.answer(
            kb,
            state,
            q.finding_id,
            typical.get(q.finding_id, "no" if q.options == ("yes", "no") else "unknown"),
        )
    assert len(asked) == len(set(asked)) and len(asked) < len(kb.findings)
    assert asked[-1] == "mri_contraindicated"
    probs = posterior(kb, wu.case_of(kb, state).values, state.setting)
    assert max(probs, key=probs.__getitem__) == "primary_nvc"
