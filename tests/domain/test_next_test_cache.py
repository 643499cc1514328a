"""The next-test ranking's per-knowledge-base cache (issue: ranking < 20 ms) changes nothing:
a plan is the same whether the cache is cold or warm, and an edited copy of the base never
reads the tables of another."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning import next_test
from hemifacial.domain.reasoning.next_test import plan_tests, question_values
from hemifacial.domain.reasoning.posterior import log_posterior

KB = load_knowledge_base()
FINDINGS = sorted(KB.findings)


@st.composite
def cases(draw: st.DrawFn) -> dict[str, str]:
    keys = draw(st.lists(st.sampled_from(FINDINGS), unique=True, max_size=15))
    return {k: draw(st.sampled_from(list(KB.findings[k].values))) for k in keys}


@settings(max_examples=40, deadline=None)
@given(cases(), st.sampled_from(sorted(KB.settings)))
def test_a_warm_cache_gives_the_cold_plan(values: dict[str, str], setting: str) -> None:
    next_test._STATIC.clear()
    cold = plan_tests(KB, values, setting)
    assert id(KB) in next_test._STATIC
    warm = plan_tests(KB, values, setting)
    assert warm == cold
    plan_tests(KB, {}, setting)  # another case fills more of the cache
    assert plan_tests(KB, values, setting) == cold


def _edited(kb: KnowledgeBase, finding: str) -> KnowledgeBase:
    """A copy with the same content hash in which ``finding`` tells nothing (each value
    equally likely in every condition)."""
    table = kb.log_likelihood[finding]
    flat = {v: np.full_like(row, -np.log(len(table))) for v, row in table.items()}
    return dataclasses.replace(kb, log_likelihood={**kb.log_likelihood, finding: flat})


def test_an_edited_copy_does_not_read_the_original_tables() -> None:
    finding = next(f for f in KB.tests["history_exam"].reveals if KB.network.tree_of(f) is None)
    edited = _edited(KB, finding)
    assert edited.content_hash == KB.content_hash and edited is not KB
    log_post = log_posterior(KB, {}, "referral_clinic")
    original = question_values(KB, log_post, [finding])[finding]
    changed = question_values(edited, log_post, [finding])[finding]
    next_test._STATIC.clear()
    assert question_values(edited, log_post, [finding])[finding] == changed  # cold = warm
    assert original > 0.01 and changed < 1e-12


def test_the_cache_keeps_a_few_bases() -> None:
    copies = [dataclasses.replace(KB) for _ in range(next_test.STATIC_CACHE + 3)]
    for kb in copies:
        plan_tests(kb, {"side": "left"}, "referral_clinic")
    assert len(next_test._STATIC) <= next_test.STATIC_CACHE
    assert next_test._STATIC[id(copies[-1])][0] is copies[-1]
