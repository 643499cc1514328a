"""The default runner: one background thread in the web process, a queue of job ids."""

from __future__ import annotations

import logging
import queue
import threading

from sqlalchemy.orm import Session, sessionmaker

from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.services.videos import Analyzer, run_video_job
from hemifacial.settings import Settings

log = logging.getLogger(__name__)


class InProcessRunner:
    """Runs jobs one at a time in a daemon thread (the analysis itself uses processes)."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        kb: KnowledgeBase,
        analyzer: Analyzer | None = None,
    ) -> None:
        self._factory, self._settings, self._kb = factory, settings, kb
        self._analyzer = analyzer
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="hemifacial-jobs", daemon=True)
            self._thread.start()

    def submit(self, job_id: int) -> None:
        self._queue.put(job_id)

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None

    def join(self, timeout: float = 60.0) -> None:
        """Wait until every submitted job has finished (tests, demo seeding)."""
        done = threading.Event()

        def _wait() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=_wait, daemon=True).start()
        done.wait(timeout)

    def _loop(self) -> None:
        while True:
            job_id = self._queue.get()
            try:
                if job_id is None:
                    return
                run_video_job(
                    self._factory, self._settings, self._kb, job_id, analyzer=self._analyzer
                )
            except Exception as exc:  # keep the thread alive; the job row says what failed
                log.error("job %s crashed: %s", job_id, type(exc).__name__)
            finally:
                self._queue.task_done()


class NullRunner:
    """Queues nothing (jobs stay 'queued' for a separate worker to pick up)."""

    def __init__(self) -> None:
        self.submitted: list[int] = []

    def start(self) -> None:
        pass

    def submit(self, job_id: int) -> None:
        self.submitted.append(job_id)

    def stop(self) -> None:
        pass
