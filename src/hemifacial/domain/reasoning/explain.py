"""Finding-by-finding explanation of why a condition ranks where it does.

For a condition *c*, each observed finding value *v* contributes its likelihood ratio
``P(v | c) / P(v | not c)``, where "not c" is the prior-weighted mixture of the other
conditions. The log10 of that ratio is the finding's weight of evidence (Good's "bans"):
+1 means the finding is ten times likelier with *c* than without it.

A finding reported with a graded certainty contributes its virtual-evidence factor (shown
with its certainty); a finding with a declared parent contributes its factor given the
findings observed before it in its dependence tree (shown as "given …"), so the
contributions still add up to the whole evidence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.evidence import Certainty, conditioned_on, log_terms

# Verbal scale for likelihood ratios, after the conventional bedside reading of LRs.
_WORDS = (
    (10.0, "strongly supports"),
    (3.0, "supports"),
    (1.25, "slightly supports"),
    (0.8, "hardly changes"),
    (1 / 3, "slightly argues against"),
    (0.1, "argues against"),
    (0.0, "strongly argues against"),
)


@dataclass(frozen=True)
class Contribution:
    """One finding's weight of evidence for (positive) or against (negative) a condition."""

    finding_id: str
    label: str
    value: str
    likelihood_ratio: float
    log10_lr: float
    p_given_condition: float
    p_given_others: float
    wording: str
    sources: tuple[str, ...]
    is_estimate: bool
    implied: bool
    certainty: float = 1.0
    given: tuple[str, ...] = ()
    # Provenance of P(value | condition): "measured", "derived" or "estimate" (knowledge/
    # provenance.py), the figures quoted from the reference, and the arithmetic if derived.
    tier: str = "estimate"
    support: tuple[str, ...] = ()
    arithmetic: str | None = None

    def sentence(self) -> str:
        """E.g. 'Other Babinski sign: yes — supports (LR 3.2: 53% with it vs 17% without)'."""
        sure = f" (certainty {self.certainty:.0%})" if self.certainty < 1 else ""
        given = ", ".join(g.replace("_", " ") for g in self.given)
        given = f", given {given}" if given else ""
        return (
            f"{self.label}: {self.value.replace('_', ' ')}{sure} — {self.wording} "
            f"(LR {self.likelihood_ratio:.2g}{given}: {percent(self.p_given_condition)} with "
            f"it vs {percent(self.p_given_others)} without)"
        )


def percent(p: float | None) -> str:
    """A probability for people, the one format of the project (pages, reports, sentences):
    whole percent, one decimal below 1 % and above 99 % (99.5 % is not "100%"), "<0.1%" and
    ">99.9%" at the ends, a dash when there is no number."""
    if p is None or not math.isfinite(p):
        return "–"
    x = 100.0 * p
    if x <= 0:
        return "0%"
    if x >= 100:
        return "100%"
    if x < 0.1:
        return "<0.1%"
    if x > 99.9:
        return ">99.9%"
    return f"{x:.1f}%" if x < 1 or x > 99 else f"{x:.0f}%"


def verbal(likelihood_ratio: float) -> str:
    for threshold, words in _WORDS:
        if likelihood_ratio >= threshold:
            return words
    return _WORDS[-1][1]


def explain(
    kb: KnowledgeBase,
    condition_id: str,
    values: Mapping[str, str],
    setting: str,
    implied: frozenset[str] = frozenset(),
    certainty: Certainty = None,
) -> tuple[Contribution, ...]:
    """Contributions of every informative observed finding, strongest first."""
    certainty = certainty or {}
    index = kb.condition_ids.index(condition_id)
    prior = np.exp(kb.log_prior(setting))
    others = prior.copy()
    others[index] = 0.0
    others /= others.sum()
    terms = log_terms(kb, values, certainty)
    out = []
    for finding_id, value in values.items():
        finding = kb.findings[finding_id]
        if not finding.informative or value in finding.noninformative:
            continue
        likelihoods = np.exp(terms[finding_id])
        p_c = float(likelihoods[index])
        p_rest = float(np.dot(others, likelihoods))
        lr = p_c / p_rest
        provenance = finding.likelihoods[condition_id].provenance
        given = conditioned_on(kb, values, finding_id)
        dep = kb.network.dependences.get(finding_id)
        # a factor given its observed parent also rests on the declared conditional
        leans = bool(given) and dep is not None and condition_id in dep.given
        leans = leans and dep is not None and dep.estimate is not None
        out.append(
            Contribution(
                finding_id=finding_id,
                label=finding.label,
                value=value,
                likelihood_ratio=lr,
                log10_lr=math.log10(lr),
                p_given_condition=p_c,
                p_given_others=p_rest,
                wording=verbal(lr),
                sources=provenance.sources,
                is_estimate=provenance.is_estimate or leans,
                implied=finding_id in implied,
                certainty=certainty.get(finding_id, 1.0),
                given=given,
                tier=provenance.tier.value,
                support=provenance.support,
                arithmetic=provenance.arithmetic,
            )
        )
    return tuple(sorted(out, key=lambda c: -abs(c.log10_lr)))
