"""The 10-Hz traces stored with a result: bin means (closure: bin maxima) of finite values."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from hemifacial.analysis.analyze import _down

values = st.one_of(st.floats(-5, 5), st.just(math.nan))


@given(
    st.lists(st.tuples(st.floats(0, 3), values), min_size=1, max_size=40),
    st.floats(-0.5, 1.0),
    st.floats(0.05, 0.5),
    st.booleans(),
)
def test_each_bin_reduces_its_own_finite_values(
    samples: list[tuple[float, float]], start: float, step: float, use_max: bool
) -> None:
    samples.sort()
    t = np.array([s[0] for s in samples])
    v = np.array([s[1] for s in samples])
    grid = np.arange(start, 3.5, step)
    got = _down(t, v, grid, use_max)
    assert len(got) == len(grid) - 1
    for i, g in enumerate(got):
        inside = v[(t >= grid[i]) & (t < grid[i + 1]) & np.isfinite(v)]
        if len(inside) == 0:
            assert math.isnan(g)
        else:
            want = inside.max() if use_max else inside.mean()
            assert abs(g - want) <= 5e-5 + 1e-9 * abs(want)
