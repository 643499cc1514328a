"""Helpers shared by tests (paths, the CI rule for ../shared)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_shared(path: Path) -> Path:
    """Return ``path`` under ../shared; skip when absent locally, fail in CI."""
    if not path.exists():
        message = f"{path} is missing (the ../shared checkout next to the project)"
        if in_ci():
            pytest.fail(message + " — in CI it must be present")
        pytest.skip(message)
    return path
