"""Provenance a reviewer can check, number by number.

Every prior and likelihood of the evidence base is one of three tiers, derived from its
fields (never labelled by hand):

* **measured** — ``support`` quotes the figure from ``clinical-evidence.md`` and the number
  *is* that figure (the loader checks that every probability matches a quoted figure);
* **derived** — ``support`` quotes the figures and ``arithmetic`` shows the sum, ratio or
  remainder that gives the number (the loader checks the arithmetic states every result);
* **estimate** — ``estimate`` gives the judgement and its reasoning; quoted figures, if any,
  are background only.

A number citing sources without an estimate must carry its ``support``. Whether each quote
really occurs in the reference file is checked by :func:`missing_quotes` (whitespace
normalised) when the file is at hand — in the tests and ``hemifacial kb check`` — because the
file lives outside the package and the packaged base must load without it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from hemifacial.domain.knowledge.model import KnowledgeBase, Provenance, Tier

MIN_REASONING = 25  # characters: a reason, not a label
# A quoted "64.9%" supports 0.649; rounding to three decimals (0.54% → 0.005) is tolerated.
ABSOLUTE_TOLERANCE = 0.0005
RELATIVE_TOLERANCE = 0.006

_FRACTION = re.compile(r"(\d+(?:\.\d+)?)\s*(?:/|\bof\b)\s*(\d[\d,]*(?:\.\d+)?)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_DECIMAL = re.compile(r"(?<![\d.])(0?\.\d+|1\.0+)(?![\d%])")


def figures(text: str) -> list[float]:
    """Every proportion a text states: percentages, fractions ``a/b`` or ``a of b``, decimals."""
    found = [float(m.group(1)) / 100 for m in _PERCENT.finditer(text)]
    for m in _FRACTION.finditer(text):
        denominator = float(m.group(2).replace(",", ""))
        if denominator > 0:
            found.append(float(m.group(1)) / denominator)
    found += [float(m.group(1)) for m in _DECIMAL.finditer(text)]
    return found


def matches(p: float, candidates: Iterable[float]) -> bool:
    """Whether ``p`` equals one of the stated figures, to the rounding shown."""
    tolerance = ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * p
    return any(abs(p - x) <= tolerance for x in candidates)


def normalise(text: str) -> str:
    """Whitespace collapsed, so a quote may be wrapped differently from the reference."""
    return " ".join(text.split())


def parse(
    where: str,
    entry: Mapping[str, Any],
    numbers: Mapping[str, float],
    cite: Callable[[str, Iterable[str]], tuple[str, ...]],
    add: Callable[[str], None],
) -> Provenance:
    """The provenance of one number (or distribution ``numbers``), its problems reported.

    ``numbers`` are the probabilities stated by the entry (P(yes) for a yes/no finding).
    """
    sources = cite(where, entry.get("sources") or ())
    estimate = entry.get("estimate")
    raw = entry.get("support") or ()
    support = (raw,) if isinstance(raw, str) else tuple(raw)
    arithmetic = entry.get("arithmetic")
    if estimate is not None and (not isinstance(estimate, str) or len(estimate) < MIN_REASONING):
        add(f"{where}: an expert estimate needs its reasoning, not just a word")
    if not sources and not estimate:
        add(f"{where}: number without a source or an expert estimate with reasoning")
    if any(not isinstance(q, str) or not q.strip() for q in support):
        add(f"{where}: support must be quoted text")
        support = ()
    if support and not sources:
        add(f"{where}: quoted support without the source it comes from")
    provenance = Provenance(
        sources=sources,
        estimate=estimate,
        note=entry.get("note"),
        support=tuple(normalise(q) for q in support),
        arithmetic=normalise(str(arithmetic)) if arithmetic else None,
    )
    if sources and not estimate:
        _check_cited(where, provenance, numbers, add)
    return provenance


def _check_cited(
    where: str, p: Provenance, numbers: Mapping[str, float], add: Callable[[str], None]
) -> None:
    if not p.support:
        add(
            f"{where}: a cited number needs its support (the figures quoted from the "
            "reference), or it is an expert estimate with its reasoning"
        )
        return
    if p.tier is Tier.MEASURED:
        stated = figures(" ".join(p.support))
        wrong = {v: x for v, x in numbers.items() if not matches(x, stated)}
        if wrong:
            add(
                f"{where}: {_show(wrong)} is not a figure of the quoted support — "
                "add the arithmetic (derived) or make it an expert estimate"
            )
    else:
        stated = figures(p.arithmetic or "")
        wrong = {v: x for v, x in numbers.items() if not matches(x, stated)}
        if wrong:
            add(f"{where}: the arithmetic does not arrive at {_show(wrong)}")


def _show(values: Mapping[str, float]) -> str:
    return ", ".join(f"{v} = {x:g}" for v, x in values.items())


def entries(kb: KnowledgeBase) -> Iterator[tuple[str, str, Provenance]]:
    """Every number of the base once: (where, condition id or 'default', provenance).

    Conditions that fall back on a finding's default share one number, reported once.
    """
    for setting in kb.settings.values():
        for cid, p in setting.provenance.items():
            yield f"prior of {cid} ({setting.id})", cid, p
    for finding in kb.findings.values():
        default_seen = False
        for cid, likelihood in finding.likelihoods.items():
            if likelihood.is_default:
                if default_seen:
                    continue
                default_seen, cid = True, "default"
            yield f"{finding.id} given {cid}", cid, likelihood.provenance


def missing_quotes(kb: KnowledgeBase, reference_text: str) -> list[str]:
    """Every quoted support that does not occur in the reference (whitespace-normalised)."""
    document = normalise(reference_text)
    return [
        f"{where}: quote not in the reference: “{quote}”"
        for where, _, p in entries(kb)
        for quote in p.support
        if quote not in document
    ]


def tier_counts(kb: KnowledgeBase) -> dict[str, Counter[str]]:
    """Numbers per tier, overall (key ``'all'``) and per condition (``'default'`` shared)."""
    counts: dict[str, Counter[str]] = {"all": Counter()}
    for _, cid, p in entries(kb):
        counts["all"][p.tier.value] += 1
        counts.setdefault(cid, Counter())[p.tier.value] += 1
    return counts
