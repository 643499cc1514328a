"""A small pool of persistent worker processes (one interpreter, one FaceMesh per core).

Plain subprocesses speaking pickle over pipes: unlike ``multiprocessing`` they never fork a
parent that may already run MediaPipe threads (which crashes) and never re-run the
caller's script, so ``analyze_video`` works from any script, test or web worker.

Runs take turns (:func:`lease`): a threaded server analysing two uploads at once would
otherwise interleave their tasks on the same pipes and mix their results.

A pool whose run ended with tasks still out (an error, a worker that died, a caller that
stopped reading) is never reused: a busy worker's late reply would be read as the answer
to the next task. :func:`get_pool` starts a fresh pool instead.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import selectors
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import IO, Any

from hemifacial.errors import VideoWorkerError

_DIED = "a video worker process stopped unexpectedly (a crash or out of memory); try again"
_STUCK = "a video worker process stopped answering; try again (it will be replaced)"
REPLY_TIMEOUT_S = 600.0
"""Longest wait for any worker's reply: a 30-s segment of a 4K clip takes well under a
minute here, so ten minutes of silence means a worker is stuck (it is then killed)."""

_QUIET_ENV = {"GLOG_minloglevel": "2", "TF_CPP_MIN_LOG_LEVEL": "3"}
_CPU_ENV = "HEMIFACIAL_WORKER_CPU"
"""Core a worker pins itself to: MediaPipe's own threads share one core badly, and two
pinned single-core workers landmark ~1.5× more frames than two free-floating ones."""


def usable_cpus() -> list[int]:
    """The cores this process may run on (Linux); elsewhere all of the machine's cores."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


class WorkerPool:
    """``n`` worker processes running :func:`hemifacial.video.pipeline.process_segment`."""

    def __init__(self, n: int) -> None:
        self.n = n
        self._spoilt = False
        env = {**os.environ, **_QUIET_ENV}
        debug = bool(os.environ.get("HEMIFACIAL_DEBUG"))
        cpus = usable_cpus()
        self._procs = [
            subprocess.Popen(
                [sys.executable, "-m", "hemifacial.video._worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=None if debug else subprocess.DEVNULL,
                env={**env, _CPU_ENV: str(cpus[i % len(cpus)])},
            )
            for i in range(n)
        ]

    @property
    def pids(self) -> list[int]:
        """Process ids of the workers (for CPU accounting in benchmarks)."""
        return [p.pid for p in self._procs]

    @property
    def usable(self) -> bool:
        """True while every worker runs and none owes a reply from an abandoned run."""
        return not self._spoilt and all(p.poll() is None for p in self._procs)

    def _send(self, proc: subprocess.Popen[bytes], task: Any) -> None:
        stdin: IO[bytes] | None = proc.stdin
        assert stdin is not None
        try:
            pickle.dump(task, stdin, protocol=pickle.HIGHEST_PROTOCOL)
            stdin.flush()
        except (BrokenPipeError, ConnectionResetError):
            raise VideoWorkerError(_DIED) from None

    def imap(self, tasks: Sequence[Any]) -> Iterator[tuple[int, str, Any]]:
        """Run ``tasks``; yield ``(index, status, value)`` as each finishes: status ``"ok"``
        with the result or ``"err"`` with the exception the task raised.

        Raises VideoWorkerError when a worker dies or none answers within
        :data:`REPLY_TIMEOUT_S`. If the run ends with tasks still out,
        the pool is marked unusable (see the module docstring)."""
        sel = selectors.DefaultSelector()
        pending = list(enumerate(tasks))[::-1]
        busy: dict[int, int] = {}
        try:
            for i, proc in enumerate(self._procs):
                if not pending:
                    break
                k, task = pending.pop()
                self._send(proc, task)
                busy[i] = k
                assert proc.stdout is not None
                sel.register(proc.stdout, selectors.EVENT_READ, i)
            while busy:
                ready = sel.select(timeout=REPLY_TIMEOUT_S)
                if not ready:
                    raise VideoWorkerError(_STUCK)
                for key, _ in ready:
                    i = key.data
                    proc = self._procs[i]
                    try:
                        status, value = pickle.load(proc.stdout)
                    except (EOFError, pickle.UnpicklingError, OSError):
                        raise VideoWorkerError(_DIED) from None
                    k = busy.pop(i)
                    if pending:
                        k2, task = pending.pop()
                        self._send(proc, task)
                        busy[i] = k2
                    else:
                        sel.unregister(key.fileobj)
                    yield k, status, value
        finally:
            sel.close()
            if busy:
                self._spoilt = True

    def abandon(self) -> None:
        """Kill the workers now, whatever they are doing."""
        self._spoilt = True
        self.close()

    def close(self) -> None:
        """Stop the workers (closing stdin ends an idle one; a busy or stuck one is killed)."""
        for p in self._procs:
            if p.stdin:
                with contextlib.suppress(OSError):
                    p.stdin.close()
        for p in self._procs:
            if self._spoilt:
                p.kill()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            if p.stdout:
                p.stdout.close()
        self._procs = []


_POOL: WorkerPool | None = None
_LOCK = threading.RLock()


def get_pool(n: int) -> WorkerPool:
    """The shared pool with ``n`` workers (a fresh one if ``n`` changed, a worker died or the
    last run was abandoned with tasks still out). Use :func:`lease` to run tasks on it."""
    global _POOL
    with _LOCK:
        if _POOL is None or _POOL.n != n or not _POOL.usable:
            shutdown()
            _POOL = WorkerPool(n)
        return _POOL


@contextlib.contextmanager
def lease(n: int) -> Iterator[WorkerPool]:
    """The shared pool, held for one run: runs from other threads wait their turn."""
    with _LOCK:
        yield get_pool(n)


def shutdown() -> None:
    """Stop the shared pool (it is kept alive between calls otherwise)."""
    global _POOL
    with _LOCK:
        if _POOL is not None:
            _POOL.close()
            _POOL = None


def _at_exit() -> None:
    """Stop the workers when the interpreter exits, without waiting for a run that another
    (daemon) thread may still have going: its workers are killed instead."""
    if _LOCK.acquire(blocking=False):
        try:
            shutdown()
        finally:
            _LOCK.release()
    elif _POOL is not None:
        _POOL.abandon()


atexit.register(_at_exit)
