"""Helpers shared by tests (paths, the CI rule for ../shared)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
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


def run_cli(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m hemifacial.cli ARGS`` in a fresh process: exit code and captured text."""
    return subprocess.run(
        [sys.executable, "-m", "hemifacial.cli", *args],
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        timeout=120,
    )
