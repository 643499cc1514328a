"""Declared dependence between findings: a small Bayesian network under each condition.

Naive Bayes multiplies findings as if they were independent given the condition. Where a
finding is known to depend on another (lower-face involvement on the onset site, residual
weakness on a past palsy, MRI lesions on a known MS), the child declares its parent in
``data/dependence.yaml``::

    spread_to_lower_face:
      parent: onset_site          # a finding; each child has exactly one parent
      when: [lower_face, whole_side]
      p: {default: 0.99}          # P(child = yes | parent in `when`, condition): a number per
                                  # condition, `default` for the rest, `independent` to opt out
      noisy_or: 0.3               # instead of a number: 1 − (1 − marginal)(1 − 0.3)
      estimate: "..."             # provenance of the numbers, as everywhere in the base

The child's likelihood in its own file stays its **marginal** P(child | c) (the published
figure). The loader derives ``P(child = yes | parent not in when, c)`` from it, so the
marginal is reproduced exactly: ``(m_c − P(when | c) · p_c) / (1 − P(when | c))``. A
derived value outside (0, 1) means the marginal and the parent's distribution cannot both
be true; :mod:`.coherence` rejects it. Children must be yes/no findings; each finding has at
most one parent, so the findings of a condition form trees (a forest), which
:mod:`hemifacial.domain.reasoning.evidence` evaluates exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
INDEPENDENT = "independent"


@dataclass(frozen=True)
class Dependence:
    """One child finding, its parent, and ``P(child value | parent value, condition)``.

    ``table`` has shape (parent values, child values, conditions), values in the order of
    ``Finding.values``; ``given`` holds the declared ``P(yes | parent in when, c)`` for the
    conditions where the child depends on the parent (the others are independent).
    """

    child: str
    parent: str
    when: tuple[str, ...]
    given: Mapping[str, float]
    sources: tuple[str, ...]
    estimate: str | None
    note: str | None
    table: Array
    parent_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class DependenceNetwork:
    """The trees of dependent findings; findings outside every tree stay independent."""

    dependences: Mapping[str, Dependence] = field(default_factory=dict)
    root_of: Mapping[str, str] = field(default_factory=dict)
    members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    children: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    root_table: Mapping[str, Array] = field(default_factory=dict)
    below: Mapping[str, frozenset[str]] = field(default_factory=dict)  # subtree, precomputed

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

Report = Callable[[str], None]
Describe = Callable[[str, Mapping[str, Any]], Any]  # (where, entry) -> Provenance


def marginal(finding: Any, condition_ids: tuple[str, ...]) -> Array:
    """P(value | c) of a finding as a (values, conditions) array (its likelihood table)."""
    return np.array(
        [[finding.likelihoods[c].probabilities[v] for c in condition_ids] for v in finding.values]
    )


def _given(
    where: str, entry: Mapping[str, Any], m_yes: Array, condition_ids: tuple[str, ...],
    report: Report,
) -> dict[str, float]:  # fmt: skip
    """The declared P(yes | parent in when, c) per dependent condition."""
    raw = entry.get("p", {})
    table = raw if isinstance(raw, Mapping) else {"default": raw}
    for cid in table:
        if cid != "default" and cid not in condition_ids:
            report(f"{where}: p for unknown condition '{cid}'")
    leak = entry.get("noisy_or")
    out: dict[str, float] = {}
    for i, cid in enumerate(condition_ids):
        value = table.get(cid, table.get("default"))
        if value == INDEPENDENT or (value is None and leak is None):
            continue
        if value is None and leak is not None:
            value = 1.0 - (1.0 - float(m_yes[i])) * (1.0 - float(leak))
        if not isinstance(value, int | float) or not 0 < value < 1:
            report(f"{where}: p for '{cid}' must lie strictly between 0 and 1, got {value!r}")
            continue
        out[cid] = float(value)
    return out


def _table(
    parent_values: tuple[str, ...], when: tuple[str, ...], parent_m: Array, child_yes: Array,
    given: Mapping[str, float], condition_ids: tuple[str, ...],
) -> Array:  # fmt: skip
    """P(child | parent, c) reproducing the child's marginal (derived values may be < 0)."""
    inside = np.array([v in when for v in parent_values])
    p_when = parent_m[inside].sum(axis=0)
    yes = np.repeat(child_yes[None, :], len(parent_values), axis=0)
    for i, cid in enumerate(condition_ids):
        if cid in given:
            derived = (child_yes[i] - p_when[i] * given[cid]) / (1.0 - p_when[i])
            yes[:, i] = np.where(inside, given[cid], derived)
    return np.stack([yes, 1.0 - yes], axis=1)


