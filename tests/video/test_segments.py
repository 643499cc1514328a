"""How a clip is cut into worker segments, and how landmarks are read from MediaPipe's output."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from hemifacial.video.decode import Frame, VideoInfo, iter_frames, keyframes_near, probe
from hemifacial.video.landmarks import _kept_from_wire
from hemifacial.video.pipeline import BURST_BYTES, BURST_FRAMES, _in_bursts, _Scale
from hemifacial.video.segments import SEGMENT_MIN_S, plan_segments
from hemifacial_synth.pasted import make_clip


def _info(duration: float, width: int = 480, height: int = 480) -> VideoInfo:
    return VideoInfo("x.mp4", "mp4", "h264", width, height, 0, 0.0, duration, 30.0, None, 1)


def _covers(segs: list[tuple[float, float]]) -> None:
    assert segs[0][0] == 0.0 and segs[-1][1] == math.inf
    for (_, b), (c, _) in itertools.pairwise(segs):
        assert b == c
    for a, b in segs[:-1]:
        assert b - a >= SEGMENT_MIN_S


def test_cut_moves_onto_a_keyframe_near_the_middle():
    segs = plan_segments(_info(20.0), 2, keyframes=lambda ts: [(7.0, 10.05) for _ in ts])
    _covers(segs)
    assert segs[0] == (0.0, 10.05)  # no frame decoded twice, 0.05 s of imbalance
    segs = plan_segments(_info(20.0), 2, keyframes=lambda ts: [(9.5, 12.0) for _ in ts])
    assert 10.0 < segs[0][1] < 10.1  # a little later: the second worker decodes from 9.5


def test_one_keyframe_cut_moves_earlier_to_pay_for_the_pre_roll():
    """The second worker decodes from 0 to the cut for nothing, so it gets fewer frames."""
    small = plan_segments(_info(12.0), 2, keyframes=lambda ts: [(0.0, None) for _ in ts])
    big = plan_segments(_info(12.0, 720, 1280), 2, keyframes=lambda ts: [(0.0, None) for _ in ts])
    _covers(small)
    _covers(big)
    assert 6.0 < small[0][1] < big[0][1] < 12.0 - SEGMENT_MIN_S


def test_unknown_keyframes_keep_the_even_split():
    segs = plan_segments(_info(20.0), 2, keyframes=lambda ts: [(None, None) for _ in ts])
    assert segs == [(0.0, 10.0), (10.0, math.inf)]


def test_long_clip_a_multiple_of_jobs_on_keyframes():
    def every_2s(ts: list[float]) -> list[tuple[float | None, float | None]]:
        return [(2.0 * math.floor(t / 2.0), 2.0 * math.floor(t / 2.0) + 2.0) for t in ts]

    segs = plan_segments(_info(70.0), 2, keyframes=every_2s)
    _covers(segs)
    assert len(segs) == 4  # 3 segments would leave one core idle for the last one
    assert all(a % 2.0 == 0.0 for a, _ in segs)


def test_short_or_single_job_is_one_segment():
    assert plan_segments(_info(2 * SEGMENT_MIN_S - 0.1), 2) == [(0.0, math.inf)]
    assert plan_segments(_info(60.0), 1) == [(0.0, math.inf)]


def test_a_phone_clip_of_a_few_seconds_uses_both_cores():
    segs = plan_segments(_info(2.4), 2, keyframes=lambda ts: [(0.0, None) for _ in ts])
    _covers(segs)
    assert len(segs) == 2


def _frame(i: int, side: int = 8) -> Frame:
    return Frame(float(i), np.zeros((side, side, 3), np.uint8))


def _pulls_and_uses(n: int, settled: bool, side: int = 8) -> list[str]:
    log: list[str] = []

    def decoded() -> Iterator[Frame]:
        for i in range(n):
            log.append(f"decode {i}")
            yield _frame(i, side)

    scale = _Scale(1.0, settled=settled)
    for fr in _in_bursts(decoded(), scale):
        log.append(f"use {int(fr.t)}")
    return log


def test_frames_are_decoded_in_bursts_once_the_scale_is_settled():
    """Alternating decode and FaceMesh evicts the model from the caches (~12 % slower)."""
    log = _pulls_and_uses(BURST_FRAMES + 5, settled=True)
    assert log[: BURST_FRAMES + 1] == [f"decode {i}" for i in range(BURST_FRAMES)] + ["use 0"]
    assert [x for x in log if x.startswith("use")] == [f"use {i}" for i in range(BURST_FRAMES + 5)]


def test_one_frame_at_a_time_until_the_face_size_sets_the_scale():
    log = _pulls_and_uses(3, settled=False)
    assert log == ["decode 0", "use 0", "decode 1", "use 1", "decode 2", "use 2"]


def test_a_burst_is_bounded_in_bytes():
    side = 512  # 768 kB a frame
    log = _pulls_and_uses(40, settled=True, side=side)
    per_burst = -(-BURST_BYTES // (side * side * 3))
    assert log.index("use 0") == per_burst < BURST_FRAMES


@pytest.fixture(scope="module")
def gop_clip(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("v") / "gop.mp4"
    make_clip(path, [], source="blank", duration_s=6, markers=True, motion=0, noise=0)
    return path


def test_keyframes_near_and_a_segment_starting_on_one(gop_clip):
    info = probe(gop_clip)
    [(before, after)] = keyframes_near(info, [3.0])
    assert before is not None and before <= 3.0
    assert after is None or after > 3.0
    if before > 0:  # a segment starting on the keyframe begins exactly there
        first = next(iter(iter_frames(gop_clip, start_s=before, info=info)))
        assert first.t == pytest.approx(before, abs=1e-6)
    times = [f.t for f in iter_frames(gop_clip, info=info)]
    a = [f.t for f in iter_frames(gop_clip, end_s=3.3, info=info)]
    b = [f.t for f in iter_frames(gop_clip, start_s=3.3, info=info)]
    assert a + b == times  # every frame once, whatever the cut


def test_landmarks_read_from_the_wire_equal_attribute_access():
    from mediapipe.framework.formats import landmark_pb2

    rng = np.random.default_rng(0)
    xyz = rng.uniform(0.05, 0.95, (478, 3)).astype(np.float32)
    msg = landmark_pb2.NormalizedLandmarkList()
    for x, y, z in xyz:
        msg.landmark.add(x=float(x), y=float(y), z=float(z))
    kept = np.array([33, 263, 1, 477, 0])
    got = _kept_from_wire(msg.SerializeToString(), kept)
    assert got is not None
    np.testing.assert_array_equal(got, xyz[kept])
    msg.landmark[5].visibility = 0.5  # any other field: not the plain layout, so no guess
    assert _kept_from_wire(msg.SerializeToString(), kept) is None
    msg.landmark[5].ClearField("visibility")
    msg.landmark[7].ClearField("z")
    assert _kept_from_wire(msg.SerializeToString(), kept) is None


@pytest.mark.shared_data
def test_a_segment_does_not_start_from_the_previous_clips_face_box(shared_videos):
    """FaceMesh tracks each frame from the box of the frame before; a worker's next segment
    must find its face afresh, whatever the worker analysed last (it was off by ~10 % of
    the frame on the first frame before)."""
    from hemifacial.video.pipeline import SegmentTask, process_segment

    seg = SegmentTask(probe(shared_videos / "liveportrait_d19.mp4"), 4.0, 4.5, "mediapipe")
    runs = []
    for other in ("liveportrait_d13.mp4", "liveportrait_d3.mp4"):
        process_segment(SegmentTask(probe(shared_videos / other), 0.0, 1.0, "mediapipe"))
        runs.append(process_segment(seg).points.astype(int))
    assert runs[0].shape[0] >= 10
    np.testing.assert_array_equal(runs[0], runs[1])


def _number_the_stats(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make each face-statistics measurement read as its own number (1, 2, 3 … as the
    brightness; the real sharpness); returns the counter."""
    from hemifacial.video import pipeline

    calls = [0]
    real = pipeline._face_stats

    def numbered(rgb, pts):  # type: ignore[no-untyped-def]
        calls[0] += 1
        return float(calls[0]), real(rgb, pts)[1]

    monkeypatch.setattr(pipeline, "_face_stats", numbered)
    return calls


