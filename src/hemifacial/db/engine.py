"""Database engine, sessions and migrations (Alembic, run on start)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from hemifacial.errors import ServiceUnavailableError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def redact(url: str) -> str:
    """The URL without its password (for messages)."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: str, *, pool_size: int = 12, autocommit: bool = False) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout.

    ``autocommit`` engines are for pages that only read: no BEGIN and COMMIT round trips,
    and each statement sees the latest committed data (as READ COMMITTED does in
    PostgreSQL). They have their own pool, so no connection switches mode on checkout.
    """
    options = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            _owner_only_file(Path(path))
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, **options
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    # At most ``pool_size`` connections per pool, all kept open: a web process has two pools
    # (writes, reads), so two workers stay under 50 of PostgreSQL's default 100 connections,
    # and a burst of requests waits for a connection instead of being refused by the server.
    # No overflow: an overflow connection is closed when it is returned, so under a steady
    # burst every few requests paid for a new server process (measured: 191 connections
    # opened in 5 s at 32 clients; docs/web.md).
    engine = create_engine(url, pool_size=pool_size, max_overflow=0, pool_recycle=1800, **options)
    _ping_when_idle(engine)
    return engine


def _owner_only_file(path: Path) -> None:
    """The SQLite file readable by its owner only (its -wal and -shm files copy the mode)."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if extra.exists() and extra.stat().st_mode & 0o077:
            extra.chmod(0o600)


# A pooled connection unused for longer than this is tested before use.
IDLE_PING_S = 5.0


def _ping_when_idle(engine: Engine) -> None:
    """Test a pooled connection before use only if it sat idle (``pool_pre_ping``, but cheaper).

    A connection in steady use is known to work; pinging it anyway costs a round trip per
    request. One that sat idle may have been closed by a restarted server: a failed ping
    makes the pool drop it and connect afresh, so the request never sees the dead socket.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record):  # type: ignore[no-untyped-def]
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy):  # type: ignore[no-untyped-def]
        if time.monotonic() - record.info.get("idle_since", 0.0) < IDLE_PING_S:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception:  # any failure means the socket is unusable
            alive = False
        if not alive:
            raise DisconnectionError("the database connection was closed while idle")


def check_connection(engine: Engine) -> None:
    """Raise :class:`ServiceUnavailableError` when the database cannot be reached."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        raise ServiceUnavailableError(
            f"the database at {redact(str(engine.url.render_as_string()))} is not reachable "
            f"({type(exc.orig).__name__}). Start it, or unset HEMIFACIAL_DATABASE_URL to use "
            "the built-in SQLite file."
        ) from None


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    check_connection(engine)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def session_factory(engine: Engine, info: dict[str, object] | None = None) -> sessionmaker[Session]:
    """Sessions whose flushes stamp the cases they change (:mod:`.revisions`) and keep
    their videos' state current (:mod:`.worklist`); ``info`` is copied into each session
    (e.g. the :class:`.changes.CaseChanges` its commits raise)."""
    from . import worklist  # noqa: F401  (registers its flush hook)
    from .revisions import TrackedSession

    return sessionmaker(engine, class_=TrackedSession, expire_on_commit=False, info=info)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back everything on any error.

    The block may roll back itself (a form with errors) and go on reading; the commit at
    the end then has nothing to write."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
