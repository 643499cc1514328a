"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest

from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.domain.knowledge.model import KnowledgeBase


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()
