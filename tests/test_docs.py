"""Docs that are generated from the code must match it."""

from __future__ import annotations

from hemifacial.domain.knowledge.markdown import evidence_markdown
from hemifacial.domain.knowledge.model import KnowledgeBase
from tests.support import REPO


def test_evidence_doc_is_current(kb: KnowledgeBase) -> None:
    on_disk = (REPO / "docs" / "evidence.md").read_text(encoding="utf-8")
    assert on_disk == evidence_markdown(kb), "run: hemifacial kb docs > docs/evidence.md"


def test_evidence_doc_lists_every_number_and_reference(kb: KnowledgeBase) -> None:
    text = evidence_markdown(kb)
    for finding in kb.findings.values():
        assert f"### `{finding.id}`" in text
    for ref in kb.references.values():
        assert f'<a id="{ref.id}"></a>' in text
    rows = sum(len(f.likelihoods) for f in kb.findings.values())
    assert text.count("\n| `") >= rows + len(kb.conditions)


def test_readme_quick_start_uses_the_scripts() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "./scripts/demo" in readme and "./scripts/test" in readme
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "./scripts/test" in ci
