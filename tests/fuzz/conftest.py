"""Fixtures for the fuzz tests (shared with the other app test folders)."""

from tests.db.fixtures import *  # noqa: F403
from tests.web.conftest import app, client, clinician  # noqa: F401
