"""The likelihood of the observed findings under each condition, exactly.

Two things make this more than a sum of table look-ups:

* **Graded certainty** (Pearl's virtual evidence). A finding reported with certainty
  ``s`` in (0, 1] weighs each possible true value ``x`` by ``λ(x) = 1`` if ``x`` is the
  reported value (or one of a union's members) and ``1 − s`` otherwise. For an independent
  finding the factor is ``Σ_x λ(x) P(x | c) = s · P(v | c) + (1 − s)``: exactly the hard
  likelihood at ``s = 1`` and a constant (no evidence) as ``s → 0``.
* **Declared dependence** (:mod:`hemifacial.domain.knowledge.dependence`). Findings in one
  tree are evaluated together, summing over the values of unobserved ones, so a finding
  that another implies is not counted twice.

All functions take the observed ``values`` (finding → value) and optional ``certainty``
(finding → certainty < 1; missing means certain).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from hemifacial.domain.knowledge.model import KnowledgeBase

Vector = NDArray[np.float64]
Certainty = Mapping[str, float] | None


_HITS: dict[tuple[str, str, str], Vector] = {}
_TERMS: dict[tuple[object, ...], dict[str, Vector]] = {}
TERMS_CACHE = 16  # recent cases whose factors are kept (a pure function of its arguments)


def weights(kb: KnowledgeBase, finding_id: str, value: str, certainty: float = 1.0) -> Vector:
    """The virtual-evidence weights λ over a finding's values for one report."""
    key = (kb.content_hash, finding_id, value)
    hit = _HITS.get(key)
    if hit is None:  # the indicator of the reported value(s), cached: the base is immutable
        finding = kb.findings[finding_id]
        members = finding.unions.get(value, (value,))
        hit = _HITS[key] = np.array([v in members for v in finding.values], dtype=np.float64)
    if certainty >= 1.0:
        return hit
    result: Vector = hit + (1.0 - certainty) * (1.0 - hit)
    return result


def independent_term(kb: KnowledgeBase, finding_id: str, value: str, sure: float) -> Vector:
    """log Σ_x λ(x) P(x | c) for a finding outside every dependence tree."""
    table = kb.log_likelihood[finding_id][value]
    if sure >= 1.0:
        return table
    result: Vector = np.logaddexp(np.log(sure) + table, np.log1p(-sure))
    return result


def _tree_log_z(kb: KnowledgeBase, root: str, lambdas: Mapping[str, Vector]) -> Vector:
    """log P(evidence in one tree | c), summing over its unobserved findings."""
    net = kb.network
    n = len(kb.condition_ids)

    def up(node: str) -> NDArray[np.float64]:
        lam = lambdas.get(node)
        out = np.ones((len(kb.findings[node].values), n)) if lam is None else lam[:, None]
        for child in net.children.get(node, ()):
            if not net.below[child].isdisjoint(lambdas):
                # Σ_y P(y | x, c) · message(y, c), broadcast (einsum is slower at this size)
                out = out * (net.dependences[child].table * up(child)[None, :, :]).sum(axis=1)
        return out

    total = (net.root_table[root] * up(root)).sum(axis=0)
    result: Vector = np.log(total)
    return result


def _split(
    kb: KnowledgeBase, values: Mapping[str, str], certainty: Certainty
) -> tuple[list[str], dict[str, dict[str, Vector]]]:
    """Independent observed findings, and the λ of observed findings per dependence tree."""
    certainty = certainty or {}
    independent: list[str] = []
    trees: dict[str, dict[str, Vector]] = {}
    root_of = kb.network.root_of
    for fid, value in values.items():
        root = root_of.get(fid)
        if root is None:
            independent.append(fid)
        else:
            trees.setdefault(root, {})[fid] = weights(kb, fid, value, certainty.get(fid, 1.0))
    return independent, trees


