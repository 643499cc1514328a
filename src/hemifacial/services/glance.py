"""Reading a case at a glance: the one-line summary, the strongest findings of each
condition, the next tests in clinical words (numbers kept one click away; tests done in part
first, with what is left to record from their reports), links of the references. Built from
the case's read model; no database, no new clinical content: every word is derived from the
engine's own numbers and the evidence base's names.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from hemifacial.domain.knowledge.model import KnowledgeBase, Reference
from hemifacial.domain.reasoning.assess import Assessment
from hemifacial.domain.reasoning.explain import Contribution, percent
from hemifacial.domain.reasoning.next_test import TestValue, completion_words

from .views import CaseView, Glance, TestAdvice

STRONGEST = 5  # findings shown per condition; the rest are folded
# Below these a test is not expected to move anything a clinician would notice.
SMALL_BITS = 0.05
SMALL_DANGER_BITS = 0.01
_DOI = re.compile(r"\bdoi:\s*(10\.\d{4,9}/[^\s\];,]+)", re.I)
_PMID = re.compile(r"\bPMID:?\s*(\d{5,9})\b")


def reference_url(ref: Reference) -> str | None:
    """A link for a reference, only from what its locator (quoted verbatim from the
    compiled reference) gives: a DOI or a PubMed id; None otherwise."""
    doi = _DOI.search(ref.locator)
    if doi:
        return "https://doi.org/" + doi.group(1).rstrip(".")
    pmid = _PMID.search(ref.locator)
    if pmid:
        return f"https://pubmed.ncbi.nlm.nih.gov/{pmid.group(1)}/"
    return None


def brief_name(name: str) -> str:
    """A condition's name without its parentheses (the worklist's column)."""
    return re.sub(r"\s*\([^)]*\)", "", name).strip() or name


def short_name(name: str) -> str:
    """'Tumour or other structural lesion' → 'tumour or other structural lesion';
    parentheses dropped, acronyms kept."""
    plain = brief_name(name)
    if len(plain) > 1 and plain[1].islower():
        plain = plain[0].lower() + plain[1:]
    return plain


def strongest(
    items: Sequence[Contribution], n: int = STRONGEST
) -> tuple[tuple[Contribution, ...], tuple[Contribution, ...]]:
    """The ``n`` findings that move a condition most (largest |log LR|), then the rest."""
    ranked = sorted(items, key=lambda c: -abs(c.log10_lr))
    return tuple(ranked[:n]), tuple(ranked[n:])


def test_words(kb: KnowledgeBase, a: Assessment, tv: TestValue) -> str:
    """What a test could do, in words a clinician uses, from its key outcomes and the
    information it carries about the cause and about the must-not-miss causes."""
    leader = a.leading
    words: list[str] = []
    if tv.urgent:
        words.append("called for by an urgent red flag")
    for o in tv.key_outcomes:
        flips = (o.condition_id == leader.condition_id and o.after < 0.5) or (
            o.condition_id != leader.condition_id and o.after >= 0.5
        )
        if flips and "could change the leading cause" not in words:
            words.append("could change the leading cause")
    dangers: list[str] = []
    for o in tv.key_outcomes:
        condition = kb.conditions.get(o.condition_id)
        if condition is not None and condition.must_not_miss and o.after >= 0.5:
            dangers.append(short_name(o.condition_name))
        elif o.condition_id == leader.condition_id and o.after > o.before and o.after >= 0.9:
            words.append(f"could confirm {short_name(o.condition_name)}")
    if dangers:
        words.append(f"would settle whether {' or '.join(dict.fromkeys(dangers))} is present")
    elif tv.danger_information_bits >= SMALL_DANGER_BITS:
        words.append("tells about the must-not-miss causes")
    if not words:
        small = tv.information_bits < SMALL_BITS
        words.append("unlikely to change the ranking" if small else "would sharpen the ranking")
    return "; ".join(dict.fromkeys(words))


def done_words(kb: KnowledgeBase, tv: TestValue) -> str:
    """A test done in part: what is left to record from its report (and its urgency)."""
    words = completion_words(kb, tv)
    return f"called for by an urgent red flag; {words}" if tv.urgent else words


def test_numbers(tv: TestValue) -> str:
    bits = (
        f"{tv.information_bits:.2f} bits about the cause, {tv.danger_information_bits:.2f} "
        "bits about a must-not-miss cause"
    )
    if tv.recorded_findings:  # done in part: nothing more to pay or wait for
        return f"{bits} in the findings still to record; the test itself is done"
    return (
        f"{bits}; cost {tv.cost} and burden {tv.burden} (of 5), result in about "
        f"{tv.turnaround_days} days"
    )


def _raw(view: CaseView, finding: str) -> str | None:
    for f in reversed(view.findings):
        if f.finding_id == finding and f.in_use:
            return f.value
    return None


def summary(view: CaseView, kb: KnowledgeBase, today: dt.date | None = None) -> tuple[str, ...]:
    """Age, sex, side, duration, leading cause, red flags — what is known of each."""
    year = (today or dt.date.today()).year
    age = year - view.case.birth_year if view.case.birth_year else None
    parts: list[str] = []
    if age is not None:
        parts.append(f"{age} years old")
    sex, side, onset = _raw(view, "sex"), _raw(view, "side"), _raw(view, "age_at_onset")
    if sex:
        parts.append(sex)
    if side:
        parts.append("both sides" if side == "both" else f"{side} side")
    if onset and onset.replace(".", "", 1).isdigit():
        years = age - float(onset) if age is not None else None
        if years is not None and years >= 1:
            parts.append(f"for about {years:.0f} year{'s' if round(years) != 1 else ''}")
        elif years is not None and years >= 0:
            parts.append("for under a year")
        else:
            parts.append(f"onset at {float(onset):.0f}")
    stored = view.assessment
    if stored is None:
        parts.append("not assessed yet")
        return tuple(parts)
    a = stored.result
    if not a.findings:
        parts.append("no findings yet")
    else:
        parts.append(f"leading: {short_name(a.leading.name)} {percent(a.leading.probability)}")
    levels = [f.level for f in a.red_flags]
    flags = ", ".join(f"{levels.count(x)} {x}" for x in ("urgent", "soon") if x in levels)
    parts.append(f"red flags: {flags}" if flags else "no red flags")
    return tuple(parts)


def glance(view: CaseView, kb: KnowledgeBase) -> Glance:
    stored = view.assessment
    if stored is None:
        return Glance(summary(view, kb), True, {}, {}, ())
    a = stored.result
    split = {cid: strongest(items) for cid, items in a.explanations.items()}
    # tests done in part first: reading a report already there comes before ordering more
    done = tuple(
        TestAdvice(
            tv.test_id, tv.name, done_words(kb, tv), test_numbers(tv), tv.reason, tv.urgent, True
        )
        for tv in a.tests.to_complete
    )
    tests = done + tuple(
        TestAdvice(
            tv.test_id, tv.name, test_words(kb, a, tv), test_numbers(tv), tv.reason, tv.urgent
        )
        for tv in a.tests.ranked[:5]
    )
    shown: Mapping[str, tuple[Contribution, ...]] = {c: s[0] for c, s in split.items()}
    folded: Mapping[str, tuple[Contribution, ...]] = {c: s[1] for c, s in split.items()}
    return Glance(summary(view, kb), not a.findings, shown, folded, tests)
