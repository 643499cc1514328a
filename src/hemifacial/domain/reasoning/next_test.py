"""Which test next: expected information per unit of cost and burden.

For each test we simulate its possible results under the current posterior and measure two
mutual informations, in bits, both never negative:

* **information about the cause** — between the condition and the test result;
* **information about danger** — between "a must-not-miss cause is present" (tumour,
  vascular anomaly, demyelination, myokymia, seizures) and the result.

Tests are ranked by ``(cause bits + w × danger bits) / (cost + burden)`` with the weight
``w`` from the evidence base's decision policy (an expert estimate, 10). The danger term is
what makes an MRI worth doing when a tumour is only 0.5% likely: information about the cause
alone would barely notice it. Each estimate is the mean Kullback–Leibler divergence of the
updated from the current distribution, a form that is non-negative result by result.
Results are enumerated exactly when a test has at most ``EXACT_OUTCOMES`` combinations and
sampled otherwise with a fixed seed, so the ranking is deterministic.

References
----------
Lindley DV. On a measure of the information provided by an experiment. Ann Math Stat
1956;27:986–1005 (the general method; it contributes no number to the evidence base).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from hemifacial.domain.knowledge.model import DiagnosticTest, KnowledgeBase
from hemifacial.domain.reasoning.evidence import Certainty, outcome_tables
from hemifacial.domain.reasoning.explain import percent
from hemifacial.domain.reasoning.posterior import Vector, log_normalise, log_posterior

EXACT_OUTCOMES = 512
SAMPLES = 384
MIN_SCORE = 1e-4
MIN_QUESTION_VALUE = 0.01  # weighted bits: below this a history question is not worth asking
# Weighted bits below which one finding of a test is not worth proposing (CSF bands once MS is
# known carry ~1e-4): a tenth of a question's threshold, since a test's findings come together.
NEGLIGIBLE_FINDING = 0.001


@dataclass(frozen=True)
class Outcome:
    """A result that would move a condition most, for the reason shown to clinicians."""

    finding_id: str
    finding_label: str
    value: str
    condition_id: str
    condition_name: str
    before: float
    after: float


@dataclass(frozen=True)
class TestValue:
    test_id: str
    name: str
    information_bits: float
    danger_information_bits: float
    score: float
    cost: int
    burden: int
    turnaround_days: int
    pending_findings: tuple[str, ...]
    key_outcomes: tuple[Outcome, ...]
    replaces: str | None = None
    urgent: bool = False

    @property
    def reason(self) -> str:
        parts = [
            f"if {o.finding_label} = {o.value.replace('_', ' ')}: {o.condition_name} "
            f"{percent(o.before)} → {percent(o.after)}"
            for o in self.key_outcomes
        ]
        return "; ".join(parts) if parts else "confirms the working diagnosis"


@dataclass(frozen=True)
class TestPlan:
    """Ranked tests, the ones excluded and why, and whether testing should stop."""

    ranked: tuple[TestValue, ...]
    contraindicated: tuple[tuple[str, str], ...]
    stop: bool
    stop_reason: str
    superseded: tuple[tuple[str, str], ...] = ()


def _outcome_table(
    tables: Sequence[NDArray[np.float64]], log_post: Vector, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Log-likelihood sums per outcome (rows) and each outcome's weight.

    ``tables`` are independent groups of results given the condition (each: results ×
    conditions, from :func:`~.evidence.outcome_tables`). Exact enumeration gives weights
    P(outcome); sampling gives equal weights.
    """
    n_outcomes = int(np.prod([t.shape[0] for t in tables]))
    if n_outcomes <= EXACT_OUTCOMES:
        rows = np.zeros((1, len(log_post)))
        for t in tables:  # every combination: outer sum, flattened in product order
            rows = (rows[:, None, :] + t[None, :, :]).reshape(-1, len(log_post))
        joint = rows + log_post
        weights = np.exp(joint).sum(axis=1)
        return rows, weights / weights.sum()
    conditions = rng.choice(len(log_post), size=SAMPLES, p=np.exp(log_post))
    rows = np.zeros((SAMPLES, len(log_post)))
    for t in tables:
        probs = np.exp(t[:, conditions]).T  # samples × values
        cumulative = np.cumsum(probs, axis=1)
        draws = (rng.random(SAMPLES)[:, None] > cumulative).sum(axis=1)
        draws = np.minimum(draws, t.shape[0] - 1)
        rows += t[draws]
    return rows, np.full(SAMPLES, 1.0 / SAMPLES)


