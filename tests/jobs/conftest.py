"""Fixtures for the jobs tests (shared with the other app test folders)."""

from tests.db.fixtures import *  # noqa: F403