def test_face_statistics_are_measured_every_tenth_of_a_second(tmp_path, monkeypatch):
    """Brightness and sharpness are sampled at 10 Hz and carried over to the frames between."""
    from hemifacial.video import pipeline

    path = tmp_path / "c.mp4"
    make_clip(path, [], source="blank", duration_s=3, markers=True, motion=0, noise=0)
    calls = _number_the_stats(monkeypatch)
    res = pipeline.process_segment(pipeline.SegmentTask(probe(path), 0.0, math.inf, "synthetic"))
    assert res.found.all() and len(res.times) == 90
    assert calls[0] == math.ceil(3 / pipeline.STATS_EVERY_S)
    # each measurement is held until the next one, at least STATS_EVERY_S later
    changes = np.flatnonzero(np.diff(res.brightness)) + 1
    assert res.brightness[0] == 1.0 and len(changes) == calls[0] - 1
    gaps = np.diff(res.times[np.r_[0, changes]])
    assert gaps.min() >= pipeline.STATS_EVERY_S - 2e-3 and gaps.max() < 0.15
    assert np.isfinite(res.sharpness).all()


def test_a_face_coming_back_is_measured_at_once(tmp_path, monkeypatch):
    """Frames 0, 3, 6 … are measured on schedule; the face is missing in frame 22 only, so
    frame 23 is measured at once instead of waiting for frame 24."""
    from hemifacial.video import pipeline
    from hemifacial.video.encode import write_h264
    from hemifacial.video.landmarks import paint_markers

    def frames() -> Iterator[np.ndarray]:
        for i in range(40):
            img = np.full((128, 128, 3), 128, np.uint8)
            paint_markers(img, {"face": 0.0 if i == 22 else 1.0})
            yield img

    path = tmp_path / "gap.mp4"
    write_h264(path, frames())
    _number_the_stats(monkeypatch)
    res = pipeline.process_segment(pipeline.SegmentTask(probe(path), 0.0, math.inf, "synthetic"))
    assert not res.found[22] and np.isnan(res.brightness[22])
    b = np.nan_to_num(res.brightness, nan=-1.0)
    measured = [0, *(np.flatnonzero(b[1:] > np.maximum.accumulate(b)[:-1]) + 1)]
    assert measured[:10] == [0, 3, 6, 9, 12, 15, 18, 21, 23, 26]