def _kl_bits(post: NDArray[np.float64], prior: NDArray[np.float64]) -> NDArray[np.float64]:
    """KL(post || prior) in bits for each row of ``post`` (0·log 0 taken as 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(post > 0, post * (np.log(post) - np.log(prior)), 0.0)
    result: NDArray[np.float64] = terms.sum(axis=1) / np.log(2)
    return result


def value_of_test(
    kb: KnowledgeBase,
    log_post: Vector,
    findings: tuple[str, ...],
    seed: int = 0,
    values: Mapping[str, str] | None = None,
    certainty: Certainty = None,
) -> tuple[float, float]:
    """Expected information (bits) about the cause and about must-not-miss causes.

    ``values``/``certainty`` are the findings behind ``log_post``; results of findings that
    depend on them are simulated given them. Both figures are non-negative by
    construction: every simulated result contributes a KL divergence, never negative.
    """
    if not findings:
        return 0.0, 0.0
    tables = [t for _, _, t in outcome_tables(kb, values or {}, certainty, findings)]
    rows, weights = _outcome_table(tables, log_post, np.random.default_rng(seed))
    cause_kl, danger_kl = _information_per_row(kb, rows, log_post)
    return max(float(np.dot(weights, cause_kl)), 0.0), max(float(np.dot(weights, danger_kl)), 0.0)


def _information_per_row(
    kb: KnowledgeBase, rows: NDArray[np.float64], log_post: Vector
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """For each simulated result (a row of log likelihoods): KL about the cause and danger."""
    post = np.exp(log_normalise(rows + log_post))
    prior = np.exp(log_post)
    mask = kb.must_not_miss_mask()
    danger_prior = np.array([[prior[mask].sum(), prior[~mask].sum()]])
    danger_post = np.stack([post[:, mask].sum(axis=1), post[:, ~mask].sum(axis=1)], axis=1)
    return _kl_bits(post, prior[None, :]), _kl_bits(danger_post, danger_prior)


def question_values(
    kb: KnowledgeBase,
    log_post: Vector,
    finding_ids: Sequence[str],
    values: Mapping[str, str] | None = None,
    certainty: Certainty = None,
) -> dict[str, float]:
    """Weighted expected information (bits) of asking each question on its own.

    The same quantity as :func:`value_of_test` for a one-finding test, computed for all
    questions in one vectorised pass (every answer of every question is one row).
    """
    if not finding_ids:
        return {}
    tables = [_single(kb, values, certainty, f)[1] for f in finding_ids]
    rows = np.concatenate(tables)
    owner = np.repeat(np.arange(len(tables)), [t.shape[0] for t in tables])
    weights = np.exp(rows + log_post).sum(axis=1)  # P(answer) for each row
    cause_kl, danger_kl = _information_per_row(kb, rows, log_post)
    per_row = weights * (cause_kl + kb.policy.must_not_miss_information_weight * danger_kl)
    totals = np.bincount(owner, weights=per_row, minlength=len(tables))
    return {f: max(float(v), 0.0) for f, v in zip(finding_ids, totals, strict=True)}


def _single(
    kb: KnowledgeBase, values: Mapping[str, str] | None, certainty: Certainty, finding_id: str
) -> tuple[tuple[str, ...], NDArray[np.float64]]:
    """One finding's results and log P(result | evidence, c) (results × conditions)."""
    ((_, combos, table),) = outcome_tables(kb, values or {}, certainty, (finding_id,))
    return tuple(c[0] for c in combos), table


def key_outcomes(
    kb: KnowledgeBase,
    log_post: Vector,
    findings: tuple[str, ...],
    limit: int = 2,
    values: Mapping[str, str] | None = None,
    certainty: Certainty = None,
) -> tuple[Outcome, ...]:
    """For the most telling findings of a test, the result that would move a condition most."""
    prior = np.exp(log_post)
    candidates = []
    for f in findings:
        best: Outcome | None = None
        results, table = _single(kb, values, certainty, f)
        for v, row in zip(results, table, strict=True):
            after = np.exp(log_normalise(log_post + row))
            i = int(np.argmax(np.abs(after - prior)))
            if best is None or abs(after[i] - prior[i]) > abs(best.after - best.before):
                cid = kb.condition_ids[i]
                best = Outcome(
                    f,
                    kb.findings[f].label,
                    v,
                    cid,
                    kb.conditions[cid].name,
                    float(prior[i]),
                    float(after[i]),
                )
        if best is not None:
            candidates.append(best)
    candidates.sort(key=lambda o: -abs(o.after - o.before))
    return tuple(candidates[:limit])


def cost_units(test: DiagnosticTest) -> float:
    """Cost tier plus burden tier (1–5 each): the denominator of the ranking."""
    return float(test.cost + test.burden)


def _contraindication(test: DiagnosticTest, values: Mapping[str, str]) -> str | None:
    for finding_id, value in test.contraindicated_if.items():
        if values.get(finding_id) == value:
            return f"{finding_id.replace('_', ' ')} = {value}"
    return None


