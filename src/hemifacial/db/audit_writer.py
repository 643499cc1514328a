"""Group commit for the audit rows of reads: one thread per process appends the rows of
all requests waiting at a moment in one transaction, and each request returns only once
the transaction holding its row has committed.

Every append holds the chain head's lock until its commit (the commit's flush to disk is
the slow part), so one transaction per page view would cap the whole clinic at one view
per commit. Under load N waiting views cost one lock, one insert and one commit, and each
request is woken once, by its own row's commit. (An earlier design let the first waiting
request lead the commits: under steady load the leader served the others' rows before
returning its own page, and every commit woke every waiting thread. The CPU per request
measured the same either way, benchmarks/web_cpu.py; the gain is a simpler writer and no
request held back by the others'.)
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field

from sqlalchemy import Engine

from hemifacial.errors import ServiceUnavailableError

from .audit import Entry, append

MAX_BATCH = 500
WAIT_S = 30.0


@dataclass
class _Pending:
    entry: Entry
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class AuditWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def write(self, entry: Entry) -> None:
        """Append ``entry``; returns once it is committed (raises if it could not be)."""
        item = _Pending(entry)
        self._start()
        self._queue.put(item)
        if not item.done.wait(WAIT_S):
            raise ServiceUnavailableError("the audit trail could not be written in time")
        if item.error is not None:
            raise item.error

    def stop(self) -> None:
        """Commit what is queued, then end the thread (the next write starts it again)."""
        with self._starting:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)  # behind every row already queued
            thread.join(timeout=WAIT_S)

    def _start(self) -> None:
        if self._thread is not None:
            return
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="hemifacial-audit", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        """Commit batches: whatever is queued when the last commit ends is the next one."""
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stopping = False
            while len(batch) < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            self._commit(batch)
            if stopping:
                return

    def _commit(self, batch: list[_Pending]) -> None:
        try:
            with self.engine.begin() as conn:
                append(conn, [p.entry for p in batch])
        except BaseException as exc:  # each waiting request raises it (never a lost row)
            for p in batch:
                p.error = exc
        for p in batch:
            p.done.set()
