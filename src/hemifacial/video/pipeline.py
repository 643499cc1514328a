"""Decode and landmark a clip in time segments, in parallel worker processes.

One MediaPipe FaceMesh runs about 177 frames/s here and does not use two cores well; two
processes landmark ~420–480 frames/s together (``../shared/reference/video-analysis.md``
§5.1). So a clip is cut into time segments; each worker process seeks to its segment,
decodes, scales the frame so the face is about :data:`TARGET_IOD_PX` wide in the same
swscale pass as the RGB conversion, and runs its own FaceMesh. Workers return only the
kept points (int16, 312 bytes) and two quality numbers per frame, so memory stays flat in clip
length; frames are held only in short bursts (at most :data:`BURST_BYTES`).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hemifacial.analysis import landmark_ids as ids
from hemifacial.analysis.types import FaceTrack, quantise_points
from hemifacial.errors import VideoInputError

from . import workers
from .appearance import NO_EYES, THUMB_H, THUMB_W, eye_thumbnails
from .decode import Frame, VideoInfo, iter_frames
from .landmarks import Box, Landmarker, make_landmarker
from .segments import plan_segments

TARGET_IOD_PX = 80.0
"""Face size (outer-eye distance, px) fed to FaceMesh; larger frames are scaled down.

FaceMesh warps the face to a 192-px square (face ≈ 2.2 IOD wide, so IOD ≈ 85 px there);
a larger input adds cost (~1.35× at 350² vs 240² on ``d6``) but no detail."""
MAX_SIDE_PX = 640
"""Initial scale: the longer side is brought to this many pixels (never up-scaled)."""
FACE_CHECK_EVERY_S = 2.0
"""How often the multi-face detector runs (sparse: it is costly)."""
STATS_EVERY_S = 0.1
"""How often the face's brightness and sharpness are measured; frames in between carry the
last measurement (light and focus change slowly; fast motion is caught by the head-speed
check). Every frame cost ~0.16 ms, ~4 % of a worker's frame."""


@dataclass(frozen=True)
class SegmentTask:
    """One time range of one clip for one worker."""

    info: VideoInfo
    start_s: float
    end_s: float
    landmarker: str


@dataclass
class SegmentResult:
    """Per-frame outputs of one segment (points quantised: see ``FaceTrack.quantised``)."""

    times: npt.NDArray[np.float64]
    points: npt.NDArray[np.int16]
    found: npt.NDArray[np.bool_]
    brightness: npt.NDArray[np.float32]
    sharpness: npt.NDArray[np.float32]
    n_faces: npt.NDArray[np.float32]
    scale: float
    eye_pixels: npt.NDArray[np.uint8] | None = None
    """(n, 2, h, w): each eye's luma thumbnail (:mod:`.appearance`; zeros without a face)."""


_LANDMARKERS: dict[str, Landmarker] = {}
_IN_PROCESS = threading.Lock()
"""In-process runs (``jobs=1``) take turns: a landmarker tracks one clip at a time."""


def _landmarker(kind: str) -> Landmarker:
    if kind not in _LANDMARKERS:
        _LANDMARKERS[kind] = make_landmarker(kind)
    return _LANDMARKERS[kind]


def _face_stats(rgb: npt.NDArray[np.uint8], pts_px: npt.NDArray[np.float32]) -> tuple[float, float]:
    """Mean luma and Laplacian variance of the face box (box scaled to 100 px wide)."""
    import cv2  # in the workers only (see decode._to_rgb)

    h, w = rgb.shape[:2]
    lo, hi = pts_px.min(axis=0), pts_px.max(axis=0)
    x0, y0 = min(max(int(lo[0]), 0), w - 1), min(max(int(lo[1]), 0), h - 1)
    x1, y1 = min(max(int(hi[0]), 1), w), min(max(int(hi[1]), 1), h)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return float("nan"), float("nan")
    crop = cv2.cvtColor(rgb[y0:y1, x0:x1], cv2.COLOR_RGB2GRAY)
    hh = max(4, round(100 * (y1 - y0) / (x1 - x0)))
    crop = cv2.resize(crop, (100, hh), interpolation=cv2.INTER_AREA)
    _, sd = cv2.meanStdDev(cv2.Laplacian(crop, cv2.CV_32F))  # OpenCV: ~3× less than numpy
    return float(cv2.mean(crop)[0]), float(sd[0, 0]) ** 2


def _roi_for(boxes: list[Box], pts: npt.NDArray[np.float32] | None) -> Box | None:
    """A crop around the largest face when several faces are seen and we track another."""
    if len(boxes) < 2:
        return None
    x0, y0, x1, y1 = boxes[0]
    if pts is not None:
        cx, cy = float(pts[:, 0].mean()), float(pts[:, 1].mean())
        if x0 <= cx <= x1 and y0 <= cy <= y1:
            return None
    mx, my = 0.6 * (x1 - x0), 0.6 * (y1 - y0)
    return (max(0.0, x0 - mx), max(0.0, y0 - my), min(1.0, x1 + mx), min(1.0, y1 + my))


