"""Which generation of the clinic's cases this process has seen: for caching clinic-wide reads.

A dashboard page depends on every case, so no per-case revision can tag it. Instead, every
transaction that changes a case (the flush hook of :mod:`.revisions`) sends a PostgreSQL
``NOTIFY hemifacial_cases``, which the server delivers to every listening process when,
and only if, the transaction commits. Each web process listens on its own connection
(:class:`CaseChanges`) and raises a local *generation* for each notification; a commit made
in this process raises it at once, before its response is sent, so a user never sees a
page older than their own change. A read cached under generation *g* was read after *g*
began, so it is never older than *g*; once *g* is over it is never served again.

There is no shared counter row, so writers never wait on each other. While the listening
connection is down (server restart, network), :meth:`CaseChanges.current` returns None and
callers read afresh; each reconnect starts a new generation. SQLite has no NOTIFY: there,
``current`` is always None (no clinic-wide caching; a single small clinic does not need it).

The same connection listens on ``hemifacial_accounts``, sent by triggers on the users and
login sessions (migration 0013) whatever changes them, for a second generation: that of
the accounts (:meth:`CaseChanges.accounts`), which keys the cache of login sessions. Every
unit of work committed in this process raises it at once too, whatever it wrote, so a
logout, a disabled account or a new role is never served from this process's cache after
its commit; other processes drop their entries when the notification arrives.
"""

from __future__ import annotations

import logging
import secrets
import threading

from sqlalchemy import Connection, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

log = logging.getLogger("hemifacial.db")
CHANNEL = "hemifacial_cases"
ACCOUNTS = "hemifacial_accounts"
_CHANGED = "hemifacial_cases_changed"
_LISTENER = "hemifacial_case_changes"
RECONNECT_S = 1.0


def notify(session: Session, conn: Connection) -> None:
    """Called by the revision hook in a transaction that changed cases. The payload names
    the sending process, whose listener skips it (its own commit raised the generation)."""
    if conn.dialect.name == "postgresql" and not session.info.get(_CHANGED):
        listener = session.info.get(_LISTENER)
        origin = listener.origin if isinstance(listener, CaseChanges) else ""
        conn.execute(
            text("SELECT pg_notify(:channel, :origin)"), {"channel": CHANNEL, "origin": origin}
        )
    session.info[_CHANGED] = True


def _after_commit(session: Session) -> None:
    listener = session.info.get(_LISTENER)
    if isinstance(listener, CaseChanges):
        listener.bump_accounts()  # any write here: sessions are looked up afresh
    if session.info.pop(_CHANGED, False) and listener is not None:
        listener.bump()


def _after_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def install(session_class: type[Session]) -> None:
    event.listen(session_class, "after_commit", _after_commit)
    event.listen(session_class, "after_soft_rollback", lambda s, _t: _after_rollback(s))


class CaseChanges:
    """The generation of the cases, kept current by a LISTEN thread (PostgreSQL only)."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.enabled = parsed.get_backend_name() == "postgresql"
        self._dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        self._generation = 0
        self._accounts = 0
        self.origin = secrets.token_hex(8)  # this process, in the notifications it sends
        self._listening = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def session_info(self) -> dict[str, object]:
        """What sessions of this database carry, so their commits raise the generation."""
        return {_LISTENER: self}

    def bump(self) -> None:
        with self._lock:
            self._generation += 1

    def current(self) -> int | None:
        """The generation, or None when changes by other processes might go unseen."""
        with self._lock:
            return self._generation if self._listening else None

    def bump_accounts(self) -> None:
        with self._lock:
            self._accounts += 1

    def accounts(self) -> int | None:
        """The generation of the accounts and login sessions (None: unknown, read afresh)."""
        with self._lock:
            return self._accounts if self._listening else None

    def start(self) -> None:
        if self.enabled and self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name=_LISTENER, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()  # the listener wakes at least once a second
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    conn.execute(f"LISTEN {ACCOUNTS}")
                    with self._lock:  # a change before LISTEN may have gone unseen
                        self._generation += 1
                        self._accounts += 1
                        self._listening = True
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=1.0):
                            if note.channel == ACCOUNTS:
                                self.bump_accounts()
                            elif note.payload != self.origin:
                                self.bump()
            except psycopg.Error as exc:
                if not self._stop.is_set():
                    log.warning("case change listener lost its connection (%s); retrying", exc)
            finally:
                with self._lock:
                    self._listening = False
            self._stop.wait(RECONNECT_S)
