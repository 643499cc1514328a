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

A test of which a finding only it reveals is already recorded is *done in part* (the MRI
once its root-exit-zone contact is recorded): it is not ranked again at full cost and
burden but returned apart, in ``TestPlan.to_complete``, with the findings still worth
reading from its report and those already recorded (:func:`done_in_part`).

Speed (goal: the full ranking < 20 ms). A plan builds each finding's outcome table once
(:class:`_Tables`) — tables that do not depend on the case (independent findings, trees with
nothing observed) once per knowledge base (:class:`_Static`) — values every candidate test's
unknown findings as questions in one vectorised pass, takes the key outcomes from the
posteriors that pass computed, and samples all groups of a large test at once. Each is the
same arithmetic as before in the same order: ``tests/domain/test_next_test_frozen.py``
checks the plans against those frozen before the change.

References
----------
Lindley DV. On a measure of the information provided by an experiment. Ann Math Stat
1956;27:986–1005 (the general method; it contributes no number to the evidence base).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
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
    # A test done in part (:attr:`TestPlan.to_complete`): its findings already recorded;
    # ``pending_findings`` are then the ones still worth reading from its report.
    recorded_findings: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        parts = [
            f"if {o.finding_label} = {o.value.replace('_', ' ')}: {o.condition_name} "
            f"{percent(o.before)} → {percent(o.after)}"
            for o in self.key_outcomes
        ]
        return "; ".join(parts) if parts else "confirms the working diagnosis"


def finding_words(kb: KnowledgeBase, finding_id: str) -> str:
    """A finding's label as it reads inside a sentence about its test: without the test's
    prefix ("MRI: ", "CSF: "), without parentheses, lower case unless an acronym leads."""
    label = kb.findings[finding_id].label if finding_id in kb.findings else finding_id
    head, sep, rest = label.partition(": ")
    plain = re.sub(r"\s*\([^)]*\)", "", rest if sep else head).strip() or label
    if len(plain) > 1 and plain[1].islower():
        plain = plain[0].lower() + plain[1:]
    return plain


def completion_words(kb: KnowledgeBase, tv: TestValue) -> str:
    """What to do with a test done in part, in clinical words: read the rest of its report.

    E.g. "done: record what its report says about mass or structural lesion along the facial
    nerve; demyelinating lesions (recorded so far: vessel contact at the facial nerve root
    exit zone, symptomatic side)". The findings are separated by semicolons: their labels
    may hold commas.
    """
    pending = "; ".join(finding_words(kb, f) for f in tv.pending_findings)
    recorded = "; ".join(finding_words(kb, f) for f in tv.recorded_findings)
    words = f"done: record what its report says about {pending}"
    return f"{words} (recorded so far: {recorded})" if recorded else words


@dataclass(frozen=True)
class TestPlan:
    """Ranked tests, the ones excluded and why, and whether testing should stop.

    ``to_complete`` are tests done in part (see :func:`plan_tests`): not to be ordered again,
    their reports to be read for the findings still missing. Stored plans from before the
    field read back with it empty.
    """

    ranked: tuple[TestValue, ...]
    contraindicated: tuple[tuple[str, str], ...]
    stop: bool
    stop_reason: str
    superseded: tuple[tuple[str, str], ...] = ()
    to_complete: tuple[TestValue, ...] = ()


