"""Runs of True in a boolean series."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from hemifacial.analysis.runs import true_runs


def test_examples() -> None:
    assert true_runs(np.array([], dtype=bool)) == []
    assert true_runs(np.array([0, 1, 1, 0, 1, 0, 0, 1], dtype=bool)) == [(1, 2), (4, 4), (7, 7)]
    assert true_runs(np.ones(3, dtype=bool)) == [(0, 2)]


@given(st.lists(st.booleans(), max_size=60))
def test_runs_cover_exactly_the_true_values(values: list[bool]) -> None:
    runs = true_runs(np.array(values, dtype=bool))
    covered = [False] * len(values)
    for a, b in runs:
        assert a <= b and all(values[a : b + 1])
        assert a == 0 or not values[a - 1]
        assert b == len(values) - 1 or not values[b + 1]
        covered[a : b + 1] = [True] * (b - a + 1)
    assert covered == values
