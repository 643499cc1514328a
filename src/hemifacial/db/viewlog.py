"""Audit rows for views of patient data, written in batches off the request path.

Every clinic page or API read that shows patient data is recorded (who, what, which case,
when). Writing one row per view would add a database round trip to every request; the
rows are instead buffered and inserted together every ``interval_s`` seconds by a
background thread, and on shutdown. If the database is unreachable the rows are kept and
retried (up to ``max_rows``; beyond that the oldest are dropped and the number dropped is
logged as an error). A crash of the web process loses at most the last interval's rows.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.exc import SQLAlchemyError

from . import tables as t

log = logging.getLogger("hemifacial.audit")


class ViewLog:
    def __init__(self, engine: Engine, *, interval_s: float = 0.5, max_rows: int = 100_000):
        self.engine = engine
        self.interval_s = interval_s
        self.max_rows = max_rows
        self._rows: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.dropped = 0

    def record(self, actor: str, action: str, case_id: int | None = None, **detail: Any) -> None:
        row = {
            "at": t.utcnow(),
            "actor": actor,
            "action": action,
            "case_id": case_id,
            "detail": detail,
        }
        with self._lock:
            self._rows.append(row)

    def flush(self) -> int:
        """Write what is buffered now; returns the number of rows written."""
        with self._lock:
            rows, self._rows = self._rows, []
        if not rows:
            return 0
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(t.AuditEvent), rows)
        except SQLAlchemyError as exc:
            with self._lock:
                self._rows[:0] = rows  # keep the order; retried on the next flush
                excess = len(self._rows) - self.max_rows
                if excess > 0:
                    del self._rows[:excess]
                    self.dropped += excess
            log.error(
                "could not write %d view audit row(s) (%s); will retry%s",
                len(rows),
                type(exc).__name__,
                f"; {self.dropped} dropped so far" if self.dropped else "",
            )
            return 0
        return len(rows)

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="hemifacial-viewlog")
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
