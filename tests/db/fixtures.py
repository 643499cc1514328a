"""Shared fixtures of the app tests: a database per backend (SQLite file and a fresh
PostgreSQL database per session), settings, an app with a test client, a synthetic clip.

Servers that are not reachable make the tests skip with the reason — or fail under CI=true.
"""

from __future__ import annotations

import os
import secrets
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from starlette.exceptions import StarletteDeprecationWarning

from hemifacial.db import audit as audit_chain
from hemifacial.db.engine import make_engine, migrate, session_factory
from hemifacial.db.tables import Base
from hemifacial.settings import Settings, from_env

with warnings.catch_warnings():
    # starlette warns at import that it prefers httpx2; the pinned httpx works
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

PG_ADMIN = os.environ.get("HEMIFACIAL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("HEMIFACIAL_TEST_REDIS", "redis://127.0.0.1:6379/11")
IN_CI = os.environ.get("CI") == "true"


def unavailable(reason: str) -> None:
    """Skip locally, fail in CI: a missing server must not pass silently there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true requires it)")
    pytest.skip(reason)


def _pg_database(name: str, create: bool) -> None:
    import psycopg

    conn = psycopg.connect(
        PG_ADMIN.replace("postgresql+psycopg", "postgresql") + "/postgres",
        autocommit=True,
        connect_timeout=3,
    )
    with conn:
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
        else:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def empty_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty database: a SQLite file in ``folder``, or a fresh PostgreSQL
    database, dropped afterwards (a generator for fixtures to delegate to)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'test.sqlite3'}"
        return
    name = f"hemifacial_test_{secrets.token_hex(4)}"
    try:
        _pg_database(name, create=True)
    except Exception as exc:
        unavailable(f"PostgreSQL at {PG_ADMIN} is not reachable: {type(exc).__name__}")
    yield f"{PG_ADMIN}/{name}"
    _pg_database(name, create=False)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    yield from empty_database(request.param, tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def migrated(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated: Engine) -> Engine:
    """The migrated database, emptied before each test."""
    dialect = migrated.dialect.name
    with migrated.begin() as conn:
        for statement in audit_chain.unguard_sql(dialect):  # the audit rows are append-only
            conn.execute(text(statement))
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
        for statement in audit_chain.guard_sql(dialect):
            conn.execute(text(statement))
        if migrated.dialect.name == "postgresql":
            for table in Base.metadata.sorted_tables:
                conn.execute(text(f"ALTER SEQUENCE IF EXISTS {table.name}_id_seq RESTART"))
    return migrated


@pytest.fixture
def factory(engine: Engine) -> Any:
    return session_factory(engine)


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return from_env(
        {
            "HEMIFACIAL_DATA_DIR": str(tmp_path / "data"),
            "HEMIFACIAL_DATABASE_URL": db_url,
            "HEMIFACIAL_LANDMARKER": "synthetic",
            "HEMIFACIAL_VIDEO_JOBS": "1",
            "HEMIFACIAL_MAX_UPLOAD_MB": "5",
            "HEMIFACIAL_INTAKE_RATE": "100000/minute",
        },
        mode="dev",
    )


def client_for(app: Any) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="session")
def synthetic_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 6 s clip with right-sided clonic spasms and the synthetic landmarker's markers."""
    from hemifacial_synth.pasted import SpasmSpec, make_clip

    path = tmp_path_factory.mktemp("clips") / "right_hfs.mp4"
    specs = [
        SpasmSpec(
            start_s=s,
            duration_s=0.9,
            side="right",
            kind="clonic",
            depth=0.8,
            spread=True,
            brow_lift=False,
        )
        for s in (0.8, 2.6, 4.4)
    ]
    make_clip(path, specs, source="blank", markers=True, duration_s=6.0, fps=20.0)
    return path
