"""Red-flag rules from ``red_flags.yaml``: their findings, level, sources and first test.

A rule is a list of alternatives, each a set of findings that must all hold (exact values, or
numbers ``{below: x}`` / ``{at_least: x}``). An urgent rule whose action is a test of the
base names it as ``first_test``: the work-up then puts that test first whatever its
information value (``reasoning/next_test.py``), because information value measures how much
a test would change the ranking, not how soon its result is needed. ``then_tests`` are the
further tests the same urgent action calls for, in order, after the first (same-day glucose,
then video-EEG): once the first is done, they still come before the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from hemifacial.domain.knowledge.model import Criterion, Finding, RedFlagRule

LEVELS = ("urgent", "soon")


def red_flag_rule(
    rid: str,
    r: Mapping[str, Any],
    findings: Mapping[str, Finding],
    tests: Iterable[str],
    report: Callable[[str], None],
    cite: Callable[[str, Iterable[str]], tuple[str, ...]],
) -> RedFlagRule:
    """One rule, every problem passed to ``report`` (the loader collects them)."""
    where = f"red flag '{rid}'"
    alternatives = []
    for clause in r["when"]:
        criteria = []
        for fid, spec in clause.items():
            if fid not in findings:
                report(f"{where}: unknown finding '{fid}'")
                continue
            if isinstance(spec, Mapping):
                criteria.append(
                    Criterion(fid, below=spec.get("below"), at_least=spec.get("at_least"))
                )
            elif str(spec) in findings[fid].values:
                criteria.append(Criterion(fid, equals=str(spec)))
            else:
                report(f"{where}: '{spec}' is not a value of '{fid}'")
        alternatives.append(tuple(criteria))
    level = str(r.get("level"))
    if level not in LEVELS:
        report(f"{where}: level must be 'urgent' or 'soon'")
    first_test = r.get("first_test")
    known = set(tests)
    if first_test is not None and first_test not in known:
        report(f"{where}: unknown first_test '{first_test}'")
    if first_test is not None and level != "urgent":
        report(f"{where}: only an urgent flag names a first_test")
    then_tests = tuple(str(t) for t in r.get("then_tests", ()))
    for t in then_tests:
        if t not in known:
            report(f"{where}: unknown then_test '{t}'")
    if then_tests and first_test is None:
        report(f"{where}: then_tests need a first_test")
    sources = cite(where, r.get("sources", ()))
    if not sources:
        report(f"{where}: needs a citation")
    explains = tuple(
        (str(other), frozenset(str(f) for f in only))
        for other, only in (r.get("explains") or {}).items()
    )
    for _, only in explains:
        for fid in sorted(set(only) - set(findings)):
            report(f"{where}: explains an unknown finding '{fid}'")
    return RedFlagRule(
        rid,
        tuple(alternatives),
        level,
        str(r["message"]),
        str(r["action"]),
        sources,
        first_test=None if first_test is None else str(first_test),
        then_tests=then_tests,
        explains=explains,
        supersedes=frozenset(str(x) for x in r.get("supersedes", ())),
    )


def check_flag_relations(rules: Mapping[str, RedFlagRule], report: Callable[[str], None]) -> None:
    """Every flag named by another's ``explains`` or ``supersedes`` exists."""
    for rule in rules.values():
        named = {other for other, _ in rule.explains} | rule.supersedes
        for other in sorted(named - set(rules)):
            report(f"red flag '{rule.id}': unknown red flag '{other}' in explains/supersedes")
        if rule.id in named:
            report(f"red flag '{rule.id}': explains or supersedes itself")