def build_network(
    declared: Mapping[str, Any],
    findings: Mapping[str, Any],
    condition_ids: tuple[str, ...],
    report: Report,
    describe: Describe,
) -> DependenceNetwork:
    """The network declared in ``dependence.yaml`` (problems go to ``report``)."""
    deps: dict[str, Dependence] = {}
    for child, entry in declared.items():
        where = f"dependence of '{child}'"
        parent = entry.get("parent")
        if child not in findings or parent not in findings:
            report(f"{where}: unknown finding '{child if child not in findings else parent}'")
            continue
        cf, pf = findings[child], findings[parent]
        if cf.values != ("yes", "no") or not cf.informative or not pf.informative:
            report(f"{where}: the child must be an informative yes/no finding")
            continue
        when = tuple(str(v) for v in entry.get("when") or ())
        if not when or not set(when) <= set(pf.values) or pf.noninformative:
            report(f"{where}: 'when' must name values of '{parent}' (got {list(when)})")
            continue
        child_yes = marginal(cf, condition_ids)[0]
        given = _given(where, entry, child_yes, condition_ids, report)
        prov = describe(where, entry)
        table = _table(pf.values, when, marginal(pf, condition_ids), child_yes, given,
                       condition_ids)  # fmt: skip
        deps[child] = Dependence(
            child, parent, when, given, prov.sources, prov.estimate, prov.note, table, pf.values
        )
    return _assemble(deps, findings, condition_ids, report)


def _assemble(
    deps: Mapping[str, Dependence],
    findings: Mapping[str, Any],
    condition_ids: tuple[str, ...],
    report: Report,
) -> DependenceNetwork:
    """Roots, members (parents first) and children of every tree; cycles are rejected."""
    children: dict[str, list[str]] = {}
    for d in deps.values():
        children.setdefault(d.parent, []).append(d.child)
    roots = sorted({d.parent for d in deps.values()} - set(deps))
    root_of: dict[str, str] = {}
    members: dict[str, tuple[str, ...]] = {}
    for root in roots:
        order, stack = [], [root]
        while stack:
            node = stack.pop(0)
            order.append(node)
            stack[:0] = children.get(node, [])
            root_of[node] = root
        members[root] = tuple(order)
    for child in sorted(set(deps) - set(root_of)):
        report(f"dependence of '{child}': parents form a cycle")
    return DependenceNetwork(
        dependences=dict(deps),
        root_of=root_of,
        members=members,
        children={k: tuple(v) for k, v in children.items()},
        root_table={r: marginal(findings[r], condition_ids) for r in roots},
        below={node: frozenset(_below(node, children)) for node in root_of},
    )


def _below(node: str, children: Mapping[str, list[str]]) -> list[str]:
    out = [node]
    for child in children.get(node, ()):
        out += _below(child, children)
    return out


def network_markdown(network: DependenceNetwork, condition_ids: tuple[str, ...]) -> list[str]:
    """The "Dependent findings" section of docs/evidence.md: each table with its reasoning."""
    out = ["## Dependent findings", "",
           "Declared in `dependence.yaml` (see docs/reasoning.md, \"Dependent findings\"): "
           "P(child = yes | parent value, condition); the child's own table above stays its "
           "marginal, which these tables reproduce exactly. Conditions not listed are "
           "independent of the parent.", ""]  # fmt: skip
    for d in network.dependences.values():
        values = list(d.parent_values)
        out += [f"### `{d.child}` given `{d.parent}`", "",
                "| condition | " + " | ".join(values) + " |",
                "|---|" + "---|" * len(values)]  # fmt: skip
        for i, cid in enumerate(condition_ids):
            if cid in d.given:
                row = " | ".join(f"{p:.3g}" for p in d.table[:, 0, i])
                out.append(f"| `{cid}` | {row} |")
        why = " ".join(p for p in (d.note, d.estimate and f"*expert estimate:* {d.estimate}") if p)
        out += ["", why.replace("|", "/"), ""]
    return out
