"""The login sessions a web process has looked up, kept while no account has changed.

Every clinic request needs its session: a lookup costs a query and, for the access policy,
a hop to the thread pool (measured: 6 % of a case page, more of a 304). This cache keeps
what :func:`.accounts.lookup` found under the *accounts generation*
(:meth:`hemifacial.db.changes.CaseChanges.accounts`), which every change to an account or a
login session raises: in this process at the commit of any unit of work (before its
response is sent), in every other process when PostgreSQL delivers the trigger's NOTIFY
(migration 0013; whatever made the change). A logout, a disabled account, a new role or a
reset second factor therefore end the cached sessions with that commit. While the listener
is down, and always on SQLite, the generation is unknown and nothing is kept.

An entry is also never served once its idle stamp is a minute old (then the database is
read, and the stamp written, as without the cache) nor past the session's lifetime, so the
idle timeout and the 12-hour limit hold as before. Only the token's SHA-256 is a key.
"""

from __future__ import annotations

import datetime as dt
import threading

from hemifacial.db import tables as t

from .accounts import TOUCH_S, Found, SessionInfo, token_hash

MAX_ENTRIES = 4096


class SessionCache:
    """``token hash -> (generation, session)``; ``max_entries=0`` turns it off."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._items: dict[str, tuple[int, Found]] = {}
        self._lock = threading.Lock()
        self.hits = 0

    def get(
        self,
        token: str | None,
        generation: int | None,
        idle: dt.timedelta,
        lifetime: dt.timedelta,
    ) -> SessionInfo | None:
        """The session kept for ``token`` under ``generation``, or None (read it afresh)."""
        if not token or generation is None or self.max_entries <= 0:
            return None
        kept = self._items.get(token_hash(token))
        if kept is None or kept[0] != generation:
            return None
        found = kept[1]
        now = t.utcnow()
        if now - found.last_seen >= dt.timedelta(seconds=TOUCH_S):
            return None  # the stamp is due: the database is read (and stamped) again
        if now - found.last_seen > idle or now - found.created_at > lifetime:
            return None
        self.hits += 1
        return found.info

    def put(self, token: str, generation: int | None, found: Found) -> None:
        """Keep ``found``, read after ``generation`` was taken (so never older than it)."""
        if generation is None or self.max_entries <= 0:
            return
        with self._lock:
            if len(self._items) >= self.max_entries:
                self._items.clear()
            self._items[token_hash(token)] = (generation, found)

    def __len__(self) -> int:
        return len(self._items)
