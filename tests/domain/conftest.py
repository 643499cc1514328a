"""Fixtures of the evidence-base tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hemifacial.domain.knowledge.loader import DATA_FILES, default_data_dir


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    """A copy of the packaged YAML files, free to spoil."""
    source = Path(str(default_data_dir()))
    for name in DATA_FILES:
        shutil.copy(source / name, tmp_path / name)
    return tmp_path