def log_evidence(
    kb: KnowledgeBase, values: Mapping[str, str], certainty: Certainty = None
) -> Vector:
    """log P(all observed findings | c) for every condition (unnormalised, exact)."""
    certainty = certainty or {}
    independent, trees = _split(kb, values, certainty)
    total = np.zeros(len(kb.condition_ids))
    for fid in independent:
        total += independent_term(kb, fid, values[fid], certainty.get(fid, 1.0))
    for root, lambdas in trees.items():
        total += _tree_log_z(kb, root, lambdas)
    return total


def log_terms(
    kb: KnowledgeBase, values: Mapping[str, str], certainty: Certainty = None
) -> dict[str, Vector]:
    """Each observed finding's own log factor; the factors sum to :func:`log_evidence`.

    Inside a dependence tree a finding's factor is conditioned on the findings observed
    before it in the tree's order (parents first), so a child implied by its observed parent
    contributes about nothing (chain rule).
    """
    certainty = certainty or {}
    key = (kb.content_hash, tuple(values.items()), tuple(sorted(certainty.items())))
    if key in _TERMS:  # explanations of several conditions ask for the same case in a row
        return dict(_TERMS[key])
    independent, trees = _split(kb, values, certainty)
    out = {f: independent_term(kb, f, values[f], certainty.get(f, 1.0)) for f in independent}
    for root, lambdas in trees.items():
        seen: dict[str, Vector] = {}
        before = np.zeros(len(kb.condition_ids))
        for fid in kb.network.members[root]:
            if fid in lambdas:
                seen[fid] = lambdas[fid]
                after = _tree_log_z(kb, root, seen)
                out[fid] = after - before
                before = after
    if len(_TERMS) >= TERMS_CACHE:
        _TERMS.pop(next(iter(_TERMS)))
    _TERMS[key] = out
    return dict(out)


def conditioned_on(
    kb: KnowledgeBase, values: Mapping[str, str], finding_id: str
) -> tuple[str, ...]:
    """The observed findings a finding's factor is conditioned on (for explanations)."""
    root = kb.network.tree_of(finding_id)
    if root is None:
        return ()
    order = kb.network.members[root]
    return tuple(f for f in order[: order.index(finding_id)] if f in values)


def outcome_tables(
    kb: KnowledgeBase,
    values: Mapping[str, str],
    certainty: Certainty,
    pending: Sequence[str],
) -> list[tuple[tuple[str, ...], list[tuple[str, ...]], NDArray[np.float64]]]:
    """Groups of pending findings that are independent given the condition and the evidence.

    Each group is (its findings, the value combinations, a table of
    ``log P(combination | evidence, c)``: combinations × conditions, rows summing to 1 in
    probability for every condition). A finding outside every tree is its own group.
    """
    certainty = certainty or {}
    groups: dict[str, list[str]] = {}
    out: list[tuple[tuple[str, ...], list[tuple[str, ...]], NDArray[np.float64]]] = []
    for fid in pending:
        root = kb.network.tree_of(fid)
        if root is None:
            vals = _informative(kb, fid)
            table = np.array([kb.log_likelihood[fid][v] for v in vals])
            out.append(((fid,), [(v,) for v in vals], table))
        else:
            groups.setdefault(root, []).append(fid)
    trees = _split(kb, values, certainty)[1] if groups else {}
    for root, members in groups.items():
        observed = trees.get(root, {})
        base = _tree_log_z(kb, root, observed) if observed else np.zeros(len(kb.condition_ids))
        combos = list(itertools.product(*(kb.findings[f].values for f in members)))
        rows = []
        for combo in combos:
            lambdas = dict(observed)
            lambdas.update({f: weights(kb, f, v) for f, v in zip(members, combo, strict=True)})
            rows.append(_tree_log_z(kb, root, lambdas) - base)
        out.append((tuple(members), combos, np.array(rows)))
    return out


def _informative(kb: KnowledgeBase, finding_id: str) -> tuple[str, ...]:
    f = kb.findings[finding_id]
    return tuple(v for v in f.values if v not in f.noninformative)
