"""Generated ground-truth sets of both families, cached on disk outside the source tree.

A set is ``n`` clips of ``seconds`` each, clip ``k`` made from seed ``1000 × seed + k`` on
the sources in turn; every ``healthy_every``-th clip is a healthy control. Clips and their
ground truth (``k.json``) live in :func:`cache_root` and are made only once.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

GENERATOR_VERSION = {"pasted": "1", "warp": "2"}
"""Per family; warp 2 (2026-12-02): lids close as curtains, a shut eye shows no sclera."""


def cache_root() -> Path:
    """``$HEMIFACIAL_GT_CACHE``, else ``$XDG_CACHE_HOME/hemifacial/groundtruth`` (``~/.cache``)."""
    env = os.environ.get("HEMIFACIAL_GT_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hemifacial" / "groundtruth"


def _pasted_clip(
    path: Path, seed: int, source: str, seconds: float, healthy: bool
) -> dict[str, Any]:
    from .closures import natural_closures
    from .pasted import make_clip, random_schedule

    rng = np.random.default_rng(seed)
    side = str(rng.choice(["right", "left"]))
    specs = (
        []
        if healthy
        else random_schedule(seconds, rng, sides=(side,), avoid=natural_closures(source, seconds))
    )
    gt = make_clip(path, specs, source=source, duration_s=seconds, seed=seed)
    events = [
        {
            "onset_s": e["start_s"],
            "offset_s": e["end_s"],
            "side": e["side"],
            "region": "both" if e["spread"] else "eye",
            "kind": e["kind"],
            "depth": e["depth"],
            "n_twitches": 1,
        }
        for e in gt["events"]
    ]
    return {
        "family": "pasted",
        "seed": seed,
        "source": Path(source).name,
        "duration_s": seconds,
        "fps": 30.0,
        "healthy": not events,
        "side": side if events else "none",
        "conditions": {"closed_eye": gt["closed_eye"]},
        "events": events,
    }


def family_sources(family: str) -> list[str]:
    """Faces each family animates (the shared clips that are present)."""
    from .warp_clip import VIDEOS, available_sources

    if family == "warp":
        return available_sources()
    names = (
        "liveportrait_d18.mp4",
        "liveportrait_d13.mp4",
        "liveportrait_d14.mp4",
        "liveportrait_d19.mp4",
    )
    return ["astronaut", *[str(VIDEOS / n) for n in names if (VIDEOS / n).is_file()]]


def make_one(
    family: str, path: Path, seed: int, source: str, seconds: float, healthy: bool
) -> dict[str, Any]:
    """Write one clip of ``family`` and return its ground truth."""
    if family == "warp":
        from .warp_clip import make_warp_clip

        return make_warp_clip(path, seed, source, duration_s=seconds, healthy=healthy)
    if family == "pasted":
        return _pasted_clip(path, seed, source, seconds, healthy)
    raise ValueError(f"unknown family '{family}'; use 'pasted' or 'warp'")


def build_set(
    family: str,
    n: int,
    *,
    seed: int = 0,
    seconds: float = 6.0,
    healthy_every: int = 5,
    root: Path | None = None,
) -> list[tuple[Path, dict[str, Any]]]:
    """The clips of one set with their ground truth, generating what is not cached."""
    version = GENERATOR_VERSION.get(family, "0")
    folder = (root or cache_root()) / f"{family}-v{version}-seed{seed}-{seconds:g}s"
    folder.mkdir(parents=True, exist_ok=True)
    sources = family_sources(family)
    # by source: the source's frames and meshes are cached one source at a time
    for k in sorted(range(n), key=lambda k: k % len(sources)):
        clip, meta = folder / f"{k:03d}.mp4", folder / f"{k:03d}.json"
        if not (clip.is_file() and meta.is_file()):
            part = folder / f"{k:03d}.part.mp4"
            gt = make_one(
                family,
                part,
                1000 * seed + k,
                sources[k % len(sources)],
                seconds,
                healthy=k % healthy_every == 0,
            )
            part.replace(clip)
            meta.write_text(json.dumps(gt, indent=1), encoding="utf-8")
    out = []
    for k in range(n):
        clip, meta = folder / f"{k:03d}.mp4", folder / f"{k:03d}.json"
        out.append((clip, json.loads(meta.read_text(encoding="utf-8"))))
    return out
