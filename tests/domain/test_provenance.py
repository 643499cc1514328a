"""Provenance a reviewer can check: quoted support, three tiers, and the loader's checks."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from hemifacial.domain.knowledge import provenance
from hemifacial.domain.knowledge.loader import (
    DATA_FILES,
    FINDING_FILES,
    default_data_dir,
    load_knowledge_base,
)
from hemifacial.domain.knowledge.model import KnowledgeBase, Tier
from hemifacial.errors import KnowledgeBaseError
from tests.support import SHARED, require_shared

REFERENCE = SHARED / "reference" / "clinical-evidence.md"


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    source = Path(str(default_data_dir()))
    for name in DATA_FILES:
        shutil.copy(source / name, tmp_path / name)
    return tmp_path


def _edit(directory: Path, name: str, change: Any) -> None:
    path = directory / name
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")


def _problems(directory: Path, reference: str | None = None) -> str:
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(str(directory), reference)
    return str(info.value)


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

    _edit(data_copy, "findings_history.yaml", fake)
    assert load_knowledge_base(str(data_copy))  # without the reference the quote is not checked
    message = _problems(data_copy, str(REFERENCE))
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

    _edit(data_copy, "findings_history.yaml", drop)
    assert "a cited number needs its support" in _problems(data_copy)


def test_a_measured_number_must_be_a_quoted_figure(data_copy: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["other_babinski"]["likelihood"]["postparalytic_synkinesis"]["p"] = 0.3

    _edit(data_copy, "findings_history.yaml", change)
    assert "yes = 0.3 is not a figure of the quoted support" in _problems(data_copy)


def test_derived_arithmetic_must_arrive_at_the_number(data_copy: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["ear_clicking"]["likelihood"]["primary_nvc"]["arithmetic"] = "somewhere between"

    _edit(data_copy, "findings_history.yaml", change)
    assert "the arithmetic does not arrive at yes = 0.25" in _problems(data_copy)


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
