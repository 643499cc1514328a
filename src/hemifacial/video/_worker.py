"""Worker process: reads pickled segment tasks on stdin, writes pickled results on stdout.

Started as ``python -m hemifacial.video._worker`` by :class:`hemifacial.video.workers.WorkerPool`
(a fresh interpreter: no fork of a parent that may run MediaPipe threads, no re-import of
the caller's main script). Each worker keeps its own FaceMesh between tasks.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys


def main() -> None:
    """Serve tasks until stdin closes."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, not into the result pipe
    cpu = os.environ.get("HEMIFACIAL_WORKER_CPU")
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError, ValueError):
            os.sched_setaffinity(0, {int(cpu)})
    import cv2

    cv2.setNumThreads(1)
    import gc

    from hemifacial.video.pipeline import process_segment

    gc.freeze()  # the imported modules stay for the worker's life: keep them out of GC passes

    inp = sys.stdin.buffer
    while True:
        try:
            task = pickle.load(inp)
        except EOFError:
            return
        try:
            reply: tuple[str, object] = ("ok", process_segment(task))
        except Exception as exc:  # sent back and re-raised in the parent
            reply = ("err", exc)
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an exception that cannot be pickled: send its text
            data = pickle.dumps(("err", RuntimeError(f"{reply[1]!r} ({exc})")))
        out.write(data)
        out.flush()


if __name__ == "__main__":
    main()