class _Scale:
    """The decode scale, changed mid-segment once the face size is known (``settled``)."""

    def __init__(self, value: float, settled: bool) -> None:
        self.value = value
        self.settled = settled

    def __call__(self) -> float:
        return self.value


BURST_FRAMES = 64
BURST_BYTES = 8 << 20


def _in_bursts(frames: Iterator[Frame], scale: _Scale) -> Iterator[Frame]:
    """Decode up to :data:`BURST_FRAMES` frames (:data:`BURST_BYTES` of RGB) at a time, then
    hand them over one by one: one frame at a time until the decode scale has settled.

    Decoding between every two FaceMesh calls evicts the mesh model from the CPU caches:
    on d6, one pinned core, decode + landmarks cost 3.9 ms a frame one by one and 3.4–3.5 ms
    in bursts of 16–48 (medians of 8 alternated runs). On 2026-11-30's VM, bursts of up to
    64 frames cost 2.5–9 % less than bursts of 32 on d6, d19 and d13 (medians of 6
    alternated runs); raising the 8-MB cap to 16 MB gained nothing and cost 7 MB a worker."""
    while True:
        want = BURST_FRAMES if scale.settled else 1
        burst: list[Frame] = []
        size = 0
        for fr in frames:
            burst.append(fr)
            size += fr.rgb.nbytes
            if len(burst) >= want or size >= BURST_BYTES:
                break
        if not burst:
            return
        yield from burst


def process_segment(task: SegmentTask) -> SegmentResult:
    """Decode and landmark one segment (runs inside a worker process)."""
    lm = _landmarker(task.landmarker)
    lm.reset()  # the segment's first face is found afresh, not from another clip's box
    info = task.info
    times: list[float] = []
    pts_out: list[npt.NDArray[np.float32]] = []  # normalised; quantised once at the end
    found: list[bool] = []
    bright: list[float] = []
    sharp: list[float] = []
    nf: list[float] = []
    thumbs: list[npt.NDArray[np.uint8]] = []
    nan_pts = np.full((len(ids.KEPT), 3), np.nan, dtype=np.float32)
    next_check = next_stats = task.start_s
    stats = (math.nan, math.nan)
    roi: Box | None = None
    last: npt.NDArray[np.float32] | None = None
    # the synthetic twin reads pixel-sized marker blocks: its frames are never rescaled
    scale = _Scale(initial_scale(info), settled=task.landmarker == "synthetic")
    frames = iter_frames(
        info.path, start_s=task.start_s, end_s=task.end_s, scale=scale, info=info, fast=True
    )
    for fr in _in_bursts(frames, scale):
        rgb = fr.rgb
        h, w = rgb.shape[:2]
        count = math.nan
        if fr.t >= next_check:
            boxes = lm.count_faces(rgb)
            count = float(len(boxes))
            roi = _roi_for(boxes, last)
            next_check = fr.t + FACE_CHECK_EVERY_S
        if roi is None:
            p = lm.process(rgb)
        else:
            cx0, cy0 = int(roi[0] * w), int(roi[1] * h)
            cx1, cy1 = max(cx0 + 8, int(roi[2] * w)), max(cy0 + 8, int(roi[3] * h))
            p = lm.process(np.ascontiguousarray(rgb[cy0:cy1, cx0:cx1]))
            if p is not None:
                cw, ch = (cx1 - cx0) / w, (cy1 - cy0) / h
                p = p * np.array([cw, ch, cw], dtype=np.float32)
                p[:, 0] += cx0 / w
                p[:, 1] += cy0 / h
        times.append(fr.t)
        nf.append(count)
        if p is None:
            pts_out.append(nan_pts)
            found.append(False)
            bright.append(math.nan)
            sharp.append(math.nan)
            thumbs.append(NO_EYES)
            last = None
            continue
        px = p[:, :2] * np.array([w, h], dtype=np.float32)
        thumbs.append(eye_thumbnails(rgb, px))
        if last is None or fr.t >= next_stats:  # a face (re)appearing is measured at once
            stats = _face_stats(rgb, px)
            next_stats = fr.t + STATS_EVERY_S - 1e-3  # 1 ms: timestamps are rounded
        last = p
        pts_out.append(p)
        found.append(True)
        bright.append(stats[0])
        sharp.append(stats[1])
        if not scale.settled:
            # First face: from the next frame on, decode so the face is ~TARGET_IOD_PX wide.
            scale.settled = True
            iod = float(np.linalg.norm((p[ids.pos(33), :2] - p[ids.pos(263), :2]) * (w, h)))
            want = min(1.0, scale.value * TARGET_IOD_PX / max(iod, 1.0))
            if abs(math.log(want / scale.value)) > math.log(1.25):
                scale.value = want
    return SegmentResult(
        times=np.array(times, dtype=np.float64),
        points=quantise_points(np.array(pts_out, np.float32).reshape(-1, len(ids.KEPT), 3)),
        found=np.array(found, dtype=bool),
        brightness=np.array(bright, dtype=np.float32),
        sharpness=np.array(sharp, dtype=np.float32),
        n_faces=np.array(nf, dtype=np.float32),
        scale=scale.value,
        eye_pixels=np.array(thumbs, dtype=np.uint8).reshape(-1, 2, THUMB_H, THUMB_W),
    )


