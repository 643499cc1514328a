"""Fixtures for the db tests (shared with the other app test folders)."""

from tests.db.fixtures import *  # noqa: F403
