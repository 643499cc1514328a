"""Migrations, repositories and settings against SQLite and PostgreSQL."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import OperationalError

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.db.engine import (
    MIGRATIONS,
    check_connection,
    make_engine,
    migrate,
    transaction,
)
from hemifacial.errors import InvalidValueError, NotFoundError, ServiceUnavailableError
from hemifacial.settings import from_env
from tests.db.fixtures import PG_ADMIN, unavailable


def test_migrations_create_every_table_and_are_idempotent(engine: Any) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    migrate(engine)  # second run: nothing to do, nothing breaks
    names = set(inspect(engine).get_table_names())
    assert {tb.name for tb in t.Base.metadata.sorted_tables} <= names
    with engine.connect() as conn:
        # one line of migrations (a merge of two branches must relink them), all applied
        heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
        assert len(heads) == 1
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == heads[0]
        # the migrations build exactly the tables and columns the models declare (SQLite's
        # reflection skips the expression index on lower(email) with a warning)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expr")
            diff = compare_metadata(MigrationContext.configure(conn), t.Base.metadata)
        assert [d for d in diff if d[0] in ("add_table", "add_column", "remove_column")] == []


def _case(s: Any, name: str, level: int, status: str = "new", minutes: int = 0) -> t.Case:
    import datetime as dt

    row = t.Case(
        patient_name=name,
        status=status,
        red_flag_level=level,
        search_text=name.lower(),
        draft={},
        extras={},
        updated_at=t.utcnow() - dt.timedelta(minutes=minutes),
    )
    s.add(row)
    s.flush()
    return row


def test_get_case_names_the_missing_id(factory: Any) -> None:
    with transaction(factory) as s, pytest.raises(NotFoundError, match="case 12345"):
        repo.get_case(s, 12345)


def test_a_failing_unit_of_work_saves_nothing(factory: Any) -> None:
    with pytest.raises(RuntimeError), transaction(factory) as s:
        _case(s, "Half saved", 0)
        raise RuntimeError("boom")
    with transaction(factory) as s:
        assert s.scalars(select(t.Case)).all() == []


def test_unreachable_postgres_is_a_clear_service_unavailable_error() -> None:
    engine = make_engine("postgresql+psycopg://postgres:secretpw@127.0.0.1:1/none")
    with pytest.raises(ServiceUnavailableError) as info:
        check_connection(engine)
    message = str(info.value)
    assert "not reachable" in message and "127.0.0.1:1" in message
    assert "secretpw" not in message  # the password never appears in a message


def test_a_connection_closed_by_the_server_while_idle_is_replaced_unseen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hemifacial.db import engine as engine_module

    engine = make_engine(f"{PG_ADMIN}/postgres", pool_size=1)
    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    except OperationalError as exc:
        unavailable(f"PostgreSQL at {PG_ADMIN} is not reachable: {type(exc).__name__}")
    other = make_engine(f"{PG_ADMIN}/postgres")
    with other.connect() as admin:  # what a server restart does to pooled connections
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    other.dispose()
    monkeypatch.setattr(engine_module, "IDLE_PING_S", 0.0)
    with engine.connect() as conn:  # no error: the dead connection was tested and replaced
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    engine.dispose()


def test_settings_default_to_sqlite_and_refuse_placeholder_secrets(tmp_path: Any) -> None:
    dev = from_env({"HEMIFACIAL_DATA_DIR": str(tmp_path)}, mode="dev")
    assert dev.database_url == f"sqlite:///{tmp_path / 'hemifacial.sqlite3'}"
    assert dev.jobs == "inprocess" and dev.upload_dir == tmp_path / "uploads"
    with pytest.raises(InvalidValueError, match="HEMIFACIAL_SECRET_KEY"):
        from_env({"HEMIFACIAL_DATA_DIR": str(tmp_path), "HEMIFACIAL_SECRET_KEY": "changethis"})
    with pytest.raises(InvalidValueError, match="HEMIFACIAL_JOBS"):
        from_env({"HEMIFACIAL_JOBS": "cron"}, mode="dev")
    ok = from_env(
        {
            "HEMIFACIAL_SECRET_KEY": "k3J9-xQ2vLp8ZtR4mN6wY1bC5dF7gH0s",
            "HEMIFACIAL_PUBLIC_URL": "https://clinic.example.org",
            "HEMIFACIAL_JOBS": "celery",
        }
    )
    assert ok.mode == "production" and ok.jobs == "celery"
