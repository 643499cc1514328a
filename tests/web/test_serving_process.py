"""The serving process prepares itself once before its first request (web/app.py,
``prepare_to_serve``): the collector's young threshold raised, every template compiled and
the pieces all case pages share built. Building an app alone (tests, embedding programs)
does none of it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from hemifacial.settings import Settings
from hemifacial.web import app as web_app
from hemifacial.web.render import TEMPLATES, compile_templates, make_templates


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


@pytest.fixture
def served(
    thresholds: tuple[int, int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> FastAPI:
    gc.set_threshold(700, 10, 10)  # CPython's defaults
    monkeypatch.setenv("HEMIFACIAL_MODE", "dev")
    monkeypatch.setenv("HEMIFACIAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HEMIFACIAL_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    return web_app.app_from_env()


def test_the_serving_factory_raises_only_the_young_threshold(served: FastAPI) -> None:
    assert gc.get_threshold() == (web_app.YOUNG_COLLECTION_EVERY, 10, 10)


def test_the_serving_factory_compiles_every_template_before_the_first_request(
    served: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = served.state.ctx.templates.env

    def no_reading(*_: object) -> None:
        raise AssertionError("a template was read after the start")

    monkeypatch.setattr(env.loader, "get_source", no_reading)
    for name in env.list_templates(extensions=["html"]):
        assert env.get_template(name).name == name
    assert {"grid_pieces", "cite"} <= served.state.ctx.cache.keys()


def test_every_template_compiles() -> None:
    """A syntax error in any template fails here, not on the page that first uses it."""
    assert compile_templates(make_templates()) == len(list(TEMPLATES.rglob("*.html"))) > 40


def test_building_an_app_alone_leaves_the_collector_and_the_templates_as_they_were(
    thresholds: tuple[int, int, int], settings: Settings
) -> None:
    """Tests and embedding programs that call create_app keep their own settings."""
    app = web_app.create_app(settings)
    assert gc.get_threshold() == thresholds
    assert not app.state.ctx.templates.env.cache
    assert "cite" not in app.state.ctx.cache
