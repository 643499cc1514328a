"""Fixtures for the web tests: an app on each database, a patient and a clinician client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hemifacial.jobs.inprocess import InProcessRunner
from hemifacial.services import accounts
from hemifacial.settings import Settings
from hemifacial.web.app import create_app
from tests.db.fixtures import *  # noqa: F403
from tests.db.fixtures import client_for
from tests.doubles import fake_analyzer
from tests.support import DOC_SECRET, otp

from .helpers import chromium

PASSWORD = "correct horse battery"


@pytest.fixture
def app(settings: Settings, engine: Any) -> Any:
    application = create_app(settings, runner=None)
    ctx = application.state.ctx
    ctx.runner = InProcessRunner(ctx.db.factory, settings, ctx.kb, analyzer=fake_analyzer)
    with ctx.db.unit_of_work() as s:
        accounts.create_user(s, "doc", PASSWORD, "Dr Doc", totp_secret=DOC_SECRET)
    return application


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    with client_for(app) as c:
        yield c


@pytest.fixture
def clinician(app: Any) -> Iterator[Any]:
    """A client logged in through the API, sending its CSRF token on writes."""
    with client_for(app) as c:
        r = c.post("/api/v1/session", json={"username": "doc", "password": PASSWORD, "otp": otp()})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        yield c


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Chromium for the page tests."""
    with chromium() as b:
        yield b
