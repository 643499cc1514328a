"""Group commit for the audit rows of reads: the rows of all requests waiting at a moment
are appended in one transaction, and each request returns only once the transaction
holding its row has committed.

Every append holds the chain head's lock until its commit (the commit's flush to disk is
the slow part), so one transaction per page view would cap the whole clinic at one view
per commit. Here the first waiting request becomes the *leader*: it takes every row queued
so far (its own included), appends and commits them, and goes on while more are queued;
the others wait for their row's commit. Alone, a request writes its row itself (no thread
hop); under load, N waiting views cost one lock, one insert and one commit.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import Engine

from hemifacial.errors import ServiceUnavailableError

from .audit import Entry, append

MAX_BATCH = 500
WAIT_S = 30.0
RETRY_S = 0.05  # a waiting request checks again whether it must lead


@dataclass
class _Pending:
    entry: Entry
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class AuditWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._leader = threading.Lock()
        self._turn = threading.Condition()

    def write(self, entry: Entry) -> None:
        """Append ``entry``; returns once it is committed (raises if it could not be)."""
        item = _Pending(entry)
        self._queue.put(item)
        deadline = time.monotonic() + WAIT_S
        while not item.done.is_set():
            if self._leader.acquire(blocking=False):
                try:
                    self._lead()
                finally:
                    self._leader.release()
                    with self._turn:
                        self._turn.notify_all()  # a row queued meanwhile: its owner leads
                continue
            with self._turn:  # the leader's commits and its leaving wake us
                if not item.done.is_set() and self._leader.locked():
                    self._turn.wait(RETRY_S)
            if time.monotonic() > deadline:
                raise ServiceUnavailableError("the audit trail could not be written in time")
        if item.error is not None:
            raise item.error

    def _lead(self) -> None:
        """Commit batches while rows are queued."""
        while True:
            batch: list[_Pending] = []
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if not batch:
                return
            self._commit(batch)

    def _commit(self, batch: list[_Pending]) -> None:
        try:
            with self.engine.begin() as conn:
                append(conn, [p.entry for p in batch])
        except BaseException as exc:  # each waiting request raises it (never a lost row)
            for p in batch:
                p.error = exc
        for p in batch:
            p.done.set()
        with self._turn:
            self._turn.notify_all()

    def stop(self) -> None:
        """Nothing to stop: no thread of its own (kept for the symmetry of close())."""
