"""Support for ``video_accuracy.py``: landmark tracks cached per clip, the detector's fit
hook, and a naive eye-aspect-ratio threshold baseline (fitted by a grid search)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hemifacial.analysis import landmark_ids as ids
from hemifacial.analysis.analyze import analyze_track
from hemifacial.analysis.runs import true_runs
from hemifacial.analysis.types import FaceTrack
from hemifacial.errors import VideoInputError
from hemifacial.video.decode import probe
from hemifacial.video.pipeline import track_many
from hemifacial_synth.score import Call, ClipResult, Tally, add_clip, from_analysis
from hemifacial_synth.sets import cache_root

Example = tuple[str, FaceTrack | None, dict[str, Any]]  # (name, track, ground truth)
_FIELDS = ("times", "points", "face_found", "brightness", "sharpness", "n_faces")


def _track_file(clip: Path) -> Path:
    st = clip.stat()
    key = f"{clip.stem}-{st.st_size}-{int(st.st_mtime)}"
    folder = clip.parent if clip.parent.is_relative_to(cache_root()) else cache_root() / "tracks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{key}.track.npz"


def _save(track: FaceTrack, path: Path) -> None:
    arrays = {f: getattr(track, f) for f in _FIELDS}
    if track.eye_pixels is not None:
        arrays["eye_pixels"] = track.eye_pixels
    size = np.array([track.width, track.height, int(track.quantised)])
    np.savez(path, size=size, **arrays)


def _load(path: Path) -> FaceTrack:
    with np.load(path) as z:
        w, h, q = (int(v) for v in z["size"])
        extra = {k: z[k] for k in ("eye_pixels",) if k in z.files}
        return FaceTrack(
            **{f: z[f] for f in _FIELDS}, width=w, height=h, quantised=bool(q), **extra
        )


def tracks(clips: Sequence[Path], jobs: int = 2) -> list[FaceTrack | None]:
    """The MediaPipe track of each clip, computed once and cached beside the clip (None:
    the pipeline rejected the clip)."""
    files = [_track_file(c) for c in clips]
    todo = [i for i, f in enumerate(files) if not f.is_file()]
    if todo:
        made = track_many([probe(clips[i]) for i in todo], jobs=jobs, landmarker="mediapipe")
        for i, tr in zip(todo, made, strict=True):
            if isinstance(tr, FaceTrack):
                _save(tr, files[i])
            else:
                files[i].with_suffix(".failed").write_text(str(tr), encoding="utf-8")
    return [_load(f) if f.is_file() else None for f in files]


def detector_fit() -> Callable[..., Any] | None:
    """The detector's ``fit(examples) -> params`` if the analysis provides one."""
    for name in ("hemifacial.analysis.fit", "hemifacial.analysis"):
        try:
            fit = getattr(importlib.import_module(name), "fit", None)
        except ImportError:
            continue
        if callable(fit):
            return fit
    return None


def analyser_result(track: FaceTrack | None, params: Any = None) -> ClipResult:
    """The analyser's calls on one track (a rejected clip: no calls, not graded)."""
    if track is None:
        return ClipResult((), "none", False)
    try:
        a = analyze_track(track) if params is None else analyze_track(track, params=params)  # type: ignore[call-arg]
    except VideoInputError:
        return ClipResult((), "none", False)
    return from_analysis(a[0])


def score(examples: Sequence[Example], detect: Callable[[FaceTrack | None], ClipResult]) -> Tally:
    """Tally of ``detect`` over ``examples``."""
    tally = Tally()
    for name, track, truth in examples:
        add_clip(tally, truth, detect(track), name)
    return tally


# --- naive baseline: one eye's aspect ratio below a threshold, the other eye open ---------


def ear_closure(track: FaceTrack) -> dict[str, np.ndarray]:
    """Per side 1 − EAR / (its 80th percentile): 0 open, 1 shut (NaN without a face)."""
    out = {}
    for side in ("right", "left"):
        pts = track.pixels()
        up = pts[:, ids.cols(ids.LID_UPPER[side]), :2]
        lo = pts[:, ids.cols(ids.LID_LOWER[side]), :2]
        width = np.linalg.norm(
            pts[:, ids.pos(ids.EYE_OUTER[side]), :2] - pts[:, ids.pos(ids.EYE_INNER[side]), :2],
            axis=1,
        )
        ear = np.linalg.norm(up - lo, axis=2).mean(axis=1) / width
        ref = np.nanpercentile(ear, 80) if np.isfinite(ear).any() else np.nan
        out[side] = 1 - ear / ref
    return out


def baseline_result(track: FaceTrack | None, threshold: float) -> ClipResult:
    """One-sided calls where one eye is ≥ ``threshold`` closed and the other < half of it."""
    if track is None:
        return ClipResult((), "none", False)
    c = ear_closure(track)
    calls: list[Call] = []
    for side, other in (("right", "left"), ("left", "right")):
        a, b = np.nan_to_num(c[side]), np.nan_to_num(c[other])
        flags = (a >= threshold) & (b < threshold / 2)
        for i, j in true_runs(flags):
            if j - i >= 1:
                calls.append(Call(float(track.times[i]), side, "clonic"))
    n = {s: sum(k.side == s for k in calls) for s in ("right", "left")}
    side = "none" if not calls else max(n, key=lambda s: n[s])
    return ClipResult(tuple(sorted(calls, key=lambda k: k.start_s)), side, False)


BASELINE_GRID = tuple(round(x, 2) for x in np.arange(0.15, 0.71, 0.05))


def fit_baseline(examples: Sequence[Example]) -> float:
    """The threshold of :data:`BASELINE_GRID` with the best F1 on ``examples``."""

    def f1(thr: float) -> float:
        return score(examples, lambda t: baseline_result(t, thr)).figures()["f1"] or 0.0

    return max(BASELINE_GRID, key=f1)
