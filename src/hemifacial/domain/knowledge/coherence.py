"""Reject an evidence base whose distributions cannot all be true at once.

Checked after the findings and the dependence network are built (:func:`check_coherence`,
called by the loader), each problem worded for the person editing the YAML:

* every likelihood is a distribution: values in (0, 1), summing to 1;
* every conditional table of :mod:`.dependence` has a row for every parent value and
  condition, each row a distribution;
* a child is at least as common as the parent values that imply it: with
  ``P(child | parent in when, c) = p``, the marginal must satisfy ``m ≥ P(when | c) · p``
  (e.g. lower-face involvement cannot be rarer than a lower-face or whole-side onset), and
  the derived ``P(child | parent not in when, c)`` must keep room for error: between
  ``ROOM`` and ``1 − ROOM``, since a derived 0.0002 is a certainty no source claims;
* the network reproduces each child's marginal (the published figure) exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from hemifacial.domain.knowledge.dependence import Dependence, DependenceNetwork, marginal

TOLERANCE = 1e-6
ROOM = 0.005  # smallest derived conditional accepted: half the smallest error allowance used


def check_coherence(
    findings: Mapping[str, Any], network: DependenceNetwork, condition_ids: tuple[str, ...]
) -> list[str]:
    """Every incoherence found (empty when the base is coherent)."""
    problems = [p for f in findings.values() for p in _distributions(f)]
    for dep in network.dependences.values():
        problems += _conditional(dep, findings, condition_ids)
    return problems


def _distributions(finding: Any) -> list[str]:
    out = []
    for cid, lik in finding.likelihoods.items():
        probs = list(lik.probabilities.values())
        if any(not 0 < p < 1 for p in probs) or abs(sum(probs) - 1) > TOLERANCE:
            out.append(f"finding '{finding.id}' given '{cid}': not a distribution {probs}")
    return out


def _conditional(
    dep: Dependence, findings: Mapping[str, Any], condition_ids: tuple[str, ...]
) -> list[str]:
    parent, child = findings[dep.parent], findings[dep.child]
    where = f"dependence of '{dep.child}' on '{dep.parent}'"
    shape = (len(parent.values), len(child.values), len(condition_ids))
    if dep.table.shape != shape:
        return [f"{where}: needs a row for every value of '{dep.parent}' and every condition"]
    out = []
    parent_m = marginal(parent, condition_ids)
    child_m = marginal(child, condition_ids)
    inside = np.array([v in dep.when for v in parent.values])
    outside = [v for v in parent.values if v not in dep.when]
    for i, cid in enumerate(condition_ids):
        rows = dep.table[:, :, i]
        if np.any(np.abs(rows.sum(axis=1) - 1) > TOLERANCE):
            out.append(f"{where} given '{cid}': a row does not sum to 1")
        if cid not in dep.given:
            continue
        p_when = float(parent_m[inside, i].sum())
        floor = p_when * dep.given[cid]
        derived = float(dep.table[~inside, 0, i][0]) if outside else 1.0
        if child_m[0, i] < floor - TOLERANCE or not ROOM <= derived <= 1 - ROOM:
            out.append(
                f"{where} given '{cid}': P({dep.child}) = {child_m[0, i]:.3g} against "
                f"P({dep.parent} in {list(dep.when)}) × {dep.given[cid]:.3g} = {floor:.3g} "
                f"leaves P({dep.child} | {dep.parent} in {outside}) = {derived:.3g}, "
                f"outside [{ROOM}, {1 - ROOM}]"
            )
        implied = float(parent_m[:, i] @ dep.table[:, 0, i])
        if abs(implied - child_m[0, i]) > TOLERANCE:
            out.append(f"{where} given '{cid}': the table does not reproduce the marginal")
    return out
