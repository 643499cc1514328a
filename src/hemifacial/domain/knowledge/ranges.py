"""Published plausible ranges of priors and likelihoods (``data/ranges.yaml``).

The robustness analysis moves every prior and every estimated likelihood across a
plausible range: ×/÷2 on the odds by default, or the range published for that number when
``ranges.yaml`` gives one (each with its sources and the figures quoted in a note).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PlausibleRange:
    """``low``–``high`` for one number, with where the range comes from."""

    low: float
    high: float
    sources: tuple[str, ...]
    note: str | None


@dataclass(frozen=True)
class PlausibleRanges:
    """Ranges keyed by (setting, condition) for priors, (finding, value, condition) for
    likelihoods."""

    priors: Mapping[tuple[str, str], PlausibleRange] = field(default_factory=dict)
    likelihoods: Mapping[tuple[str, str, str], PlausibleRange] = field(default_factory=dict)


NO_RANGES = PlausibleRanges()


def build_ranges(
    doc: Mapping[str, Any],
    point: Callable[[tuple[str, ...]], float | None],
    report: Callable[[str], None],
    describe: Callable[[str, Mapping[str, Any]], Any],
) -> PlausibleRanges:
    """Parse ``ranges.yaml``; ``point(key)`` gives the number a range is about (or None)."""
    priors: dict[tuple[str, str], PlausibleRange] = {}
    for sid, by_condition in (doc.get("priors") or {}).items():
        for cid, entry in by_condition.items():
            where = f"range of the {sid} prior of '{cid}'"
            r = _range(where, (sid, cid), entry, point, report, describe)
            if r is not None:
                priors[(sid, cid)] = r
    likelihoods: dict[tuple[str, str, str], PlausibleRange] = {}
    for fid, by_condition in (doc.get("likelihoods") or {}).items():
        for cid, entry in by_condition.items():
            key = (fid, str(entry.get("value")), cid)
            r = _range(f"range of P({key[0]} = {key[1]} | {cid})", key, entry, point, report,
                       describe)  # fmt: skip
            if r is not None:
                likelihoods[key] = r
    return PlausibleRanges(priors, likelihoods)


def _range(
    where: str,
    key: tuple[str, ...],
    entry: Mapping[str, Any],
    point: Callable[[tuple[str, ...]], float | None],
    report: Callable[[str], None],
    describe: Callable[[str, Mapping[str, Any]], Any],
) -> PlausibleRange | None:
    value = point(key)
    bounds = entry.get("range")
    if value is None:
        report(f"{where}: no such number in the base")
        return None
    if (
        not isinstance(bounds, list)
        or len(bounds) != 2
        or not 0 < bounds[0] <= value <= bounds[1] < 1
    ):
        report(f"{where}: range must be [low, high] in (0, 1) around {value:g}, got {bounds!r}")
        return None
    prov = describe(where, entry)
    return PlausibleRange(float(bounds[0]), float(bounds[1]), prov.sources, prov.note)


def point_lookup(
    findings: Mapping[str, Any], settings: Mapping[str, Any]
) -> Callable[[tuple[str, ...]], float | None]:
    """The number a range key names: (setting, condition) or (finding, value, condition)."""

    def point(key: tuple[str, ...]) -> float | None:
        if len(key) == 2:
            s = settings.get(key[0])
            return None if s is None else s.priors.get(key[1])
        f = findings.get(key[0])
        lik = None if f is None else f.likelihoods.get(key[2])
        return None if lik is None else lik.probabilities.get(key[1])

    return point
