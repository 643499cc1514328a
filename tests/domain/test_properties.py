"""Invariants of the engine, checked on random cases (Hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.domain.reasoning.next_test import value_of_test
from hemifacial.domain.reasoning.posterior import log_posterior, posterior

KB = load_knowledge_base()
INFORMATIVE = sorted(fid for fid, f in KB.findings.items() if f.informative)


def _values(fid: str) -> list[str]:
    return list(KB.findings[fid].values)


@st.composite
def cases(draw: st.DrawFn, max_size: int = 20) -> dict[str, str]:
    keys = draw(st.lists(st.sampled_from(INFORMATIVE), unique=True, max_size=max_size))
    return {k: draw(st.sampled_from(_values(k))) for k in keys}


settings_ids = st.sampled_from(sorted(KB.settings))


@given(cases(), settings_ids)
def test_posterior_is_a_distribution(values: dict[str, str], setting: str) -> None:
    p = posterior(KB, values, setting)
    assert set(p) == set(KB.condition_ids)
    assert all(0.0 <= v <= 1.0 for v in p.values())
    assert math.fsum(p.values()) == pytest.approx(1.0, abs=1e-9)


@given(cases(), st.randoms(use_true_random=False), settings_ids)
def test_order_of_findings_does_not_matter(values: dict[str, str], rnd, setting: str) -> None:  # type: ignore[no-untyped-def]
    items = list(values.items())
    rnd.shuffle(items)
    a = log_posterior(KB, values, setting)
    b = log_posterior(KB, dict(items), setting)
    assert np.allclose(a, b, atol=1e-12)


@given(cases(max_size=12), st.sampled_from(INFORMATIVE), st.data(), settings_ids)
def test_supporting_finding_never_lowers_its_condition(
    values: dict[str, str], fid: str, data: st.DataObject, setting: str
) -> None:
    """A value whose likelihood ratio for c (vs the current rest) exceeds 1 cannot lower c."""
    values = {k: v for k, v in values.items() if k != fid}
    value = data.draw(st.sampled_from(_values(fid)))
    before = np.exp(log_posterior(KB, values, setting))
    after = np.exp(log_posterior(KB, {**values, fid: value}, setting))
    likelihood = np.exp(KB.log_likelihood[fid][value])
    for i in range(len(before)):
        rest = np.delete(before, i)
        if rest.sum() == 0:
            continue
        rest_likelihood = float(np.dot(rest, np.delete(likelihood, i)) / rest.sum())
        if likelihood[i] > rest_likelihood * (1 + 1e-9):
            assert after[i] >= before[i] - 1e-12


@settings(max_examples=60)
@given(cases(max_size=10), settings_ids, st.sampled_from(sorted(KB.tests)))
def test_expected_information_is_never_negative(
    values: dict[str, str], setting: str, test_id: str
) -> None:
    pending = tuple(f for f in KB.tests[test_id].reveals if f not in values)
    info, danger = value_of_test(KB, log_posterior(KB, values, setting), pending)
    assert info >= 0.0 and danger >= 0.0
    assert math.isfinite(info) and math.isfinite(danger)


def test_extreme_evidence_stays_finite() -> None:
    """Every finding at its most extreme value still gives a finite, normalised posterior."""
    values = {}
    for fid in INFORMATIVE:
        table = KB.log_likelihood[fid]
        values[fid] = min(_values(fid), key=lambda v: float(np.min(table[v])))
    for setting in KB.settings:
        lp = log_posterior(KB, values, setting)
        assert np.all(np.isfinite(lp))
        assert math.fsum(np.exp(lp)) == pytest.approx(1.0)


@settings(max_examples=30)
@given(cases(max_size=8), settings_ids)
def test_vectorised_question_values_match_single_tests(
    values: dict[str, str], setting: str
) -> None:
    from hemifacial.domain.reasoning.next_test import question_values

    lp = log_posterior(KB, values, setting)
    open_ = [f for f in INFORMATIVE if f not in values][:12]
    fast = question_values(KB, lp, open_)
    w = KB.policy.must_not_miss_information_weight
    for f in open_:
        info, danger = value_of_test(KB, lp, (f,))
        assert fast[f] == pytest.approx(info + w * danger, rel=1e-6, abs=1e-12)
