"""The one door from the entry points (web, jobs) to the database: units of work.

A unit of work is one transaction: committed when the block ends, rolled back on any
error. Work that must happen only once the data is committed (handing a job to the queue)
is registered with :func:`on_commit`. Pages that only read use :meth:`Database.reader`
(autocommit: no BEGIN/COMMIT round trips, each statement sees the latest committed data).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from hemifacial.db.changes import CaseChanges
from hemifacial.db.engine import make_engine, migrate, session_factory, transaction
from hemifacial.db.seen import SeenLog
from hemifacial.db.viewlog import ViewLog

# What services take and entry points pass along; web code names the type through this
# alias and never imports the database layer.
UnitOfWork = Session


class Database:
    """The app's database: a pool for writes and one for reads, migrated on :meth:`open`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = make_engine(url)
        self._read_engine = make_engine(url, autocommit=True)
        # Which generation of the cases this process has seen (for clinic-wide caches).
        self.changes = CaseChanges(url)
        self.factory: sessionmaker[Session] = session_factory(
            self._engine, self.changes.session_info
        )
        self._read_factory = session_factory(self._read_engine)
        # Views of patient data, audited in batches off the request path.
        self.view_log = ViewLog(self._engine)
        # Which revision of a case each user last looked at, written the same way.
        self.seen = SeenLog(self._engine)

    def open(self) -> None:
        """Bring the schema to the newest revision (clear error if the server is absent)
        and start the view log."""
        migrate(self._engine)
        self.view_log.start()
        self.seen.start()
        self.changes.start()

    def close(self) -> None:
        self.view_log.stop()
        self.seen.stop()
        self.changes.stop()
        self._engine.dispose()
        self._read_engine.dispose()

    def cases_generation(self) -> int | None:
        """Raised by every committed change to any case; None when unknown (SQLite, or the
        change listener is reconnecting): then clinic-wide reads must not be cached."""
        return self.changes.current()

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        with transaction(self.factory) as s:
            yield s

    @contextmanager
    def reader(self) -> Iterator[UnitOfWork]:
        with self._read_factory() as s:
            yield s


def on_commit(s: UnitOfWork, action: Callable[[], object]) -> None:
    """Run ``action`` once ``s`` has committed (never if it rolls back)."""

    def _after(_session: Session) -> None:
        action()

    event.listen(s, "after_commit", _after, once=True)
