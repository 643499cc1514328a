"""Public Python API of the video analysis (used by the CLI and the web app).

>>> from hemifacial.video import analyze_video, compare_visits, render_timeline_png
>>> result = analyze_video("visit1.mp4")              # doctest: +SKIP
>>> result.metrics.affected_side, result.findings      # doctest: +SKIP
"""

from __future__ import annotations

import platform
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

import av
import numpy as np

from hemifacial import __version__
from hemifacial.analysis.analyze import analyze_track
from hemifacial.analysis.compare import compare_visits
from hemifacial.analysis.types import FaceTrack, VideoAnalysis, VisitChange
from hemifacial.errors import VideoInputError

from .decode import VideoInfo, probe
from .pipeline import default_jobs, track_many

__all__ = ["VideoAnalysis", "VisitChange", "analyze_many", "analyze_video", "compare_visits"]

TRUNCATED_FRACTION = 0.9


def software_versions(landmarker: str) -> dict[str, str]:
    """Versions of everything that shaped the numbers (stored with each result)."""

    def v(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "hemifacial": __version__,
        "pyav": str(av.__version__),
        "mediapipe": v("mediapipe"),
        "numpy": str(np.__version__),
        "python": platform.python_version(),
        "landmarker": "mediapipe-facemesh (legacy, refine_landmarks, tracking)"
        if landmarker == "mediapipe"
        else landmarker,
    }


def _inputs(info: VideoInfo, track: FaceTrack) -> dict[str, object]:
    d = info.to_dict()
    d["path"] = Path(info.path).name
    d["decoded_frames"] = len(track.times)
    if len(track.times) > 1:
        d["decoded_duration_s"] = float(track.times[-1] - track.times[0])
        d["frame_interval_s"] = {
            "min": float(np.diff(track.times).min()),
            "max": float(np.diff(track.times).max()),
        }
    return d


def _finish(info: VideoInfo, track: FaceTrack, mirrored: bool, landmarker: str) -> VideoAnalysis:
    if len(track.times) == 0:
        raise VideoInputError(f"'{Path(info.path).name}' has no decodable video frames")
    analysis, _ = analyze_track(
        track,
        mirrored=mirrored,
        inputs=_inputs(info, track),
        software=software_versions(landmarker),
    )
    if info.duration_s and len(track.times) > 1:
        got = float(track.times[-1])
        if got < TRUNCATED_FRACTION * info.duration_s - 0.5:
            note = (
                f"the file seems truncated or damaged: frames were decoded up to {got:.1f} s "
                f"of the {info.duration_s:.1f} s the container announces"
            )
            analysis = _with_note(analysis, note)
    return analysis


def _with_note(a: VideoAnalysis, note: str) -> VideoAnalysis:
    from dataclasses import replace

    return replace(a, notes=(*a.notes, note))


def analyze_many(
    paths: Sequence[str | Path],
    *,
    mirrored: bool = False,
    jobs: int | None = None,
    progress: Callable[[float], None] | None = None,
    landmarker: str = "mediapipe",
) -> list[VideoAnalysis | VideoInputError]:
    """Analyse several clips, sharing the worker processes; bad files give their error."""
    jobs = jobs or default_jobs()
    infos: list[VideoInfo] = []
    out: list[VideoAnalysis | VideoInputError | None] = []
    for p in paths:
        try:
            infos.append(probe(p))
            out.append(None)
        except VideoInputError as exc:
            out.append(exc)
    tracks = iter(track_many(infos, jobs=jobs, landmarker=landmarker, progress=progress))
    it_infos = iter(infos)
    result: list[VideoAnalysis | VideoInputError] = []
    for item in out:
        if item is not None:
            result.append(item)
            continue
        info, track = next(it_infos), next(tracks)
        if isinstance(track, VideoInputError):
            result.append(track)
            continue
        try:
            result.append(_finish(info, track, mirrored, landmarker))
        except VideoInputError as exc:
            result.append(exc)
    return result


def analyze_video(
    path: str | Path,
    *,
    mirrored: bool = False,
    progress: Callable[[float], None] | None = None,
    jobs: int | None = None,
    landmarker: str = "mediapipe",
) -> VideoAnalysis:
    """Analyse one face video; per-side numbers in the patient's sides, times in seconds.

    Parameters
    ----------
    path : str or Path
        mp4/mov/webm/avi/mkv from a phone or webcam (H.264, HEVC, VP9, MPEG-4).
    mirrored : bool
        True for a mirrored front-camera recording (sides are swapped back).
    progress : callable, optional
        Called with the fraction done (0–1).
    jobs : int, optional
        Worker processes (default: one per core).
    landmarker : {"mediapipe", "synthetic"}
        ``"synthetic"`` is the test twin reading painted markers.

    Raises
    ------
    VideoInputError
        The file is missing, empty, not a video, damaged beyond use, or shows no usable face.
    VideoWorkerError
        A worker process died (a crash or out of memory); calling again starts new ones.
    """
    info = probe(path)
    jobs = jobs or default_jobs()
    [track] = track_many([info], jobs=jobs, landmarker=landmarker, progress=progress)
    if isinstance(track, VideoInputError):
        raise track
    return _finish(info, track, mirrored, landmarker)