class _Static:
    """What the ranking reuses across cases of one knowledge base (it is immutable).

    The mask of the must-not-miss conditions, and the outcome tables that do not depend on
    the case: a finding outside every dependence tree always has the same table, and so has a
    group of tree members while nothing of their tree is observed. Filled as they are first
    needed; bounded by the knowledge base's findings and tests.
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        self.mask = kb.must_not_miss_mask()
        revealed_by = Counter(f for t in kb.tests.values() for f in t.reveals)
        # findings only one test reveals: one of them recorded shows that test was done
        self.sole = frozenset(f for f, n in revealed_by.items() if n == 1)
        self.tables: dict[tuple[str, ...], tuple[tuple[tuple[str, ...], ...], Table]] = {}


Table = NDArray[np.float64]
_STATIC: dict[int, tuple[KnowledgeBase, _Static]] = {}
_STATIC_LOCK = threading.Lock()
STATIC_CACHE = 4  # knowledge bases kept (the app has one; tests build edited copies)


def _static(kb: KnowledgeBase) -> _Static:
    """The case-independent part for ``kb``: keyed by identity, the base kept alive with its
    entry so that its id cannot be reused while the entry exists."""
    entry = _STATIC.get(id(kb))
    if entry is not None and entry[0] is kb:
        return entry[1]
    with _STATIC_LOCK:
        while len(_STATIC) >= STATIC_CACHE:
            _STATIC.pop(next(iter(_STATIC)), None)
        static = _Static(kb)
        _STATIC[id(kb)] = (kb, static)
        return static


class _Tables:
    """The outcome tables of one case (its values and certainty), each computed once.

    A plan asks for the same finding's table three times (its worth as a question, the
    test's information, the key outcomes); each is built by
    :func:`~.evidence.outcome_tables` exactly as before and kept, in the knowledge base's
    cache when it does not depend on the case (see :class:`_Static`).
    """

    def __init__(self, kb: KnowledgeBase, values: Mapping[str, str], certainty: Certainty):
        self.kb, self.values, self.certainty = kb, values, certainty
        self.static = _static(kb)
        root_of = kb.network.root_of
        self.observed = {root_of[f] for f in values if f in root_of}
        self._own: dict[tuple[str, ...], tuple[tuple[tuple[str, ...], ...], Table]] = {}

    def group(
        self, root: str | None, members: tuple[str, ...]
    ) -> tuple[tuple[tuple[str, ...], ...], Table]:
        """Value combinations and table of findings of one group (one tree, or one
        independent finding)."""
        cache = self._own if root in self.observed else self.static.tables
        hit = cache.get(members)
        if hit is None:
            ((_, combos, table),) = outcome_tables(self.kb, self.values, self.certainty, members)
            table.setflags(write=False)  # shared by every later plan: nobody may change it
            hit = cache[members] = (tuple(combos), table)
        return hit

    def single(self, finding_id: str) -> tuple[tuple[str, ...], Table]:
        """One finding's results and log P(result | evidence, c) (results × conditions)."""
        combos, table = self.group(self.kb.network.tree_of(finding_id), (finding_id,))
        return tuple(c[0] for c in combos), table

    def tables(self, findings: Sequence[str]) -> list[Table]:
        """The tables of :func:`~.evidence.outcome_tables` for ``findings``, same order:
        independent findings first as given, then one group per tree by first appearance."""
        out: list[Table] = []
        groups: dict[str, list[str]] = {}
        for fid in findings:
            root = self.kb.network.tree_of(fid)
            if root is None:
                out.append(self.group(None, (fid,))[1])
            else:
                groups.setdefault(root, []).append(fid)
        out.extend(self.group(root, tuple(members))[1] for root, members in groups.items())
        return out


