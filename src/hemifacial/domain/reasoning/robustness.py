"""How much the ranking depends on numbers that could plausibly be different.

For the leading condition and every must-not-miss condition we report the range of its
probability when each uncertain number moves, **one at a time**, across its plausible range
(a one-way sensitivity analysis, the "tornado" of decision analysis), and whether the
leading condition stays first under every such move.

The numbers that move:

* every **prior** of the setting: ×/÷2 on the odds (the other priors keep their proportions),
  or its published range from ``ranges.yaml`` (the tumour rate among HFS, 0.44–1%);
* every **estimated likelihood** the case uses — the factor an observed finding contributes
  under a condition (given its observed parent when it has one), when that number is an
  expert estimate: ×/÷2 on the odds, or a published range where one exists (lower-face onset
  in primary HFS, 0.78–17%). Cited likelihoods stay fixed unless a range is published.

Moving a number changes one condition's weight (a prior also rescales the others), so every
variant is one row of a matrix normalised in a single vectorised pass: a few hundred
posteriors cost well under a millisecond. Each range contains the point estimate (the
unmoved number is inside its own range).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.evidence import Certainty, conditioned_on, log_terms
from hemifacial.domain.reasoning.explain import percent
from hemifacial.domain.reasoning.posterior import log_normalise

ODDS_FACTOR = 2.0  # default plausible range: ×/÷2 on the odds (an expert convention)
STEADY = 0.05  # a range narrower than 5 points reads as "holds"


@dataclass(frozen=True)
class Parameter:
    """One number moved across its plausible range ``low``–``high`` (point ``point``)."""

    kind: str  # "prior" or "likelihood"
    condition_id: str
    finding_id: str | None
    value: str | None
    point: float
    low: float
    high: float
    basis: str  # "×/÷2 on the odds" or the published range's sources
    label: str  # e.g. "the structural lesion prior"


@dataclass(frozen=True)
class ConditionRange:
    """The probability of one condition across every one-at-a-time move."""

    condition_id: str
    name: str
    must_not_miss: bool
    probability: float
    low: float
    high: float
    driver: Parameter  # the number that moves it most
    wording: str


@dataclass(frozen=True)
class Robustness:
    """Robustness of an assessment, with a one-line wording for clinicians."""

    leading_id: str
    top1_holds: bool
    flipped_by: tuple[Parameter, ...]  # moves under which another condition leads
    conditions: tuple[ConditionRange, ...]  # the leading one first, then must-not-miss
    parameters: int
    wording: str
    method: str = (
        "one-at-a-time: priors and estimated likelihoods ×/÷2 on the odds, or published ranges"
    )


def _odds_range(p: NDArray[np.float64], factor: float = ODDS_FACTOR) -> NDArray[np.float64]:
    """Low and high ends (rows) of ×/÷``factor`` on the odds of each probability."""
    odds = p / (1.0 - p)
    return np.stack([odds / factor / (1 + odds / factor), odds * factor / (1 + odds * factor)])


def short_name(kb: KnowledgeBase, condition_id: str) -> str:
    """The condition's name without its parenthesis: "Vascular anomaly"."""
    return kb.conditions[condition_id].name.split(" (")[0]


@dataclass(frozen=True)
class _Moves:
    """Every parameter as arrays (cheap); :class:`Parameter` is built only for those shown."""

    condition: NDArray[np.int64]
    point: NDArray[np.float64]
    ends: NDArray[np.float64]  # (2, K): low, high
    is_prior: NDArray[np.bool_]
    finding: tuple[str | None, ...]
    published: tuple[str | None, ...]  # sources of a published range, else None

    def parameter(self, kb: KnowledgeBase, k: int, values: Mapping[str, str]) -> Parameter:
        cid = kb.condition_ids[int(self.condition[k])]
        fid = self.finding[k]
        value = values[fid] if fid else None
        if fid is None or value is None:
            label = f"the {short_name(kb, cid).lower()} prior"
        else:
            label = (
                f"P({kb.findings[fid].label} = {value.replace('_', ' ')} | {short_name(kb, cid)})"
            )
        return Parameter(
            "prior" if self.is_prior[k] else "likelihood", cid, fid, value,
            float(self.point[k]), float(self.ends[0, k]), float(self.ends[1, k]),
            self.published[k] or "×/÷2 on the odds", label,
        )  # fmt: skip


_ESTIMATED: dict[str, dict[str, tuple[NDArray[np.bool_], NDArray[np.bool_]]]] = {}


