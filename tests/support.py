"""Helpers shared by tests (paths, the CI rule for ../shared)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _shared() -> Path:
    """The ``shared`` checkout: the first parent of the repository that has one (a repository
    at /work/main and a worktree at /work/wt/NAME both find /work/shared)."""
    for directory in REPO.parents:
        if (directory / "shared").is_dir():
            return directory / "shared"
    return REPO.parent / "shared"


SHARED = _shared()


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


def tiny_mp4(frames: int = 3, size: int = 16) -> bytes:
    """The bytes of a real (tiny, H.264) MP4 clip: uploads are checked by PyAV, so a test
    upload must be a video FFmpeg can decode, not a fake header."""
    import tempfile

    import numpy as np

    from hemifacial.video.encode import write_h264

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tiny.mp4"
        images = [np.full((size, size, 3), 40 * i, np.uint8) for i in range(frames)]
        write_h264(path, images, fps=10)
        return path.read_bytes()


DOC_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
"""The test clinicians' authenticator secret (clinicians log in with a one-time code)."""


def otp(secret: str = DOC_SECRET, *, ahead: int = 0) -> str:
    """The current one-time code of ``secret`` (as the clinician's phone would show), or the
    code ``ahead`` steps later: a code is good for one login, and the server accepts the
    next step's code too (clock drift), so a second login in the same 30 s uses ``ahead=1``."""
    import time

    import pyotp

    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + ahead * totp.interval)
