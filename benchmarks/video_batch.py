"""A batch of clips on one core and on two: how ``--jobs`` scales.

Run: ``.venv/bin/python benchmarks/video_batch.py [--rounds N]``

The batch is every shared clip up to 720p (10 clips, ~4 000 frames), analysed with
``analyze_many`` as ``hemifacial video analyze FILE... --jobs N`` does: ``--jobs 1`` runs
in this process; ``--jobs 2`` shares two worker processes among all the clips' segments
(a warm pool, as in a running server). The two settings alternate for N rounds (default 3);
the medians and their ratio are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from hemifacial.video import analyze_many
from hemifacial.video.decode import probe

VIDEOS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "videos"


def run(paths: list[Path], jobs: int) -> tuple[int, float]:
    """Frames analysed and wall seconds for the whole batch."""
    t0 = time.perf_counter()
    results = analyze_many(paths, jobs=jobs)
    dt = time.perf_counter() - t0
    frames = 0
    for r in results:
        if isinstance(r, Exception):
            raise r
        frames += r.quality.n_frames
    return frames, dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print(f"load average (1 min) at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    paths = [
        p
        for p in sorted(VIDEOS.glob("*.mp4")) + sorted(VIDEOS.glob("*.mov"))
        if max((info := probe(p)).width, info.height) <= 1280
    ]
    run(paths[:1], 2)  # start the worker pool once
    walls: dict[int, list[float]] = {1: [], 2: []}
    frames = 0
    for rnd in range(args.rounds):
        for jobs in (1, 2) if rnd % 2 == 0 else (2, 1):
            frames, dt = run(paths, jobs)
            walls[jobs].append(dt)
            print(
                f"round {rnd + 1}  --jobs {jobs}: {frames} frames in {dt:5.2f} s"
                f" = {frames / dt:6.1f} fps"
            )
    one, two = statistics.median(walls[1]), statistics.median(walls[2])
    print(
        f"\n{len(paths)} clips, {frames} frames: median --jobs 1 {frames / one:.1f} fps, "
        f"--jobs 2 {frames / two:.1f} fps: {one / two:.2f}× on 2 cores"
    )
    print(f"load average (1 min) at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