def _estimated(kb: KnowledgeBase, fid: str) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Per condition: is the finding's likelihood an estimate; is its declared conditional
    (given its parent) one. Cached per evidence-base content hash: the base is immutable."""
    cache = _ESTIMATED.setdefault(kb.content_hash, {})
    if fid not in cache:
        f = kb.findings[fid]
        dep = kb.network.dependences.get(fid)
        own = np.array([f.likelihoods[c].provenance.is_estimate for c in kb.condition_ids])
        declared = np.array(
            [dep is not None and dep.estimate is not None and c in dep.given
             for c in kb.condition_ids]
        )  # fmt: skip
        cache[fid] = (own, declared)
    return cache[fid]


def _moves(
    kb: KnowledgeBase,
    setting: str,
    values: Mapping[str, str],
    terms: Mapping[str, NDArray[np.float64]],
) -> _Moves:
    """Priors (all) and the estimated or range-published factors of the observed findings."""
    n = len(kb.condition_ids)
    priors = np.exp(kb.log_prior(setting))
    cond, point = [np.arange(n)], [priors]
    finding: list[str | None] = [None] * n
    published: dict[int, tuple[float, float, str]] = {}
    for (sid, cid), r in kb.ranges.priors.items():
        if sid == setting:
            published[kb.condition_ids.index(cid)] = (r.low, r.high, ", ".join(r.sources))
    for fid, value in values.items():
        f = kb.findings[fid]
        if not f.informative or value in f.noninformative:
            continue
        q = np.exp(terms[fid])
        given = bool(conditioned_on(kb, values, fid))
        own, declared = _estimated(kb, fid)
        estimated = own | declared if given else own.copy()
        ranged = {}
        for (rf, rv, cid), r in () if given else kb.ranges.likelihoods.items():
            if (rf, rv) == (fid, value):
                i = kb.condition_ids.index(cid)
                estimated[i] = True
                ranged[i] = (r.low, r.high, ", ".join(r.sources))
        keep = np.flatnonzero(estimated & (q > 0) & (q < 1))
        for j, i in enumerate(keep):
            if int(i) in ranged:
                published[sum(len(c) for c in cond) + j] = ranged[int(i)]
        cond.append(keep)
        point.append(q[keep])
        finding += [fid] * len(keep)
    points = np.concatenate(point)
    ends = _odds_range(points)
    sources: list[str | None] = [None] * len(points)
    for k, (low, high, src) in published.items():
        ends[:, k], sources[k] = (low, high), src
    is_prior = np.zeros(len(points), dtype=bool)
    is_prior[:n] = True
    return _Moves(np.concatenate(cond), points, ends, is_prior, tuple(finding), tuple(sources))


def _deltas(n: int, m: _Moves) -> NDArray[np.float64]:
    """Log-weight changes: rows 2k (low end) and 2k + 1 (high end) for parameter k."""
    k = len(m.condition)
    moved = m.ends.T.reshape(-1)  # low0, high0, low1, high1, …
    point = np.repeat(m.point, 2)
    where = np.repeat(m.condition, 2)
    prior = np.repeat(m.is_prior, 2)
    rows = np.zeros((2 * k, n))
    rows[prior] = np.log((1 - moved[prior]) / (1 - point[prior]))[:, None]
    rows[np.arange(2 * k), where] = np.log(moved / point)
    return rows


def robustness(
    kb: KnowledgeBase, values: Mapping[str, str], setting: str, certainty: Certainty = None
) -> Robustness:
    """One-at-a-time sensitivity of the leading and the must-not-miss conditions."""
    terms = log_terms(kb, values, certainty)
    base = kb.log_prior(setting) + sum(terms.values(), np.zeros(len(kb.condition_ids)))
    moves = _moves(kb, setting, values, terms)
    post = np.exp(log_normalise(base[None, :] + _deltas(len(base), moves)))
    point = np.exp(log_normalise(base))
    lead = int(np.argmax(point))
    flips = np.unique(np.flatnonzero(np.argmax(post, axis=1) != lead) // 2)
    targets = [lead] + [
        i for i, c in enumerate(kb.condition_ids) if kb.conditions[c].must_not_miss and i != lead
    ]
    ranges = tuple(_condition_range(kb, i, point, post, moves, values) for i in targets)
    return Robustness(
        leading_id=kb.condition_ids[lead],
        top1_holds=len(flips) == 0,
        flipped_by=tuple(moves.parameter(kb, int(k), values) for k in flips),
        conditions=ranges,
        parameters=len(moves.condition),
        wording=_headline(kb, ranges[0], flips, post, moves, values),
    )


def _condition_range(
    kb: KnowledgeBase,
    i: int,
    point: NDArray[np.float64],
    post: NDArray[np.float64],
    moves: _Moves,
    values: Mapping[str, str],
) -> ConditionRange:
    low = float(min(post[:, i].min(), point[i]))  # the point is always inside its range
    high = float(max(post[:, i].max(), point[i]))
    k = int(np.argmax(np.abs(post[0::2, i] - post[1::2, i])))
    driver = moves.parameter(kb, k, values)
    cid = kb.condition_ids[i]
    name = short_name(kb, cid)
    wording = f"{name} {percent(float(point[i]))} ({percent(low)}–{percent(high)})"
    if high - low >= STEADY:
        wording += f", most sensitive to {driver.label}"
    return ConditionRange(
        cid, name, kb.conditions[cid].must_not_miss, float(point[i]), low, high, driver, wording
    )


def _headline(
    kb: KnowledgeBase,
    lead: ConditionRange,
    flips: NDArray[np.int64],
    post: NDArray[np.float64],
    moves: _Moves,
    values: Mapping[str, str],
) -> str:
    """E.g. "holds under all plausible priors and estimates (primary HFS 81–93%)", or
    "depends on the structural lesion prior: primary HFS 21–58%, … can lead"."""
    if len(flips) == 0:
        span = f"{lead.name} {percent(lead.low)}–{percent(lead.high)}"
        return f"holds under all plausible priors and estimates ({span})"
    i = kb.condition_ids.index(lead.condition_id)
    swing = np.abs(post[2 * flips, i] - post[2 * flips + 1, i])
    k = int(flips[int(np.argmax(swing))])
    ends = post[2 * k : 2 * k + 2].copy()
    lo, hi = sorted(float(v) for v in ends[:, i])
    ends[:, i] = -1.0
    rival = short_name(kb, kb.condition_ids[int(np.argmax(ends.max(axis=0)))])
    return (
        f"depends on {moves.parameter(kb, k, values).label}: {lead.name} {percent(lo)}–"
        f"{percent(hi)}, {rival} can lead ({len(flips)} of {len(moves.condition)} numbers "
        "can change the leader)"
    )
