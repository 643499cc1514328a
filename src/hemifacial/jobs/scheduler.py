"""The in-process scheduler: periodic tasks (the day-before booking reminders) in a daemon
thread of the web process. In Celery mode the same task runs from Celery beat instead
(:mod:`.celery_app`). Tasks must be idempotent: a restart or a second process running the
same task sends nothing twice (the reminders claim each booking with a conditional UPDATE).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)
REMINDER_INTERVAL_S = 300.0

Task = Callable[[dt.datetime], object]


class Scheduler:
    """Runs each task every ``interval_s`` seconds, first at start; ``clock`` gives now."""

    def __init__(
        self,
        tasks: dict[str, Task],
        interval_s: float = REMINDER_INTERVAL_S,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._tasks, self._interval = tasks, interval_s
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="hemifacial-beat", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=30)
            self._thread = None

    def run_once(self, now: dt.datetime | None = None) -> dict[str, object]:
        """Run every task (what the loop does each tick; ``now`` injects the time); a
        failing task is logged and the others still run."""
        now, results = now or self._clock(), {}
        for name, task in self._tasks.items():
            try:
                results[name] = task(now)
            except Exception as exc:  # keep the scheduler alive; the next tick tries again
                log.error("scheduled task %s failed: %s", name, type(exc).__name__)
                results[name] = exc
        return results

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self._interval)
