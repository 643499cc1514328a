"""Write one "warp" family clip from a seed: source, conditions, schedule, ground truth.

Sources are the astronaut (still, with head motion) and shared real clips played back and
forth from a random start: talking (d13), flutter and blinks (d14), smiles and a smirk
(d19, glasses), squeezes with glasses (d9), crying and laughing with
head roll (Pexels), a still face (d18). Conditions drawn per clip: drawn glasses, low
light, a small face, strong compression. A healthy control has no event.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from hemifacial.video.encode import write_h264

from .closures import closures
from .sources import EYE_OUTER, Image, Mesh, MeshFinder, astronaut_face, head_motion, source_meshes
from .warp import warp_frame
from .warp_schedule import WarpEvent, random_events, state_at

VIDEOS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "videos"
REAL_SOURCES = {
    "liveportrait_d18.mp4": "still",
    "liveportrait_d13.mp4": "talking",
    "liveportrait_d14.mp4": "flutter",
    "liveportrait_d19.mp4": "smiling",
    "liveportrait_d9.mp4": "squeezing",
    "pyfeat_WolfgangLanger_Pexels.mp4": "crying",
}
NATURAL = 0.3
PAD_S = 0.25


def available_sources(videos: Path = VIDEOS) -> list[str]:
    """The astronaut plus every real source present in ``videos``."""
    return ["astronaut", *[str(videos / n) for n in REAL_SOURCES if (videos / n).is_file()]]


def draw_glasses(img: Image, mesh: Mesh) -> None:
    """Dark rectangular frames over both eyes and a bridge (rigid: drawn on the head)."""
    iod = float(np.linalg.norm(mesh[EYE_OUTER["left"]] - mesh[EYE_OUTER["right"]]))
    t = max(2, round(0.035 * iod))
    centres = []
    for outer, inner in ((33, 133), (263, 362)):
        c = (mesh[outer] + mesh[inner]) / 2
        ang = float(np.degrees(np.arctan2(*(mesh[inner] - mesh[outer])[::-1])))
        box = cv2.boxPoints(((float(c[0]), float(c[1])), (0.5 * iod, 0.3 * iod), ang))
        cv2.polylines(img, [np.round(box).astype(np.int32)], True, (25, 20, 20), t, cv2.LINE_AA)
        centres.append(c)
    a, b = (np.round(c).astype(int) for c in centres)
    cv2.line(img, (int(a[0]), int(a[1])), (int(b[0]), int(b[1])), (25, 20, 20), t, cv2.LINE_AA)


def _small_face(img: Image, scale: float) -> Image:
    h, w = img.shape[:2]
    canvas = (np.asarray(cv2.GaussianBlur(img, (0, 0), 12), np.uint8) // 2).astype(np.uint8)
    sw, sh = round(w * scale), round(h * scale)
    small = cv2.resize(img, (sw, sh), interpolation=cv2.INTER_AREA)
    y, x = (h - sh) // 2, (w - sw) // 2
    canvas[y : y + sh, x : x + sw] = small
    return canvas


def random_conditions(rng: np.random.Generator, source: str) -> dict[str, Any]:
    """Recording conditions of one clip (glasses only where the face has none)."""
    has_glasses = any(k in source for k in ("d9", "d13", "d19"))
    return {
        "glasses": bool(not has_glasses and rng.random() < 0.3),
        "low_light": bool(rng.random() < 0.2),
        "small_face": float(rng.uniform(0.4, 0.55)) if rng.random() < 0.2 else 1.0,
        "crf": 32 if rng.random() < 0.3 else 20,
        "motion": float(rng.uniform(0.5, 1.5)) if source == "astronaut" else 0.0,
    }


def _frames_and_meshes(source: str, n: int, start: int) -> tuple[list[Image], list[Mesh | None]]:
    if source == "astronaut":
        img = astronaut_face()
        finder = MeshFinder()
        try:
            mesh = finder(img)
        finally:
            finder.close()
        return [img] * n, [mesh] * n
    frames, meshes = source_meshes(source)
    cyc = list(range(len(frames))) + list(range(len(frames) - 2, 0, -1))
    idx = [cyc[(start + i) % len(cyc)] for i in range(n)]
    return [frames[i] for i in idx], [meshes[i] for i in idx]


def _avoid(meshes: list[Mesh | None], fps: float) -> list[tuple[float, float]]:
    """Natural closures (either eye ≥ 30 % closed) and frames without a face, padded."""
    c = closures(meshes)
    bad = (np.nan_to_num(np.nanmax(c, axis=1), nan=1.0) >= NATURAL) if len(c) else []
    out: list[tuple[float, float]] = []
    for i, flag in enumerate(bad):
        if flag:
            a, b = i / fps - PAD_S, (i + 1) / fps + PAD_S
            if out and a <= out[-1][1]:
                out[-1] = (out[-1][0], b)
            else:
                out.append((a, b))
    return out


CLEAN = {"glasses": False, "low_light": False, "small_face": 1.0, "crf": 20, "motion": 0.0}
"""Recording conditions without glasses, dim light, a small face, strong compression or
head motion (for :func:`make_warp_clip`'s ``conditions``)."""


def wink(onset_s: float, side: str, hold_s: float = 0.45) -> WarpEvent:
    """One voluntary wink: a full, firm, smooth closure of one eye (up in 0.12 s, held,
    down in 0.15 s: ``hold_s`` in all, typically 0.3–0.6 s) with the cheek raised half
    way, as the warp family moves an eye (the brow is not moved by this family)."""
    return WarpEvent(
        onset_s, onset_s + hold_s, side, "eye", "tonic", 1.0, ((onset_s, onset_s + hold_s),)
    )


def make_warp_clip(
    path: str | Path,
    seed: int,
    source: str,
    *,
    duration_s: float = 8.0,
    fps: float = 30.0,
    healthy: bool = False,
    voluntary: list[WarpEvent] | None = None,
    conditions: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write the clip of ``seed`` on ``source`` to ``path``; return its ground truth.

    ``voluntary``: movements to animate instead of the random schedule (a wink: see
    :func:`wink`); they are not spasms, so the ground truth lists no event. ``conditions``
    replaces the random recording conditions (glasses, light, size, compression, motion)."""
    rng = np.random.default_rng(seed)
    n = round(duration_s * fps)
    frames, meshes = _frames_and_meshes(source, n, int(rng.integers(0, 10_000)))
    cond = random_conditions(rng, source)
    cond = cond if conditions is None else {**cond, **conditions}
    side = str(rng.choice(["right", "left"]))
    events: list[WarpEvent] = (
        []
        if healthy or voluntary is not None
        else random_events(duration_s, rng, side, _avoid(meshes, fps))
    )
    moves = events if voluntary is None else voluntary
    phase = rng.uniform(0, 2 * np.pi, 3)

    def render() -> Any:
        for i, (frame, mesh) in enumerate(zip(frames, meshes, strict=True)):
            t = i / fps
            img = frame if mesh is None else warp_frame(frame, mesh, state_at(t, moves))
            img = img.copy()
            if cond["glasses"] and mesh is not None:
                draw_glasses(img, mesh)
            if cond["motion"]:
                roll, dx, dy = head_motion(t, phase, cond["motion"])
                h, w = img.shape[:2]
                m = np.asarray(cv2.getRotationMatrix2D((w / 2, h / 2), roll, 1.0), np.float64)
                m[:, 2] += (dx * w, dy * h)
                img = np.asarray(
                    cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REFLECT), np.uint8
                )
            if cond["small_face"] < 1:
                img = _small_face(img, cond["small_face"])
            f: npt.NDArray[np.float64] = img.astype(np.float64)
            if cond["low_light"]:
                f = 255 * (f / 255 * 0.35) ** 1.15
            f += rng.normal(0, 5.0 if cond["low_light"] else 2.0, f.shape)
            yield np.clip(f, 0, 255).astype(np.uint8)

    write_h264(path, render(), fps=fps, options={"crf": str(cond["crf"]), "preset": "veryfast"})
    return {
        "family": "warp",
        "seed": seed,
        "source": Path(source).name,
        "activity": REAL_SOURCES.get(Path(source).name, "still, head motion"),
        "duration_s": duration_s,
        "fps": fps,
        "healthy": not events,
        "side": side if events else "none",
        "conditions": cond,
        "events": [e.to_truth() for e in events],
    }