def _empty(scale: float) -> SegmentResult:
    k = len(ids.KEPT)
    z = np.zeros(0, dtype=np.float32)
    return SegmentResult(
        np.zeros(0), np.zeros((0, k, 3), np.int16), np.zeros(0, bool), z, z, z, scale
    )


def initial_scale(info: VideoInfo) -> float:
    """Scale that brings the longer side to :data:`MAX_SIDE_PX` (never above 1)."""
    return min(1.0, MAX_SIDE_PX / max(info.width, info.height))


def shutdown_pool() -> None:
    """Stop the worker processes (they are kept alive between calls otherwise)."""
    workers.shutdown()


def default_jobs() -> int:
    """One worker per available core."""
    return len(workers.usable_cpus())


def merge(info: VideoInfo, parts: list[SegmentResult]) -> FaceTrack:
    """Concatenate segment results into one quantised :class:`FaceTrack`.

    Each part is copied into the preallocated arrays and dropped at once (``parts`` is
    emptied), so the peak is the track plus one segment, not two tracks."""
    keep = [p for p in parts if len(p.times)]
    parts.clear()
    if not keep:
        keep = [_empty(1.0)]
    n = sum(len(p.times) for p in keep)
    k = keep[0].points.shape[1]
    times = np.empty(n)
    points = np.empty((n, k, 3), np.int16)
    found = np.empty(n, bool)
    bright, sharp, nf = (np.empty(n, np.float32) for _ in range(3))
    thumbs = np.zeros((n, 2, THUMB_H, THUMB_W), np.uint8)
    a = 0
    while keep:
        p = keep.pop(0)
        b = a + len(p.times)
        times[a:b], points[a:b], found[a:b] = p.times, p.points, p.found
        bright[a:b], sharp[a:b], nf[a:b] = p.brightness, p.sharpness, p.n_faces
        if p.eye_pixels is not None:
            thumbs[a:b] = p.eye_pixels
        a = b
        del p
    return FaceTrack(
        times=times,
        points=points,
        face_found=found,
        brightness=bright.astype(np.float64),
        sharpness=sharp.astype(np.float64),
        n_faces=nf.astype(np.float64),
        width=info.width,
        height=info.height,
        quantised=True,
        eye_pixels=thumbs,
    )


def track_many(
    infos: Sequence[VideoInfo],
    *,
    jobs: int,
    landmarker: str = "mediapipe",
    progress: Callable[[float], None] | None = None,
) -> list[FaceTrack | VideoInputError]:
    """Face tracks of several clips; all their segments share the worker pool.

    A clip whose segment raises VideoInputError (damaged beyond what the probe saw) gets
    that error in its place; the other clips are still analysed. Other errors are raised.
    """
    tasks = [
        (k, SegmentTask(info, a, b, landmarker))
        for k, info in enumerate(infos)
        for a, b in plan_segments(info, jobs)
    ]
    results: list[list[SegmentResult | None]] = [[] for _ in infos]
    slots: list[tuple[int, int]] = []
    for k, _ in tasks:
        slots.append((k, len(results[k])))
        results[k].append(None)
    weights = [min(t.end_s, t.info.duration_s or 1.0) - t.start_s for _, t in tasks]
    total = sum(weights) or 1.0
    done = 0.0
    failed: dict[int, VideoInputError] = {}

    def record(n: int, value: SegmentResult | BaseException) -> None:
        nonlocal done
        k, i = slots[n]
        if isinstance(value, SegmentResult):
            results[k][i] = value
        elif isinstance(value, VideoInputError):
            failed.setdefault(k, value)
        else:
            raise value
        done += weights[n]
        if progress:
            progress(min(1.0, done / total))

    if jobs <= 1:
        with _IN_PROCESS:
            for n, (k, t) in enumerate(tasks):
                if k in failed:
                    continue
                try:
                    record(n, process_segment(t))
                except VideoInputError as exc:
                    record(n, exc)
    else:
        with workers.lease(jobs) as pool:
            for n, _, value in pool.imap([t for _, t in tasks]):
                record(n, value)
    tracks: list[FaceTrack | VideoInputError] = []
    for k, (info, rs) in enumerate(zip(infos, results, strict=True)):
        parts = [r for r in rs if r is not None]
        rs.clear()
        tracks.append(failed[k] if k in failed else merge(info, parts))
    return tracks
