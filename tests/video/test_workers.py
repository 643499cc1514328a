"""The persistent worker pool."""

from __future__ import annotations

import os
from pathlib import Path

from hemifacial.video import workers


def test_pids_name_the_running_worker_processes():
    pool = workers.get_pool(2)
    pids = pool.pids
    assert len(set(pids)) == 2 and os.getpid() not in pids
    for pid in pids:
        os.kill(pid, 0)  # raises if no such process
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.exists():
            assert b"hemifacial.video._worker" in cmdline.read_bytes()
