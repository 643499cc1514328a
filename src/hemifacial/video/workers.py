"""A small pool of persistent worker processes (one interpreter, one FaceMesh per core).

Plain subprocesses speaking pickle over pipes: unlike ``multiprocessing`` they never fork a
parent that may already run MediaPipe threads (which crashes) and never re-run the
caller's script, so ``analyze_video`` works from any script, test or web worker.
"""

from __future__ import annotations

import atexit
import os
import pickle
import selectors
import subprocess
import sys
from collections.abc import Iterator, Sequence
from typing import IO, Any

_QUIET_ENV = {"GLOG_minloglevel": "2", "TF_CPP_MIN_LOG_LEVEL": "3"}
_CPU_ENV = "HEMIFACIAL_WORKER_CPU"
"""Core a worker pins itself to: MediaPipe's own threads share one core badly, and two
pinned single-core workers landmark ~1.5× more frames than two free-floating ones."""


def usable_cpus() -> list[int]:
    """The cores this process may run on (Linux); elsewhere all of the machine's cores."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


class WorkerError(RuntimeError):
    """A worker process died (not an error in the input)."""


class WorkerPool:
    """``n`` worker processes running :func:`hemifacial.video.pipeline.process_segment`."""

    def __init__(self, n: int) -> None:
        self.n = n
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

    def _send(self, proc: subprocess.Popen[bytes], task: Any) -> None:
        stdin: IO[bytes] | None = proc.stdin
        assert stdin is not None
        pickle.dump(task, stdin, protocol=pickle.HIGHEST_PROTOCOL)
        stdin.flush()

    def imap(self, tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Run ``tasks``; yield ``(index, result)`` as each finishes (errors re-raised)."""
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
                for key, _ in sel.select():
                    i = key.data
                    proc = self._procs[i]
                    try:
                        status, value = pickle.load(proc.stdout)
                    except EOFError:
                        raise WorkerError("a video worker process stopped unexpectedly") from None
                    k = busy.pop(i)
                    if pending:
                        k2, task = pending.pop()
                        self._send(proc, task)
                        busy[i] = k2
                    else:
                        sel.unregister(key.fileobj)
                    if status == "err":
                        raise value
                    yield k, value
        finally:
            sel.close()

    def close(self) -> None:
        """Stop the workers (closing stdin ends them)."""
        for p in self._procs:
            if p.stdin:
                p.stdin.close()
        for p in self._procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            if p.stdout:
                p.stdout.close()
        self._procs = []


_POOL: WorkerPool | None = None


def get_pool(n: int) -> WorkerPool:
    """The shared pool with ``n`` workers (restarted if ``n`` changes)."""
    global _POOL
    if _POOL is None or _POOL.n != n:
        shutdown()
        _POOL = WorkerPool(n)
    return _POOL


def shutdown() -> None:
    """Stop the shared pool (it is kept alive between calls otherwise)."""
    global _POOL
    if _POOL is not None:
        _POOL.close()
        _POOL = None


atexit.register(shutdown)
