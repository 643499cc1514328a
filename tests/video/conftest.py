"""Fixtures for video tests: the shared real clips (required in CI) and cached analyses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hemifacial.analysis.types import VideoAnalysis

VIDEOS = Path(__file__).parents[2].parent / "shared" / "data" / "videos"


@pytest.fixture(scope="session")
def shared_videos() -> Path:
    """Folder of shared real clips; skipped when absent, but a failure when CI=true."""
    if not (VIDEOS / "MANIFEST.md").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared test videos missing at {VIDEOS} (required in CI)")
        pytest.skip(f"shared test videos not present at {VIDEOS}")
    return VIDEOS


@pytest.fixture(scope="session")
def analysed(shared_videos: Path):
    """Analyse each shared clip at most once per session."""
    from hemifacial.video import analyze_video

    cache: dict[str, VideoAnalysis] = {}

    def get(name: str) -> VideoAnalysis:
        if name not in cache:
            cache[name] = analyze_video(shared_videos / name, jobs=2)
        return cache[name]

    return get
