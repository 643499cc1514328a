"""The literature vignettes: valid case files, and a floor under the engine's accuracy.

The full figures (top-1, top-3, MRR, calibration) come from benchmarks/engine_accuracy.py;
this test only guards against regressions below the levels measured when it was written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hemifacial.cli.casefile import load_case_file
from hemifacial.domain.case import parse_case
from hemifacial.domain.knowledge.model import KnowledgeBase
from tests.support import REPO

VIGNETTES = sorted((REPO / "tests" / "data" / "vignettes").glob("*.yaml"))


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
def test_vignette_is_a_valid_cited_case(kb: KnowledgeBase, path: Path) -> None:
    doc = load_case_file(path)
    parse_case(kb, doc.findings, doc.setting)
    assert doc.extra["expected"] in kb.conditions
    assert doc.extra["source"]["reference"] in kb.references
    assert doc.extra["source"]["basis"]


def test_every_condition_has_two_vignettes(kb: KnowledgeBase) -> None:
    expected = [load_case_file(p).extra["expected"] for p in VIGNETTES]
    assert len(expected) >= 40
    assert all(expected.count(c) >= 2 for c in kb.conditions)


def test_accuracy_does_not_regress() -> None:
    from benchmarks.engine_accuracy import evaluate

    result = evaluate()
    assert result["top1"] >= 0.83
    assert result["top3"] >= 0.95
