"""Frozen value types of the evidence base.

The loader builds these from the YAML files in ``data/`` and validates them; the reasoning
code reads only these types (and the log-likelihood tables they carry), never the YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from hemifacial.domain.knowledge.dependence import EMPTY_NETWORK, DependenceNetwork
from hemifacial.domain.knowledge.ranges import NO_RANGES, PlausibleRanges


class ConditionKind(StrEnum):
    """A cause of hemifacial spasm, or a condition that mimics it."""

    CAUSE = "cause"
    MIMIC = "mimic"


class FindingType(StrEnum):
    """How a finding's value is given."""

    BOOLEAN = "boolean"
    CATEGORICAL = "categorical"
    NUMERIC = "numeric"


BOOLEAN_VALUES = ("yes", "no")


@dataclass(frozen=True)
class Reference:
    """A source in shared/reference/clinical-evidence.md."""

    id: str
    cite: str
    locator: str


class Tier(StrEnum):
    """How firmly a number rests on the reference (see :mod:`.provenance`)."""

    MEASURED = "measured"  # the figure itself is quoted from the source
    DERIVED = "derived"  # arithmetic from quoted figures, shown with the number
    ESTIMATE = "estimate"  # judgement, with its reasoning (quoted figures only as background)


@dataclass(frozen=True)
class Provenance:
    """Where a number comes from: the figures quoted from the source, or an expert estimate.

    ``support`` holds the figures quoted verbatim from ``clinical-evidence.md``;
    ``arithmetic`` shows how the number follows from them. The tier is derived from these
    fields, never hand-labelled: an estimate is an estimate even when sources are listed.
    """

    sources: tuple[str, ...] = ()
    estimate: str | None = None
    note: str | None = None
    support: tuple[str, ...] = ()
    arithmetic: str | None = None

    @property
    def is_estimate(self) -> bool:
        return self.estimate is not None

    @property
    def tier(self) -> Tier:
        if self.estimate is not None:
            return Tier.ESTIMATE
        return Tier.DERIVED if self.arithmetic else Tier.MEASURED

    def describe(self) -> str:
        parts = []
        if self.note:
            parts.append(self.note)
        if self.support:
            parts.append("source: " + "; ".join(f"“{q}”" for q in self.support))
        if self.arithmetic:
            parts.append(f"arithmetic: {self.arithmetic}")
        if self.estimate:
            parts.append(f"expert estimate: {self.estimate}")
        return " ".join(parts)


@dataclass(frozen=True)
class TreatmentOption:
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Treatment:
    summary: str
    options: tuple[TreatmentOption, ...]


@dataclass(frozen=True)
class Condition:
    id: str
    kind: ConditionKind
    name: str
    plain: str
    clinical: str
    codes: Mapping[str, str | None]
    must_not_miss: bool
    sources: tuple[str, ...]
    treatment: Treatment


@dataclass(frozen=True)
class Bin:
    """A numeric interval ``[previous bin's bound, below)`` mapped to a categorical value."""

    value: str
    below: float | None


@dataclass(frozen=True)
class Likelihood:
    """P(value | condition) for every informative value of one finding."""

    probabilities: Mapping[str, float]
    provenance: Provenance
    is_default: bool


@dataclass(frozen=True)
class Finding:
    id: str
    group: str
    label: str
    question: str
    type: FindingType
    values: tuple[str, ...]
    unit: str | None = None
    value_range: tuple[float, float] | None = None
    bins: tuple[Bin, ...] = ()
    unions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    noninformative: tuple[str, ...] = ()
    informative: bool = True
    likelihoods: Mapping[str, Likelihood] = field(default_factory=dict)
    comment: str | None = None

    @property
    def accepted_values(self) -> tuple[str, ...]:
        """Every value a case may give (coarse union values included)."""
        return self.values + tuple(self.unions)

    def categorise(self, number: float) -> str:
        """The bin of a numeric value."""
        for b in self.bins:
            if b.below is None or number < b.below:
                return b.value
        raise AssertionError("the last bin is open-ended")  # pragma: no cover - loader checks


@dataclass(frozen=True)
class DiagnosticTest:
    id: str
    name: str
    purpose: str
    reveals: tuple[str, ...]
    cost: int
    burden: int
    turnaround_days: int
    contraindicated_if: Mapping[str, str]
    instead: str | None
    sources: tuple[str, ...]
    superseded_by: tuple[str, ...] = ()
    asks_questions: bool = False
    # A finding value that makes the test pointless (the diagnosis it establishes is known).
    not_needed_if: Mapping[str, str] = field(default_factory=dict)
    # Proposed only in place of a test that is contraindicated (its ``instead``), never
    # beside it: CT of the posterior fossa when MRI is impossible (Tash 1991).
    fallback_only: bool = False


@dataclass(frozen=True)
class Criterion:
    """One finding's condition in a red-flag rule: an exact value or a numeric bound."""

    finding: str
    equals: str | None = None
    below: float | None = None
    at_least: float | None = None


@dataclass(frozen=True)
class RedFlagRule:
    id: str
    alternatives: tuple[tuple[Criterion, ...], ...]
    level: str
    message: str
    action: str
    sources: tuple[str, ...]
    first_test: str | None = None  # the test an urgent flag calls for first (rules.py)
    then_tests: tuple[str, ...] = ()  # the further tests its action calls urgent, in order
    # flags this one, when raised, accounts for when only these findings raise them
    explains: tuple[tuple[str, frozenset[str]], ...] = ()
    supersedes: frozenset[str] = frozenset()  # flags this one, when raised, rules out


@dataclass(frozen=True)
class Setting:
    id: str
    label: str
    priors: Mapping[str, float]
    provenance: Mapping[str, Provenance]


@dataclass(frozen=True)
class DecisionPolicy:
    """How the work-up weighs a missed diagnosis and when it stops (expert estimates)."""

    must_not_miss_information_weight: float
    stop_top_probability: float
    stop_must_not_miss_residual: float
    reasoning: str


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole evidence base, validated, with precomputed log-likelihood tables.

    ``log_likelihood[finding][value]`` is a vector over ``condition_ids`` (same order), so a
    posterior is a sum of vectors. Non-informative values map to zeros.
    """

    version: str
    content_hash: str
    references: Mapping[str, Reference]
    conditions: Mapping[str, Condition]
    findings: Mapping[str, Finding]
    tests: Mapping[str, DiagnosticTest]
    red_flags: Mapping[str, RedFlagRule]
    settings: Mapping[str, Setting]
    condition_ids: tuple[str, ...]
    log_likelihood: Mapping[str, Mapping[str, NDArray[np.float64]]]
    policy: DecisionPolicy
    default_setting: str = "referral_clinic"
    network: DependenceNetwork = EMPTY_NETWORK  # declared dependence (knowledge/dependence.py)
    ranges: PlausibleRanges = NO_RANGES  # published ranges for robustness (knowledge/ranges.py)

    def must_not_miss_mask(self) -> NDArray[np.bool_]:
        """True for must-not-miss conditions, in ``condition_ids`` order."""
        return np.array([self.conditions[c].must_not_miss for c in self.condition_ids])

    def log_prior(self, setting: str) -> NDArray[np.float64]:
        """Log prior over ``condition_ids`` for a setting."""
        priors = self.settings[setting].priors
        return np.log(np.array([priors[c] for c in self.condition_ids], dtype=np.float64))