def should_stop(kb: KnowledgeBase, log_post: Vector) -> tuple[bool, str]:
    """Stop once one condition is clear and the other must-not-miss causes are excluded.

    The figure shown ("must-not-miss causes together") includes the leading condition when
    it is itself must-not-miss; the stopping rule looks at the *other* dangerous causes,
    since a clear dangerous cause is a reason to act, not to keep testing.
    """
    prior = np.exp(log_post)
    top = int(np.argmax(prior))
    mask = kb.must_not_miss_mask()
    together = float(prior[mask].sum())
    others = together - (float(prior[top]) if mask[top] else 0.0)
    policy = kb.policy
    name = kb.conditions[kb.condition_ids[top]].name
    included = " (the leading one included)" if mask[top] else ""
    if prior[top] >= policy.stop_top_probability and others < policy.stop_must_not_miss_residual:
        return True, (
            f"cause clear: {name} at {percent(float(prior[top]))}, other must-not-miss causes "
            f"together {percent(others)} — no further test is expected to change management"
        )
    return False, (
        f"leading: {name} at {percent(float(prior[top]))}; must-not-miss causes together "
        f"{percent(together)}{included}"
    )


def plan_tests(
    kb: KnowledgeBase,
    values: Mapping[str, str],
    setting: str,
    certainty: Certainty = None,
    urgent: Sequence[str] = (),
) -> TestPlan:
    """Rank the tests that could still reveal something, best value per cost first.

    Tests named in ``urgent`` (those an urgent red flag calls for, e.g. the MRI) come first
    whatever their score, in the order given, marked ``urgent``; a contraindicated urgent
    test passes its urgency and its place to its alternative. Findings of a test that are
    no longer worth ``NEGLIGIBLE_FINDING`` on their own (e.g. CSF bands once MS is known)
    are not proposed. Once :func:`should_stop` says the cause is clear, nothing more is recommended.
    """
    log_post = log_posterior(kb, values, setting, certainty)
    stop, stop_reason = should_stop(kb, log_post)
    contraindicated: list[tuple[str, str]] = []
    blocked = {}
    urgent_order = {t: i for i, t in enumerate(dict.fromkeys(urgent))}
    for test in kb.tests.values():
        reason = _contraindication(test, values)
        if reason:
            contraindicated.append((test.id, reason))
            if test.instead:
                blocked[test.instead] = test.id
                if test.id in urgent_order:
                    urgent_order.setdefault(test.instead, urgent_order[test.id])
    superseded: list[tuple[str, str]] = []
    ranked: list[TestValue] = []
    excluded = {t for t, _ in contraindicated}
    for test in kb.tests.values():
        if stop or test.id in excluded:
            continue
        known = [f for f, v in test.not_needed_if.items() if values.get(f) == v]
        if known:
            superseded.append((test.id, f"{known[0].replace('_', ' ')} already established"))
            continue
        done = [s for s in test.superseded_by if any(f in values for f in kb.tests[s].reveals)]
        if done:
            superseded.append((test.id, f"{kb.tests[done[0]].name} already done"))
            continue
        flagged = test.id in urgent_order
        value = _test_value(kb, test, values, certainty, log_post, keep=flagged)
        if value is not None:
            ranked.append(replace(value, replaces=blocked.get(test.id), urgent=flagged))
    ranked.sort(key=lambda t: (urgent_order.get(t.test_id, len(urgent_order)), -t.score))
    return TestPlan(tuple(ranked), tuple(contraindicated), stop, stop_reason, tuple(superseded))


def _test_value(
    kb: KnowledgeBase,
    test: DiagnosticTest,
    values: Mapping[str, str],
    certainty: Certainty,
    log_post: Vector,
    keep: bool = False,
) -> TestValue | None:
    """The value of one test now, or ``None`` when it has nothing worth revealing.

    With ``keep`` (an urgent flag calls for the test) it is proposed whenever it has a result
    still to give, however little that result would move the ranking: urgency is about what
    must be acted on, and a danger already probable carries little *information*.
    """
    unknown = tuple(f for f in test.reveals if f not in values and kb.findings[f].informative)
    worth = question_values(kb, log_post, unknown, values, certainty)
    floor = MIN_QUESTION_VALUE if test.asks_questions else NEGLIGIBLE_FINDING
    pending = tuple(f for f in unknown if worth[f] >= floor) or (unknown if keep else ())
    if not pending:
        return None
    info, danger = value_of_test(kb, log_post, pending, values=values, certainty=certainty)
    weight = kb.policy.must_not_miss_information_weight
    score = (info + weight * danger) / cost_units(test)
    if score < MIN_SCORE and not keep:
        return None
    return TestValue(
        test_id=test.id,
        name=test.name,
        information_bits=info,
        danger_information_bits=danger,
        score=score,
        cost=test.cost,
        burden=test.burden,
        turnaround_days=test.turnaround_days,
        pending_findings=pending,
        key_outcomes=key_outcomes(kb, log_post, pending, values=values, certainty=certainty),
    )