def _outcome_table(
    tables: Sequence[NDArray[np.float64]], log_post: Vector, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Log-likelihood sums per outcome (rows) and each outcome's weight.

    ``tables`` are independent groups of results given the condition (each: results ×
    conditions, from :func:`~.evidence.outcome_tables`). Exact enumeration gives weights
    P(outcome); sampling gives equal weights. Sampling draws every group's uniforms in one
    call (the same stream as one call per group) and picks every group's result at once; the
    sums are still added group by group, in order, so the rows are those of drawing group by
    group, to the last bit.
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
    uniforms = rng.random((len(tables), SAMPLES))  # one call per group gave the same stream
    sizes = np.array([t.shape[0] for t in tables])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    every = np.concatenate(tables)  # all groups' results, stacked
    # a result is drawn by counting its group's cumulative probabilities (given the sampled
    # condition) below the group's uniform, clipped to the last result
    cumulative = np.concatenate([np.cumsum(np.exp(t), axis=0) for t in tables])
    below = uniforms[np.repeat(np.arange(len(tables)), sizes)] > cumulative[:, conditions]
    counts = np.add.reduceat(below, starts, axis=0, dtype=np.intp)
    draws = np.minimum(counts, (sizes - 1)[:, None])
    # summed over the groups in order (a reduction over the first axis adds slice by slice)
    rows = every[starts[:, None] + draws].sum(axis=0)
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
    return _value_of_test(_Tables(kb, values or {}, certainty), log_post, findings, seed)


def _value_of_test(
    cases: _Tables, log_post: Vector, findings: Sequence[str], seed: int = 0
) -> tuple[float, float]:
    if not findings:
        return 0.0, 0.0
    tables = cases.tables(findings)
    rows, weights = _outcome_table(tables, log_post, np.random.default_rng(seed))
    _, cause_kl, danger_kl = _information_per_row(cases.static, rows, log_post)
    return max(float(np.dot(weights, cause_kl)), 0.0), max(float(np.dot(weights, danger_kl)), 0.0)


def _information_per_row(
    static: _Static, rows: NDArray[np.float64], log_post: Vector
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """For each simulated result (a row of log likelihoods): the posterior, KL about the
    cause and about danger."""
    post = np.exp(log_normalise(rows + log_post))
    prior = np.exp(log_post)
    mask = static.mask
    danger_prior = np.array([[prior[mask].sum(), prior[~mask].sum()]])
    danger_post = np.stack([post[:, mask].sum(axis=1), post[:, ~mask].sum(axis=1)], axis=1)
    return post, _kl_bits(post, prior[None, :]), _kl_bits(danger_post, danger_prior)


@dataclass(frozen=True)
class _Questions:
    """Each finding asked on its own: its weighted bits, and for each of its results (rows,
    in the order of :meth:`_Tables.single`, ``rows[f]`` the slice of finding ``f``) the
    condition it moves most, the posterior after it and the size of that move."""

    worth: dict[str, float]
    rows: dict[str, slice]
    after: NDArray[np.float64]
    moved: NDArray[np.intp]
    move: NDArray[np.float64]


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
    return _questions(_Tables(kb, values or {}, certainty), log_post, finding_ids).worth


def _questions(cases: _Tables, log_post: Vector, finding_ids: Sequence[str]) -> _Questions:
    """:func:`question_values` with the posteriors it computes on the way, kept for
    :func:`_key_outcomes` (each row is computed on its own, so the batch changes nothing)."""
    if not finding_ids:
        none = np.zeros((0, len(log_post)))
        return _Questions({}, {}, none, np.zeros(0, dtype=np.intp), np.zeros(0))
    tables = [cases.single(f)[1] for f in finding_ids]
    rows = np.concatenate(tables)
    sizes = [t.shape[0] for t in tables]
    owner = np.repeat(np.arange(len(tables)), sizes)
    weights = np.exp(rows + log_post).sum(axis=1)  # P(answer) for each row
    post, cause_kl, danger_kl = _information_per_row(cases.static, rows, log_post)
    weight = cases.kb.policy.must_not_miss_information_weight
    per_row = weights * (cause_kl + weight * danger_kl)
    totals = np.bincount(owner, weights=per_row, minlength=len(tables))
    bounds = np.cumsum([0, *sizes])
    moves = np.abs(post - np.exp(log_post))
    moved = np.argmax(moves, axis=1)
    return _Questions(
        {f: max(float(v), 0.0) for f, v in zip(finding_ids, totals, strict=True)},
        {f: slice(int(bounds[i]), int(bounds[i + 1])) for i, f in enumerate(finding_ids)},
        post,
        moved,
        moves[np.arange(len(moves)), moved],
    )


def key_outcomes(
    kb: KnowledgeBase,
    log_post: Vector,
    findings: tuple[str, ...],
    limit: int = 2,
    values: Mapping[str, str] | None = None,
    certainty: Certainty = None,
) -> tuple[Outcome, ...]:
    """For the most telling findings of a test, the result that would move a condition most."""
    cases = _Tables(kb, values or {}, certainty)
    return _key_outcomes(cases, log_post, _questions(cases, log_post, findings), findings, limit)


def _key_outcomes(
    cases: _Tables,
    log_post: Vector,
    questions: _Questions,
    findings: Sequence[str],
    limit: int = 2,
) -> tuple[Outcome, ...]:
    """:func:`key_outcomes` from the moves :func:`_questions` computed: per finding the
    result whose largest move is largest (the first of equal ones, as a loop over the results
    keeping strict improvements would)."""
    kb = cases.kb
    prior = np.exp(log_post)
    candidates = []
    for f in findings:
        results = cases.single(f)[0]
        if not results:
            continue
        rows = questions.rows[f]
        r = rows.start + int(np.argmax(questions.move[rows]))
        i = int(questions.moved[r])
        cid = kb.condition_ids[i]
        candidates.append(
            Outcome(
                f,
                kb.findings[f].label,
                results[r - rows.start],
                cid,
                kb.conditions[cid].name,
                float(prior[i]),
                float(questions.after[r, i]),
            )
        )
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
    A ``fallback_only`` test (CT) is proposed only in place of the test it stands in for when
    that one is contraindicated, never beside it.

    A test :func:`done_in_part` (e.g. the MRI once its root-exit-zone contact is recorded)
    is not ranked by cost: it has been done, and ordering it again at full cost and burden
    would be wrong. If findings of it are still worth recording (the same floors, and the
    same urgency), it is returned in ``to_complete`` with the findings already recorded, so
    that its report is read for the rest; if none are, it is listed nowhere, like a test
    done in full. A test contraindicated now but done in part (an MRI before a pacemaker) is
    both: not advised again, and its report still to be read.
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
    candidates: list[DiagnosticTest] = []
    # a contraindicated test already done in part is still listed "not advised" (not to be
    # repeated) and its report still read: reading it needs no scan (an MRI before the
    # pacemaker)
    excluded = {t for t, _ in contraindicated if not done_in_part(kb, kb.tests[t], values)}
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
        if test.fallback_only and test.id not in blocked:
            first = next(t.name for t in kb.tests.values() if t.instead == test.id)
            superseded.append((test.id, f"only when {first} is not possible"))
            continue
        candidates.append(test)
    # every candidate's unknown findings valued as questions in one pass (a finding two
    # tests reveal is valued once), their tables built once for the whole plan
    cases = _Tables(kb, values, certainty)
    unknown = {t.id: _unknown(kb, t, values) for t in candidates}
    questions = _questions(
        cases, log_post, list(dict.fromkeys(f for u in unknown.values() for f in u))
    )
    ranked: list[TestValue] = []
    to_complete: list[TestValue] = []
    for test in candidates:
        flagged = test.id in urgent_order
        value = _test_value(cases, test, unknown[test.id], questions, log_post, keep=flagged)
        if value is None:
            continue
        value = replace(value, replaces=blocked.get(test.id), urgent=flagged)
        if done_in_part(kb, test, values):
            recorded = tuple(f for f in test.reveals if f in values)
            to_complete.append(replace(value, recorded_findings=recorded))
        else:
            ranked.append(value)

    def order(t: TestValue) -> tuple[int, float]:
        return urgent_order.get(t.test_id, len(urgent_order)), -t.score

    return TestPlan(
        tuple(sorted(ranked, key=order)),
        tuple(contraindicated),
        stop,
        stop_reason,
        tuple(superseded),
        tuple(sorted(to_complete, key=order)),
    )


def done_in_part(kb: KnowledgeBase, test: DiagnosticTest, values: Mapping[str, str]) -> bool:
    """Whether the case shows ``test`` was done: a finding only it reveals is recorded.

    A finding two tests reveal (MRI demyelination: the MRI protocol and the MS work-up) does
    not tell which was done, so it does not count. A questionnaire (history and
    examination) is never "done": its questions are asked one by one.
    """
    if test.asks_questions:
        return False
    sole = _static(kb).sole
    return any(f in values and f in sole for f in test.reveals)


def _unknown(kb: KnowledgeBase, test: DiagnosticTest, values: Mapping[str, str]) -> tuple[str, ...]:
    """The informative findings of a test not yet recorded."""
    return tuple(f for f in test.reveals if f not in values and kb.findings[f].informative)


def _test_value(
    cases: _Tables,
    test: DiagnosticTest,
    unknown: tuple[str, ...],
    questions: _Questions,
    log_post: Vector,
    keep: bool = False,
) -> TestValue | None:
    """The value of one test now, or ``None`` when it has nothing worth revealing.

    With ``keep`` (an urgent flag calls for the test) it is proposed whenever it has a result
    still to give, however little that result would move the ranking: urgency is about what
    must be acted on, and a danger already probable carries little *information*.
    """
    worth = questions.worth
    floor = MIN_QUESTION_VALUE if test.asks_questions else NEGLIGIBLE_FINDING
    pending = tuple(f for f in unknown if worth[f] >= floor) or (unknown if keep else ())
    if not pending:
        return None
    info, danger = _value_of_test(cases, log_post, pending)
    weight = cases.kb.policy.must_not_miss_information_weight
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
        key_outcomes=_key_outcomes(cases, log_post, questions, pending),
    )
