"""Peak memory of analysing a 10-s and a 10-min clip (memory must be flat in clip length).

Run: ``.venv/bin/python benchmarks/video_memory.py``

Each analysis runs in a fresh child interpreter (``--one PATH``) so peaks do not mix. Peaks
are each process's own ``VmHWM`` (``/proc/PID/status``): the parent's read at the end, each
worker's read just before the pool is shut down. (``getrusage`` ``ru_maxrss`` is not used:
Linux carries it across ``exec``, so a child started by a big process reports the big
process's peak — that inflated the parent figure of earlier runs to ~260 MB.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

VIDEOS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "videos"


def hwm_mb(pid: int | str = "self") -> float:
    """Peak resident memory (VmHWM) of a process in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one(path: str) -> None:
    from hemifacial.video import analyze_video, workers
    from hemifacial.video.pipeline import shutdown_pool

    a = analyze_video(path, jobs=2)
    kids = [hwm_mb(pid) for pid in workers.get_pool(2).pids]  # the pool analyze_video used
    shutdown_pool()
    me = hwm_mb()
    out = {"frames": a.quality.n_frames, "parent_mb": me, "worker_mb": max(kids, default=0.0)}
    out["workers_mb"] = sum(kids)
    print(json.dumps(out))


def main() -> None:
    # imported here: the measured child (``--one``) must not carry the clip maker's imports
    from hemifacial_synth.sources import loop_clip

    print(f"load average (1 min) at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        res = {}
        for label, secs in (("10 s", 10.0), ("10 min", 600.0)):
            clip = Path(tmp) / f"loop_{int(secs)}.mp4"
            loop_clip(VIDEOS / "liveportrait_d18.mp4", clip, secs)
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(clip)],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            res[label] = r
            print(
                f"{label:7s} {r['frames']:6d} frames: parent peak {r['parent_mb']:.0f} MB, "
                f"worker peak {r['worker_mb']:.0f} MB, "
                f"parent + workers {r['parent_mb'] + r['workers_mb']:.0f} MB"
            )
        a, b = res["10 s"], res["10 min"]
        tot_a, tot_b = a["parent_mb"] + a["workers_mb"], b["parent_mb"] + b["workers_mb"]
        print(
            f"parent growth 10 min vs 10 s: {100 * (b['parent_mb'] / a['parent_mb'] - 1):+.1f}%;"
            f" worker growth {100 * (b['worker_mb'] / a['worker_mb'] - 1):+.1f}%;"
            f" total growth {100 * (tot_b / tot_a - 1):+.1f}% (goal: total < 600 MB)"
        )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        one(sys.argv[2])
    else:
        main()
