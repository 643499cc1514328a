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

from hemifacial.db import audit as chain
from hemifacial.db.audit import Client as Client  # re-exported for the entry points
from hemifacial.db.audit_writer import AuditWriter
from hemifacial.db.changes import CaseChanges
from hemifacial.db.engine import make_engine, migrate, session_factory, transaction
from hemifacial.db.seen import SeenLog

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
        # Which revision of a case each user last looked at, written in batches (not an
        # audit row: the audit of each view is written before the page is sent).
        self.seen = SeenLog(self._engine)
        # The audit rows of reads, written by one thread per process (group commit).
        self._audit = AuditWriter(self._engine)

    def open(self) -> None:
        """Bring the schema to the newest revision (clear error if the server is absent)."""
        migrate(self._engine)
        self.seen.start()
        self.changes.start()

    def close(self) -> None:
        self._audit.stop()
        self.seen.stop()
        self.changes.stop()
        self._engine.dispose()
        self._read_engine.dispose()

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def cases_generation(self) -> int | None:
        """Raised by every committed change to any case; None when unknown (SQLite, or the
        change listener is reconnecting): then clinic-wide reads must not be cached."""
        return self.changes.current()

    def accounts_generation(self) -> int | None:
        """Raised by every change to an account or a login session (and by every unit of
        work committed in this process); None when unknown: then sessions are read afresh."""
        return self.changes.accounts()

    @contextmanager
    def unit_of_work(self, client: Client | None = None) -> Iterator[UnitOfWork]:
        """One transaction; its audit rows carry ``client`` (the request's address)."""
        with transaction(self.factory) as s:
            if client is not None:
                s.info[chain.CLIENT] = client
            yield s

    def record(
        self,
        actor: str,
        action: str,
        case_id: int | None = None,
        *,
        client: Client | None = None,
        **detail: object,
    ) -> None:
        """Audit a read now: committed before this returns (so before the response is sent),
        in one transaction with the rows of the other requests waiting at that moment."""
        entry = chain.Entry(actor, action, case_id, dict(detail), client or Client())
        self._audit.write(entry)  # group commit with the other requests' rows

    def verify_audit(self) -> chain.Verdict:
        with self._engine.connect() as conn:
            return chain.verify(conn)

    @contextmanager
    def reader(self) -> Iterator[UnitOfWork]:
        with self._read_factory() as s:
            yield s


def on_commit(s: UnitOfWork, action: Callable[[], object]) -> None:
    """Run ``action`` once ``s`` has committed (never if it rolls back)."""

    def _after(_session: Session) -> None:
        action()

    event.listen(s, "after_commit", _after, once=True)
