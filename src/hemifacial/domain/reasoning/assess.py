"""One call that answers the clinic's questions for a case: :func:`assess`.

It assembles the ranking, the explanation of the leading conditions, the red flags, the
next tests and the treatment pathway, with the evidence-base version that produced them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.explain import Contribution, explain, percent
from hemifacial.domain.reasoning.next_test import TestPlan, plan_tests
from hemifacial.domain.reasoning.posterior import entropy_bits, log_posterior
from hemifacial.domain.reasoning.red_flags import RedFlag, red_flags, urgent_tests
from hemifacial.domain.reasoning.robustness import Robustness, robustness
from hemifacial.domain.types import Case

SCHEMA_VERSION = 1
EXPLAINED_CONDITIONS = 3
UNCERTAIN_BELOW = 0.5

LIMITS = (
    "Decision support only: it does not examine the patient and cannot replace the "
    "clinician's judgement.",
    "Assumes one condition explains the presentation and that findings are independent "
    "given the condition, except the dependences the evidence base declares (onset site and "
    "lower-face involvement, a past palsy and its sequels, known MS and its MRI and CSF, "
    "MRI lesions and their pontine site, trigeminal pain and painful spasms, a mass on CT and "
    "on MRI); other related findings can still be over-counted.",
    "Probabilities are only as good as the cited studies; many numbers are expert "
    "estimates, marked as such in the evidence base.",
    "Conditions outside its list (e.g. other movement disorders, drug effects not listed) "
    "are not considered.",
)


@dataclass(frozen=True)
class RankedCondition:
    condition_id: str
    name: str
    kind: str
    probability: float
    prior: float
    must_not_miss: bool


@dataclass(frozen=True)
class Assessment:
    kb_version: str
    kb_hash: str
    setting: str
    ranking: tuple[RankedCondition, ...]
    explanations: dict[str, tuple[Contribution, ...]]
    red_flags: tuple[RedFlag, ...]
    tests: TestPlan
    treatment_for: str
    status: str
    entropy_bits: float
    findings: dict[str, str]
    implied: tuple[str, ...]
    certainty: dict[str, float] = field(default_factory=dict)
    robustness: Robustness | None = None  # one-at-a-time sensitivity (reasoning/robustness.py)

    @property
    def leading(self) -> RankedCondition:
        return self.ranking[0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form with a versioned schema."""
        data = asdict(self)
        data["schema_version"] = SCHEMA_VERSION
        data["limits"] = list(LIMITS)
        for kind in ("ranked", "to_complete"):
            tests = getattr(self.tests, kind)
            data["tests"][kind] = [{**asdict(t), "reason": t.reason} for t in tests]
        plain: dict[str, Any] = _plain(data)
        return plain


def _plain(value: Any) -> Any:
    """Tuples to lists, recursively: the exact shape JSON gives back."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def assess(kb: KnowledgeBase, case: Case) -> Assessment:
    """Rank, explain, flag and plan for one case (pure; no I/O)."""
    log_post = log_posterior(kb, case.values, case.setting, case.certainty)
    probs = np.exp(log_post)
    priors = np.exp(kb.log_prior(case.setting))
    order = np.argsort(-probs, kind="stable")
    ranking = tuple(
        RankedCondition(
            condition_id=kb.condition_ids[i],
            name=kb.conditions[kb.condition_ids[i]].name,
            kind=kb.conditions[kb.condition_ids[i]].kind.value,
            probability=float(probs[i]),
            prior=float(priors[i]),
            must_not_miss=kb.conditions[kb.condition_ids[i]].must_not_miss,
        )
        for i in order
    )
    explanations = {
        r.condition_id: explain(
            kb, r.condition_id, case.values, case.setting, case.implied, case.certainty
        )
        for r in ranking[:EXPLAINED_CONDITIONS]
    }
    flags = red_flags(kb, case)
    return Assessment(
        kb_version=kb.version,
        kb_hash=kb.content_hash,
        setting=case.setting,
        ranking=ranking,
        explanations=explanations,
        red_flags=flags,
        tests=plan_tests(kb, case.values, case.setting, case.certainty, urgent_tests(flags)),
        treatment_for=ranking[0].condition_id,
        status=_status(kb, case, ranking),
        entropy_bits=entropy_bits(probs),
        findings=dict(case.values),
        implied=tuple(sorted(case.implied)),
        certainty=dict(case.certainty),
        robustness=robustness(kb, case.values, case.setting, case.certainty),
    )


def _status(kb: KnowledgeBase, case: Case, ranking: tuple[RankedCondition, ...]) -> str:
    informative = [f for f in case.values if kb.findings[f].informative]
    if not informative:
        return (
            "insufficient information: no findings yet, so these are the prior probabilities "
            f"for the setting ({kb.settings[case.setting].label})"
        )
    top = ranking[0]
    if top.probability < UNCERTAIN_BELOW:
        shown = percent(top.probability)
        return f"uncertain: the leading condition has only {shown}; see next tests"
    return f"leading: {top.name} ({percent(top.probability)})"
