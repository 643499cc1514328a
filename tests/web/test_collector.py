"""The serving process collects its young generation rarely enough that a page view's live
objects are freed before a collection promotes them (web/app.py, YOUNG_COLLECTION_EVERY)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from hemifacial.settings import Settings
from hemifacial.web import app as web_app


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


def test_the_serving_factory_raises_only_the_young_threshold(
    thresholds: tuple[int, int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gc.set_threshold(700, 10, 10)  # CPython's defaults
    monkeypatch.setenv("HEMIFACIAL_MODE", "dev")
    monkeypatch.setenv("HEMIFACIAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HEMIFACIAL_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    web_app.app_from_env()
    assert gc.get_threshold() == (web_app.YOUNG_COLLECTION_EVERY, 10, 10)


def test_building_an_app_alone_leaves_the_collector_as_it_was(
    thresholds: tuple[int, int, int], settings: Settings
) -> None:
    """Tests and embedding programs that call create_app keep their own settings."""
    web_app.create_app(settings)
    assert gc.get_threshold() == thresholds
