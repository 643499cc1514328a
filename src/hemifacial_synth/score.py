"""Score detected one-sided events against the ground truth of either family.

Rules (as in issue 11): only calls whose kind is ``clonic`` or ``tonic`` count; a call
matches a true event on the same side when the onsets are within :data:`ONSET_TOL_S`
(each call matches at most one event, nearest onset first). Laterality is per clip (the
clip's affected side against the true side). On healthy clips every counted call is a false
one-sided event, and any severity grade above 0 is a false grade.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

ONSET_TOL_S = 0.15
COUNTED_KINDS = ("clonic", "tonic")
DEEP = 0.4


@dataclass(frozen=True)
class Call:
    """One detected event, reduced to what the scorer needs."""

    start_s: float
    side: str
    kind: str


@dataclass(frozen=True)
class ClipResult:
    """What a detector said about one clip."""

    calls: tuple[Call, ...]
    affected_side: str
    graded: bool


@dataclass
class Tally:
    """Running totals over clips (see :meth:`figures`)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    side_ok: int = 0
    side_n: int = 0
    deep: list[int] = field(default_factory=lambda: [0, 0])
    shallow: list[int] = field(default_factory=lambda: [0, 0])
    lower: list[int] = field(default_factory=lambda: [0, 0])
    healthy_n: int = 0
    healthy_false_events: int = 0
    healthy_graded: int = 0
    failed_healthy: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        """Precision, recall, F1, laterality and the per-group recalls (None when empty)."""
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else None
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else None
        f1 = 2 * p * r / (p + r) if p is not None and r is not None and p + r else None

        def rate(pair: list[int]) -> float | None:
            return pair[0] / pair[1] if pair[1] else None

        return {
            "events": self.tp + self.fn,
            "precision": p,
            "recall": r,
            "f1": f1,
            "laterality": self.side_ok / self.side_n if self.side_n else None,
            "clips_with_events": self.side_n,
            "recall_depth_ge_0.4": rate(self.deep),
            "recall_depth_lt_0.4": rate(self.shallow),
            "recall_lower_face": rate(self.lower),
            "healthy_clips": self.healthy_n,
            "healthy_false_one_sided": self.healthy_false_events,
            "healthy_graded": self.healthy_graded,
        }


def match(truth: Sequence[dict[str, Any]], calls: Iterable[Call]) -> list[int | None]:
    """For each true event the index of its matching counted call (None: missed)."""
    counted = [(k, c) for k, c in enumerate(calls) if c.kind in COUNTED_KINDS]
    pairs = sorted(
        (abs(c.start_s - float(t["onset_s"])), i, k)
        for i, t in enumerate(truth)
        for k, c in counted
        if c.side == t["side"] and abs(c.start_s - float(t["onset_s"])) <= ONSET_TOL_S
    )
    out: list[int | None] = [None] * len(truth)
    used: set[int] = set()
    for _, i, k in pairs:
        if out[i] is None and k not in used:
            out[i] = k
            used.add(k)
    return out


def add_clip(tally: Tally, truth: dict[str, Any], result: ClipResult, name: str = "") -> None:
    """Add one clip's result to ``tally``."""
    events = truth["events"]
    n_counted = sum(c.kind in COUNTED_KINDS for c in result.calls)
    if not events:
        tally.healthy_n += 1
        tally.healthy_false_events += n_counted
        tally.healthy_graded += result.graded
        tally.fp += n_counted
        if n_counted or result.graded:
            tally.failed_healthy.append(name)
        return
    found = match(events, result.calls)
    hits = sum(k is not None for k in found)
    tally.tp += hits
    tally.fn += len(events) - hits
    tally.fp += n_counted - hits
    tally.side_n += 1
    tally.side_ok += result.affected_side == truth["side"]
    for e, k in zip(events, found, strict=True):
        group = tally.deep if float(e["depth"]) >= DEEP else tally.shallow
        group[0] += k is not None
        group[1] += 1
        if e["region"] == "lower":
            tally.lower[0] += k is not None
            tally.lower[1] += 1


def from_analysis(analysis: Any) -> ClipResult:
    """A :class:`ClipResult` from a :class:`~hemifacial.analysis.types.VideoAnalysis`.

    A missing severity (a detector that declines to grade) counts as not graded."""
    calls = tuple(Call(e.start_s, e.side, e.kind) for e in analysis.events)
    sev = getattr(analysis.metrics, "severity", None)
    graded = bool(sev is not None and getattr(sev, "jankovic_severity", 0) > 0)
    return ClipResult(calls, str(analysis.metrics.affected_side), graded)
