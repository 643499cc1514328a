"""Declared dependence between findings: a small Bayesian network under each condition.

Naive Bayes multiplies findings as if they were independent given the condition. Where a
finding is known to depend on another (lower-face involvement on the onset site, residual
weakness on a past palsy, MRI lesions on a known MS), the child finding declares its parent
in the YAML::

    spread_to_lower_face:
      likelihood: ...          # P(child | condition): the published, marginal figures
      depends_on:
        finding: onset_site    # the parent (a finding with no parent of its own, or a chain)
        when: [lower_face, whole_side]
        p: 0.99                # P(child = yes | parent in `when`, condition); a number, or
                               # a mapping by condition with an optional `default`
        estimate: "..."        # provenance of `p`, as for every number in the base

The loader then derives ``P(child = yes | parent not in when, c)`` from the marginal so that
the child's marginal is exactly its published figure:
``(m_c − P(when | c) · p_c) / (1 − P(when | c))``. A derived value outside (0, 1) means the
marginal and the parent's distribution cannot both be true; :mod:`.coherence` rejects it.
Conditions the mapping does not name (and no ``default``) keep the child independent of the
parent. Children must be yes/no findings; each finding has at most one parent, so the
findings of a condition form trees (a forest), which the engine evaluates exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Dependence:
    """One child finding, its parent, and ``P(child value | parent value, condition)``.

    ``table`` has shape (parent values, child values, conditions), values in the order of
    ``Finding.values``; ``given`` holds the declared ``P(yes | parent in when, c)``.
    """

    child: str
    parent: str
    when: tuple[str, ...]
    given: Mapping[str, float]
    sources: tuple[str, ...]
    estimate: str | None
    note: str | None
    table: Array


@dataclass(frozen=True)
class DependenceNetwork:
    """The trees of dependent findings; findings outside every tree stay independent."""

    dependences: Mapping[str, Dependence] = field(default_factory=dict)
    root_of: Mapping[str, str] = field(default_factory=dict)
    members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    children: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    root_table: Mapping[str, Array] = field(default_factory=dict)

    def tree_of(self, finding_id: str) -> str | None:
        """The root of the tree a finding belongs to, or ``None`` if it is independent."""
        return self.root_of.get(finding_id)

    def subtree(self, finding_id: str) -> tuple[str, ...]:
        """The finding and everything below it."""
        out = [finding_id]
        for child in self.children.get(finding_id, ()):
            out.extend(self.subtree(child))
        return tuple(out)


EMPTY_NETWORK = DependenceNetwork()
