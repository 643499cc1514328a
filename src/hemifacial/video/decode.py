"""Streaming video decode with PyAV: timestamps in seconds, rotation undone, frames scaled.

Frames are yielded one at a time (never all in memory). Each frame's time is its
``pts × time_base`` minus the stream's start time, so variable-frame-rate phone clips and
streams that start late are timed correctly (``../shared/reference/video-analysis.md``
§5.2). Rotation metadata (display matrix) is applied so the face is upright.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from hemifacial.errors import VideoInputError

RGB = npt.NDArray[np.uint8]
VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".avi", ".mkv", ".m4v")


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about the video stream (sizes after rotation)."""

    path: str
    container: str
    codec: str
    width: int
    height: int
    rotation: int
    start_s: float
    duration_s: float | None
    avg_fps: float | None
    n_frames: int | None
    size_bytes: int

    def to_dict(self) -> dict[str, object]:
        """JSON-safe mapping."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class Frame:
    """One decoded frame: time in seconds from clip start and the upright RGB image."""

    t: float
    rgb: RGB


def _open(path: Path) -> av.container.InputContainer:
    if not path.exists():
        raise VideoInputError(f"video file not found: '{path}'")
    if path.is_dir():
        raise VideoInputError(f"'{path}' is a folder, not a video file")
    if path.stat().st_size == 0:
        raise VideoInputError(f"'{path.name}' is empty (0 bytes); it is not a video")
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise VideoInputError(
            f"'{path.name}' cannot be read as a video ({exc.__class__.__name__}); "
            f"use an mp4, mov, webm, avi or mkv file from a phone or webcam"
        ) from exc
    if not container.streams.video:
        container.close()
        raise VideoInputError(f"'{path.name}' has no video stream (is it an audio or image file?)")
    return container


def _rotation(stream: av.video.stream.VideoStream, container: av.container.InputContainer) -> int:
    """Display rotation (degrees counter-clockwise, multiple of 90) from the first frame.

    The frame is decoded only for its side data: on one thread, without the deblocking
    filter (720×1280 H.264: 24 instead of 34 ms, the probe's main cost; it runs in the
    analysing process while both workers wait for their first task)."""
    stream.thread_type = "SLICE"
    stream.thread_count = 1
    stream.codec_context.options = {"skip_loop_filter": "all"}
    try:
        for frame in container.decode(stream):
            return round(frame.rotation / 90.0) * 90 % 360
    except av.error.FFmpegError:
        return 0
    return 0


def _scan_duration(path: Path, start_s: float) -> tuple[float | None, int | None]:
    """Duration and frame count from the packet headers, for a container that states no
    duration: a browser's MediaRecorder writes its WebM as a live stream (no Duration, no
    Cues). Reads packet headers only (~1 ms for 120 packets); None when unreadable."""
    container = _open(path)
    try:
        stream = container.streams.video[0]
        tb = stream.time_base
        end, count = None, 0
        for packet in container.demux(stream):
            if packet.pts is None or tb is None:
                continue
            count += 1
            stop = float((packet.pts + (packet.duration or 0)) * tb)
            end = stop if end is None else max(end, stop)
    except (av.error.FFmpegError, OverflowError, ValueError):
        return None, None
    finally:
        container.close()
    return (end - start_s if end is not None else None), (count or None)


def probe(path: str | Path) -> VideoInfo:
    """Read the container header and first frame; raise VideoInputError if not a video."""
    p = Path(path)
    container = _open(p)
    try:
        stream = container.streams.video[0]
        tb = stream.time_base
        if stream.codec_context.width <= 0 or tb is None:
            raise VideoInputError(f"'{p.name}' has a video stream without frames or timing")
        start = float(stream.start_time * tb) if stream.start_time is not None else 0.0
        n_frames = stream.frames or None
        if stream.duration is not None:
            duration: float | None = float(stream.duration * tb)
        elif container.duration is not None:
            duration = container.duration / 1e6
        else:
            duration, n_frames = _scan_duration(p, start)
        rate = float(stream.average_rate) if stream.average_rate else None
        rot = _rotation(stream, container)
        w, h = stream.codec_context.width, stream.codec_context.height
        if rot in (90, 270):
            w, h = h, w
        return VideoInfo(
            path=str(p),
            container=container.format.name,
            codec=stream.codec_context.name,
            width=w,
            height=h,
            rotation=rot,
            start_s=start,
            duration_s=duration,
            avg_fps=rate,
            n_frames=n_frames,
            size_bytes=p.stat().st_size,
        )
    finally:
        container.close()


def is_video(path: str | Path) -> bool:
    """Whether FFmpeg, through PyAV, finds a moving picture in the file: a video stream with
    at least two decodable frames. This is the one test of "is this a video" (no magic
    bytes): it accepts every container FFmpeg reads, and refuses text, PDFs, a lone header,
    a corrupt file and a still image (which FFmpeg opens as a one-frame stream)."""
    try:
        container = _open(Path(path))
    except VideoInputError:
        return False
    try:
        for n, _ in enumerate(container.decode(container.streams.video[0]), start=1):
            if n >= 2:
                return True
    except (av.error.FFmpegError, OverflowError, ValueError):
        pass
    finally:
        container.close()
    return False


def scaled_size(width: int, height: int, scale: float) -> tuple[int, int]:
    """Even pixel sizes after scaling (swscale and codecs like even sizes)."""
    return max(2, 2 * round(width * scale / 2)), max(2, 2 * round(height * scale / 2))


_PLANAR_420 = ("yuv420p", "yuvj420p")


def _shrink(plane: npt.NDArray[np.uint8], dw: int, dh: int, out: npt.NDArray[np.uint8]) -> None:
    """Resize one image plane to ``dw × dh`` into ``out``: exact 2× area halvings while the
    plane is at least twice too large (OpenCV's fast integer path, ~0.05 ms on 720×1280),
    then bilinear for the rest, written in place (no copy of the result into the I420
    buffer). Area resizing at a fractional ratio costs ~2.3 ms per plane."""
    import cv2  # here, not at the top: see _to_rgb

    h, w = plane.shape
    while w >= 2 * dw and h >= 2 * dh and w > 2 and h > 2:
        if w % 2 or h % 2:
            plane = np.asarray(cv2.pyrDown(plane), np.uint8)
        else:
            half = cv2.resize(plane, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
            plane = np.asarray(half, np.uint8)
        h, w = plane.shape
    if (w, h) != (dw, dh):
        cv2.resize(plane, (dw, dh), dst=out, interpolation=cv2.INTER_LINEAR)
    else:
        out[...] = plane


def _to_rgb(frame: av.VideoFrame, sw: int, sh: int) -> RGB:
    """RGB at ``sw × sh``. 4:2:0 frames are shrunk plane by plane (OpenCV area filter) and
    converted after: at small output sizes this is ~1.5× cheaper than swscale's scaling.

    OpenCV is imported only by the processes that convert frames (the workers): importing
    it adds ~48 MB to a process's resident memory, which the analysing process is spared."""
    import cv2

    w, h = frame.width, frame.height
    if (sw, sh) == (w, h) or frame.format.name not in _PLANAR_420 or w % 2 or h % 2:
        return np.asarray(
            frame.to_ndarray(format="rgb24", width=sw, height=sh, interpolation="AREA"),
            dtype=np.uint8,
        )
    ps = frame.planes
    y = np.frombuffer(memoryview(ps[0]), np.uint8).reshape(-1, ps[0].line_size)[:h, :w]
    u = np.frombuffer(memoryview(ps[1]), np.uint8).reshape(-1, ps[1].line_size)[: h // 2, : w // 2]
    v = np.frombuffer(memoryview(ps[2]), np.uint8).reshape(-1, ps[2].line_size)[: h // 2, : w // 2]
    n, q = sw * sh, sw * sh // 4
    yuv = np.empty((sh * 3 // 2, sw), np.uint8)  # I420 layout: Y, then U, then V
    flat = yuv.reshape(-1)  # a view: each plane is resized straight into its place
    _shrink(y, sw, sh, flat[:n].reshape(sh, sw))
    _shrink(u, sw // 2, sh // 2, flat[n : n + q].reshape(sh // 2, sw // 2))
    _shrink(v, sw // 2, sh // 2, flat[n + q :].reshape(sh // 2, sw // 2))
    return np.asarray(cv2.cvtColor(yuv, cv2.COLOR_YUV2RGB_I420), dtype=np.uint8)


def iter_frames(
    path: str | Path,
    *,
    start_s: float = 0.0,
    end_s: float = math.inf,
    scale: float | Callable[[], float] = 1.0,
    info: VideoInfo | None = None,
    fast: bool = False,
) -> Iterator[Frame]:
    """Yield upright RGB frames with ``start_s <= t < end_s`` (seconds from clip start).

    Seeks to the keyframe before ``start_s`` and decodes forward. ``scale`` (a number, or a
    function read before each frame so a caller can change it mid-stream) resizes during
    the RGB conversion; frames before ``start_s`` are decoded but never converted.
    ``fast`` decodes on one thread without the in-loop deblocking filter (H.264/HEVC:
    ~1.5× faster, invisible once the frame is scaled down) — for the landmarking workers.
    A file that breaks off mid-way stops the iteration quietly after the last good frame
    (the caller sees fewer frames); a file with no decodable frame raises VideoInputError.
    """
    p = Path(path)
    info = info or probe(p)
    container = _open(p)
    try:
        stream = container.streams.video[0]
        if fast:
            stream.thread_type = "SLICE"
            stream.codec_context.options = {"skip_loop_filter": "all"}
        else:
            stream.thread_type = "AUTO"
        tb = stream.time_base
        if tb is None:
            raise VideoInputError(f"'{p.name}' has a video stream without timing")
        k = (info.rotation // 90) % 4
        w, h = (info.height, info.width) if k % 2 else (info.width, info.height)
        get_scale = scale if callable(scale) else (lambda: float(scale))
        if start_s > 0.5:
            # round, not floor: a start on a keyframe must not seek back to the one before
            target = round((start_s + info.start_s) / tb)
            container.seek(target, stream=stream, backward=True, any_frame=False)
        n = 0
        try:
            for frame in container.decode(stream):
                if frame.pts is None:
                    continue
                t = float(frame.pts * tb) - info.start_s
                if t < start_s - 1e-6:
                    continue
                if t >= end_s - 1e-6:
                    break
                sw, sh = scaled_size(w, h, min(1.0, get_scale()))
                rgb = _to_rgb(frame, sw, sh)
                if k:
                    rgb = np.ascontiguousarray(np.rot90(rgb, k))
                n += 1
                yield Frame(t, rgb)
        except (av.error.InvalidDataError, av.error.EOFError, av.error.FFmpegError):
            if n == 0 and start_s <= 0.5:
                raise VideoInputError(f"'{p.name}' is damaged: no frame could be decoded") from None
    finally:
        container.close()


KEYFRAME_SCAN_S = 20.0
"""How far past a time :func:`keyframes_near` reads packets for the next keyframe."""


def keyframes_near(
    info: VideoInfo, times: Sequence[float]
) -> list[tuple[float | None, float | None]]:
    """For each time (seconds from clip start): the keyframe at or before it and the first
    one after it (None where there is none within :data:`KEYFRAME_SCAN_S`, or on error).

    Reads packet headers only (one seek per time, no decoding: ~5 ms per time on a
    10-min clip). A worker that starts a segment on a keyframe decodes nothing it throws
    away; one that starts between keyframes decodes from the keyframe before.
    """
    out: list[tuple[float | None, float | None]] = [(None, None)] * len(times)
    try:
        container = _open(Path(info.path))
    except VideoInputError:
        return out
    try:
        stream = container.streams.video[0]
        tb = stream.time_base
        if tb is None:
            return out
        for i, t in enumerate(times):
            container.seek(round((t + info.start_s) / tb), stream=stream, backward=True)
            before: float | None = None
            after: float | None = None
            for packet in container.demux(stream):
                if packet.pts is None:
                    continue
                pt = float(packet.pts * tb) - info.start_s
                if packet.is_keyframe:
                    if pt <= t + 1e-6:
                        before = pt
                    else:
                        after = pt
                        break
                if pt > t + KEYFRAME_SCAN_S:
                    break
            out[i] = (before, after)
    except (av.error.FFmpegError, OverflowError, ValueError):
        return [(None, None)] * len(times)
    finally:
        container.close()
    return out
