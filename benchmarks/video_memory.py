"""Peak memory of analysing a 10-s and a 10-min clip (memory must be flat in clip length).

Run: ``.venv/bin/python benchmarks/video_memory.py``

Each analysis runs in a fresh child interpreter (``--one PATH``) so peaks do not mix; the
peak RSS of that process and of its worker processes (max over workers, from
``getrusage(RUSAGE_CHILDREN)`` after they exit) are printed, plus their sum.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from hemifacial.video.synthetic import loop_clip

VIDEOS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "videos"


def one(path: str) -> None:
    from hemifacial.video import analyze_video
    from hemifacial.video.pipeline import shutdown_pool

    a = analyze_video(path, jobs=2)
    shutdown_pool()
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"frames": a.quality.n_frames, "parent_mb": me, "worker_mb": kids}))


def main() -> None:
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
                f"parent + 2 workers {r['parent_mb'] + 2 * r['worker_mb']:.0f} MB"
            )
        a, b = res["10 s"], res["10 min"]
        print(
            f"parent growth 10 min vs 10 s: {100 * (b['parent_mb'] / a['parent_mb'] - 1):+.1f}%;"
            f" worker growth {100 * (b['worker_mb'] / a['worker_mb'] - 1):+.1f}%"
        )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        one(sys.argv[2])
    else:
        main()
