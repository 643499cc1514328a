"""Backup and restore of the whole database, exactly.

SQLite: the online backup API of ``sqlite3`` (a consistent copy while the app runs, with
what is still in the write-ahead log, which a plain file copy misses). PostgreSQL:
``pg_dump --format=custom`` and ``pg_restore --clean`` when they are on PATH, else (and
with ``use_tools=False``, on either database) a logical dump of every table through
SQLAlchemy (JSON lines, in one REPEATABLE READ snapshot). Restoring replaces everything
in the target database; the format is told from the file's first bytes.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import warnings
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, inspect, text
from sqlalchemy.engine import make_url

from hemifacial.errors import InvalidValueError, ServiceUnavailableError

from . import audit as chain

LOGICAL_MAGIC = "hemifacial-logical-dump-1"


def _sqlite_path(url: str) -> str:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise InvalidValueError("an in-memory SQLite database cannot be backed up")
    return path


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _owner_only(path: Path) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)


def backup(engine: Engine, target: Path, *, use_tools: bool = True) -> str:
    """Write a backup of ``engine``'s database to ``target``; returns the method used."""
    url = engine.url.render_as_string(hide_password=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    _owner_only(target)
    if engine.dialect.name == "sqlite" and use_tools:
        src = sqlite3.connect(_sqlite_path(url))
        dst = sqlite3.connect(target)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
            src.close()
        return "sqlite online backup"
    if use_tools and engine.dialect.name == "postgresql" and shutil.which("pg_dump"):
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), _libpq(url)])
        return "pg_dump"
    _logical_dump(engine, target)
    return "logical dump"


def restore(engine: Engine, source: Path) -> str:
    """Replace the database's contents with the backup at ``source``; the method used."""
    if not source.is_file():
        raise InvalidValueError(f"there is no backup file at '{source}'")
    url = engine.url.render_as_string(hide_password=False)
    head = source.read_bytes()[:64]
    if engine.dialect.name == "sqlite" and LOGICAL_MAGIC.encode() not in head:
        if not head.startswith(b"SQLite format 3"):
            raise InvalidValueError(f"'{source}' is not a SQLite backup")
        engine.dispose()
        src = sqlite3.connect(source)
        dst = sqlite3.connect(_sqlite_path(url))
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        return "sqlite online backup"
    engine.dispose()
    if head.startswith(b"PGDMP"):
        if not shutil.which("pg_restore"):
            raise ServiceUnavailableError("pg_restore is needed to restore this backup")
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
             "--dbname", _libpq(url), str(source)]
        )  # fmt: skip
        return "pg_restore"
    if LOGICAL_MAGIC.encode() not in head:
        raise InvalidValueError(f"'{source}' is not a hemifacial backup")
    _logical_restore(engine, source)
    return "logical dump"


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, env={**os.environ}, check=False)
    if done.returncode != 0:
        # the URL (with its password) is an argument: say only which tool failed and why
        raise ServiceUnavailableError(f"{argv[0]} failed: {done.stderr.strip()[:300]}")


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode()}
    if isinstance(value, (dict, list)):
        return {"$j": value}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "$dt" in value:
            return dt.datetime.fromisoformat(value["$dt"])
        if "$d" in value:
            return dt.date.fromisoformat(value["$d"])
        if "$b" in value:
            return base64.b64decode(value["$b"])
        if "$j" in value:
            return value["$j"]
    return value


def _reflect(engine: Engine) -> MetaData:
    """The tables as they are (an expression index, which SQLite's reflection skips with a
    warning, holds no data: nothing of it is dumped)."""
    meta = MetaData()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
        meta.reflect(engine)
    return meta


def _logical_dump(engine: Engine, target: Path) -> None:
    meta = _reflect(engine)
    level = "REPEATABLE READ" if engine.dialect.name == "postgresql" else "SERIALIZABLE"
    snapshot = engine.connect().execution_options(isolation_level=level)
    with snapshot as conn, target.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"format": LOGICAL_MAGIC}) + "\n")
        for table in meta.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            out.write(json.dumps({"table": table.name}) + "\n")
            for row in conn.execute(table.select().order_by(*order)):
                out.write(json.dumps([_encode(v) for v in row]) + "\n")


def _logical_restore(engine: Engine, source: Path) -> None:
    meta = _reflect(engine)
    tables = {tb.name: tb for tb in meta.sorted_tables}
    rows: dict[str, list[list[Any]]] = {}
    current: str | None = None
    with source.open(encoding="utf-8") as f:
        next(f)
        for line in f:
            item = json.loads(line)
            if isinstance(item, dict):
                current = item["table"]
                rows[current] = []
            elif current is not None:
                rows[current].append([_decode(v) for v in item])
    with engine.begin() as conn:
        for statement in chain.unguard_sql(engine.dialect.name):
            conn.execute(text(statement))
        for table in reversed(meta.sorted_tables):
            conn.execute(table.delete())
        for name, table in tables.items():
            names = [c.name for c in table.columns]
            if rows.get(name):
                conn.execute(table.insert(), [dict(zip(names, r, strict=True)) for r in rows[name]])
        for statement in chain.guard_sql(engine.dialect.name):
            conn.execute(text(statement))
        if engine.dialect.name == "postgresql":
            _reset_sequences(conn, engine)


def _reset_sequences(conn: Any, engine: Engine) -> None:
    """Sequences past the restored ids (inspected on ``conn``: its transaction holds the
    tables' locks, another connection would wait on them)."""
    found = inspect(conn)
    for name in found.get_table_names():
        if "id" not in {c["name"] for c in found.get_columns(name)}:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false) "
                f"WHERE pg_get_serial_sequence('{name}', 'id') IS NOT NULL"
            )
        )
