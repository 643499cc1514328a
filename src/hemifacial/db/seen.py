"""Which revision of each case each user last looked at, written off the request path.

A case page records (user, case, revision) here; a background thread upserts what is
buffered every ``interval_s`` seconds (one transaction for all of it), so looking at a case
adds no write to the page. Until then :meth:`SeenLog.pending` lets this process's
worklist count the view at once. A crash loses at most the last interval's marks: the
cases show as new again, nothing else.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from . import tables as t

log = logging.getLogger("hemifacial.worklist")


class SeenLog:
    def __init__(self, engine: Engine, *, interval_s: float = 0.5) -> None:
        self.engine = engine
        self.interval_s = interval_s
        self._marks: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(self, username: str, case_id: int, revision: int) -> None:
        with self._lock:
            key = (username, case_id)
            self._marks[key] = max(revision, self._marks.get(key, revision))

    def pending(self, username: str) -> dict[int, int]:
        """Marks of ``username`` not written yet: case id → revision."""
        with self._lock:
            return {c: r for (u, c), r in self._marks.items() if u == username}

    def flush(self) -> int:
        with self._lock:
            marks, self._marks = self._marks, {}
        if not marks:
            return 0
        rows: list[dict[str, Any]] = [
            {"username": u, "case_id": c, "revision": r, "seen_at": t.utcnow()}
            for (u, c), r in sorted(marks.items())
        ]
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        stmt = insert(t.CaseSeen)
        stmt = stmt.on_conflict_do_update(
            index_elements=["username", "case_id"],
            set_={"revision": stmt.excluded.revision, "seen_at": stmt.excluded.seen_at},
        )
        try:
            with self.engine.begin() as conn:
                conn.execute(stmt, rows)
        except SQLAlchemyError as exc:  # e.g. a case deleted meanwhile: marks are dropped
            log.warning("could not store %d seen mark(s): %s", len(rows), type(exc).__name__)
            return 0
        return len(rows)

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="hemifacial-seen")
            self._thread.daemon = True
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=10)
            self._thread = None
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.flush()
