"""The persistent worker pool: what happens when a worker dies or a task fails."""

from __future__ import annotations

import math
import os
import shutil
import signal
import threading
from pathlib import Path

import pytest

from hemifacial.errors import HemifacialError, VideoInputError, VideoWorkerError
from hemifacial.video import analyze_many, analyze_video, workers
from hemifacial.video.decode import probe
from hemifacial.video.pipeline import SegmentTask, track_many
from hemifacial_synth.pasted import SpasmSpec, make_clip

SPEC = [SpasmSpec(2.0, 0.3, "right", "clonic", 0.9, True, False)]


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("w") / "twin.mp4"
    make_clip(path, SPEC, source="blank", duration_s=6, markers=True, motion=0, noise=0)
    return path


def _task(path: Path, start: float = 0.0, end: float = math.inf) -> SegmentTask:
    return SegmentTask(probe(path), start, end, "synthetic")


def test_pids_name_the_running_worker_processes():
    pool = workers.get_pool(2)
    pids = pool.pids
    assert len(set(pids)) == 2 and os.getpid() not in pids
    for pid in pids:
        os.kill(pid, 0)  # raises if no such process
        stat = Path(f"/proc/{pid}/stat")
        if stat.exists():  # Linux: each is our own child (its parent pid is ours)
            assert int(stat.read_text().rsplit(")", 1)[1].split()[1]) == os.getpid()


def test_a_worker_killed_mid_run_is_a_clear_error_and_the_next_run_starts_afresh(clip):
    pool = workers.get_pool(2)
    victim = pool.pids[0]
    os.kill(victim, signal.SIGSTOP)  # it takes its task but cannot answer before it dies
    threading.Timer(0.3, os.kill, (victim, signal.SIGKILL)).start()
    with pytest.raises(VideoWorkerError, match="stopped unexpectedly") as err:
        list(pool.imap([_task(clip), _task(clip)]))
    assert isinstance(err.value, HemifacialError)  # the CLI and web turn it into a message
    assert not pool.usable
    a = analyze_video(clip, landmarker="synthetic", jobs=2)
    assert workers.get_pool(2) is not pool
    # the clip's one closure is found on the right (not counted as spasm: it is not repeated)
    assert [(e.side, round(e.start_s)) for e in a.events if e.side != "both"] == [("right", 2)]


def test_a_dead_idle_worker_is_replaced_before_the_next_run(clip):
    pool = workers.get_pool(2)
    os.kill(pool.pids[1], signal.SIGKILL)
    os.waitpid(pool.pids[1], 0)
    a = analyze_video(clip, landmarker="synthetic", jobs=2)
    assert workers.get_pool(2) is not pool and a.quality.n_frames == 180


def test_a_run_left_with_tasks_out_is_never_reused(clip, tmp_path):
    """A busy worker's late reply must not be read as the answer to the next task."""
    pool = workers.get_pool(2)
    run = pool.imap([_task(clip, 0.0, 1.0), _task(clip)])
    next(run)
    run.close()  # the caller stops reading while the other task is still out
    assert not pool.usable
    fresh = workers.get_pool(2)
    assert fresh is not pool
    replies = sorted(fresh.imap([_task(clip, 0.0, 1.0), _task(clip, 1.0, 3.0)]))
    assert [(k, s, len(r.times)) for k, s, r in replies] == [(0, "ok", 30), (1, "ok", 60)]


def test_a_clip_that_fails_in_a_worker_does_not_stop_the_others(clip, tmp_path):
    """The probe saw a video, but it is gone by the time the workers open it."""
    doomed = tmp_path / "doomed.mp4"
    shutil.copy(clip, doomed)
    infos = [probe(clip), probe(doomed), probe(clip)]
    doomed.unlink()
    for jobs in (1, 2):
        tracks = track_many(infos, jobs=jobs, landmarker="synthetic")
        assert isinstance(tracks[1], VideoInputError) and "not found" in str(tracks[1])
        assert [len(t.times) for t in (tracks[0], tracks[2])] == [180, 180]  # type: ignore[union-attr]
    shutil.copy(clip, doomed)
    results = analyze_many([clip, doomed, clip], landmarker="synthetic", jobs=2)
    assert not any(isinstance(r, Exception) for r in results)


@pytest.mark.parametrize("jobs", [1, 2])
def test_threads_sharing_the_pool_each_get_their_own_clip(clip, tmp_path, jobs):
    """A threaded server may analyse two uploads at once: runs take turns on the pool (or,
    in process, on the landmarker). Without the turns, two workers' replies got mixed."""
    left = tmp_path / "left.mp4"
    make_clip(
        left,
        [SpasmSpec(1.0, 0.3, "left", "clonic", 0.9, True, False)],
        source="blank",
        duration_s=4,
        markers=True,
        motion=0,
        noise=0,
    )
    want = {clip: ("right", 180), left: ("left", 120)}
    got: dict[Path, list[tuple[str, int]]] = {clip: [], left: []}
    errors: list[BaseException] = []

    def analyse(path: Path) -> None:
        try:
            for _ in range(3):
                a = analyze_video(path, landmarker="synthetic", jobs=jobs)
                [e] = [e for e in a.events if e.side != "both"]  # its one closure
                got[path].append((e.side, a.quality.n_frames))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=analyse, args=(p,)) for p in (clip, left)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert got == {p: [w] * 3 for p, w in want.items()}


def test_a_stuck_worker_times_out_and_is_replaced(clip, monkeypatch):
    pool = workers.get_pool(2)
    os.kill(pool.pids[0], signal.SIGSTOP)  # alive but silent
    usual = workers.REPLY_TIMEOUT_S
    monkeypatch.setattr(workers, "REPLY_TIMEOUT_S", 0.5)
    with pytest.raises(VideoWorkerError, match="stopped answering"):
        list(pool.imap([_task(clip), _task(clip)]))
    # the replacement works with the usual timeout (0.5 s is too short on a loaded machine)
    monkeypatch.setattr(workers, "REPLY_TIMEOUT_S", usual)
    a = analyze_video(clip, landmarker="synthetic", jobs=2)
    assert workers.get_pool(2) is not pool and a.quality.n_frames == 180


def test_exit_does_not_wait_for_a_run_in_another_thread(clip):
    """A server stopped mid-analysis (its job thread is a daemon) exits promptly."""
    import subprocess
    import sys
    import time

    script = f"""
import os, signal, threading, time
from hemifacial.video import analyze_video, workers
pool = workers.get_pool(2)
os.kill(pool.pids[0], signal.SIGSTOP)  # the run below can never finish
threading.Thread(
    target=analyze_video, args=({str(clip)!r},), kwargs=dict(landmarker="synthetic", jobs=2),
    daemon=True,
).start()
time.sleep(0.5)
print("exiting", flush=True)
"""
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "exiting" in out.stdout
    assert time.monotonic() - t0 < 30
