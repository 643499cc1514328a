"""Provenance a reviewer can check: quoted support, three tiers, and the loader's checks."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from hemifacial.domain.knowledge import provenance
from hemifacial.domain.knowledge.loader import (
    FINDING_FILES,
    default_data_dir,
    load_knowledge_base,
)
from hemifacial.domain.knowledge.model import KnowledgeBase, Tier
from tests.domain.kb_edits import edit, problems
from tests.support import SHARED, require_shared

REFERENCE = SHARED / "reference" / "clinical-evidence.md"


# --- the reference check --------------------------------------------------------------------


def test_every_quote_is_in_the_reference(kb: KnowledgeBase) -> None:
    text = require_shared(REFERENCE).read_text("utf-8")
    assert provenance.missing_quotes(kb, text) == []
    assert load_knowledge_base(None, str(REFERENCE)).content_hash == kb.content_hash


def test_a_fake_quote_is_rejected_when_the_reference_is_given(data_copy: Path) -> None:
    require_shared(REFERENCE)

    def fake(data: dict[str, Any]) -> None:
        entry = data["other_babinski"]["likelihood"]["postparalytic_synkinesis"]
        entry["support"] = "23.5% of synkinesis patients showed the sign in our series"

    edit(data_copy, "findings_history.yaml", fake)
    assert load_knowledge_base(str(data_copy))  # without the reference the quote is not checked
    message = problems(data_copy, str(REFERENCE))
    assert "quote not in the reference" in message and "our series" in message


def test_quotes_match_across_line_breaks_and_spaces(kb: KnowledgeBase) -> None:
    text = "…weakness plus\n   synkinesis occurring with every voluntary movement…"
    assert provenance.normalise("weakness plus synkinesis") in provenance.normalise(text)


# --- the tiers --------------------------------------------------------------------------------


def test_figures_reads_percentages_fractions_and_decimals() -> None:
    found = provenance.figures("24/37 HFS (64.9%), 0 of 41, OR 1.72, p 0.85, ~1/3")
    for expected in (24 / 37, 0.649, 0.0, 0.85, 1 / 3):
        assert provenance.matches(expected, found)
    assert not provenance.matches(0.88, found)


def test_a_cited_number_without_support_is_rejected(data_copy: Path) -> None:
    def drop(data: dict[str, Any]) -> None:
        data["other_babinski"]["likelihood"]["postparalytic_synkinesis"].pop("support")

    edit(data_copy, "findings_history.yaml", drop)
    assert "a cited number needs its support" in problems(data_copy)


def test_a_measured_number_must_be_a_quoted_figure(data_copy: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["other_babinski"]["likelihood"]["postparalytic_synkinesis"]["p"] = 0.3

    edit(data_copy, "findings_history.yaml", change)
    assert "yes = 0.3 is not a figure of the quoted support" in problems(data_copy)


def test_derived_arithmetic_must_arrive_at_the_number(data_copy: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["ear_clicking"]["likelihood"]["primary_nvc"]["arithmetic"] = "somewhere between"

    edit(data_copy, "findings_history.yaml", change)
    assert "the arithmetic does not arrive at yes = 0.25" in problems(data_copy)


def _expected_tier(entry: dict[str, Any]) -> str:
    if entry.get("estimate"):
        return "estimate"
    return "derived" if entry.get("arithmetic") else "measured"


def test_tier_counts_follow_the_yaml_entries(kb: KnowledgeBase) -> None:
    """Counted independently from the raw files: one number per entry, tier from its fields."""
    root = Path(str(default_data_dir()))
    expected: Counter[str] = Counter()
    for name in (*FINDING_FILES, "settings.yaml"):
        for item in yaml.safe_load((root / name).read_text("utf-8")).values():
            table = item.get("likelihood") or item.get("priors") or {}
            if "default" in table and set(table) - {"default"} >= set(kb.conditions):
                table = {k: v for k, v in table.items() if k != "default"}  # used by none
            for entry in table.values():
                expected[_expected_tier(entry)] += 1
    counts = provenance.tier_counts(kb)
    assert counts["all"] == expected
    assert sum(sum(c.values()) for k, c in counts.items() if k != "all") == sum(expected.values())
    assert counts["all"]["measured"] > 0 and counts["all"]["derived"] > 0


def test_tier_is_derived_from_the_fields(kb: KnowledgeBase) -> None:
    for _, _, p in provenance.entries(kb):
        if p.estimate:
            assert p.tier is Tier.ESTIMATE
        else:
            assert p.support, "a measured or derived number quotes its figures"
            assert p.tier is (Tier.DERIVED if p.arithmetic else Tier.MEASURED)
