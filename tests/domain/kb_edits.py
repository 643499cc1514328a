"""Editing a copy of the evidence base in a test, and reading the loader's refusal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.errors import KnowledgeBaseError


def edit(directory: Path, name: str, change: Callable[[Any], object]) -> None:
    """Apply ``change`` to the parsed ``name`` in ``directory`` and write it back."""
    path = directory / name
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")


def problems(directory: Path, reference: str | None = None) -> str:
    """The loader's message for the spoiled copy (it must refuse it)."""
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(str(directory), reference)
    return str(info.value)
