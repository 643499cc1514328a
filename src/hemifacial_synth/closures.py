"""How closed the source's own eyes are, frame by frame, as MediaPipe reads them: injected
events are kept out of the source's natural blinks (a spasm on top of a blink is bilateral).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from hemifacial.analysis.runs import true_runs

from .sources import EYE_OUTER, LID_LOWER, LID_UPPER, Mesh, cycle_indices, source_meshes


def aperture(mesh: Mesh, side: str) -> float:
    up, lo = LID_UPPER[side][3:6], LID_LOWER[side][3:6]
    iod = float(np.linalg.norm(mesh[EYE_OUTER["left"]] - mesh[EYE_OUTER["right"]]))
    return float(np.mean(np.linalg.norm(mesh[list(up)] - mesh[list(lo)], axis=1))) / iod


def deepest_closure(meshes: list[Mesh | None]) -> dict[str, tuple[int, float]]:
    """Per eye: the most closed frame and how closed MediaPipe reads it (0 = open level)."""
    out: dict[str, tuple[int, float]] = {}
    for side in EYE_OUTER:
        ap = np.array([aperture(m, side) if m is not None else np.nan for m in meshes])
        if np.isfinite(ap).sum() < 10:
            continue
        open_level = float(np.nanpercentile(ap, 80))
        k = int(np.nanargmin(ap))
        out[side] = (k, float(1 - ap[k] / open_level))
    return out


NATURAL_CLOSURE = 0.3
"""A source frame with either eye this closed (of its open level) is a natural closure."""
NATURAL_PAD_S = 0.5
"""Margin kept around natural closures when placing injected events."""


def closures(meshes: list[Mesh | None]) -> npt.NDArray[np.float64]:
    """(n, 2) closure of both eyes per source frame (0 open level, 1 shut; NaN: no face)."""
    cols = []
    for side in EYE_OUTER:
        ap = np.array([aperture(m, side) if m is not None else np.nan for m in meshes])
        cols.append(1 - ap / np.nanpercentile(ap, 80) if np.isfinite(ap).any() else ap)
    return np.stack(cols, axis=1)


def natural_closures(
    source: str | Path, duration_s: float, fps: float = 30.0
) -> list[tuple[float, float]]:
    """Time intervals of a generated clip (source played back and forth) where the source
    itself closes an eye (blinks, flutter), each widened by :data:`NATURAL_PAD_S`.

    Injected one-sided events are kept out of them: an injected event on top of the
    source's own blink becomes a bilateral event, which no detector should call one-sided.
    """
    if source in ("astronaut", "blank"):
        return []
    c = closures(list(source_meshes(str(source))[1]))
    if len(c) == 0:
        return []
    closed = np.nan_to_num(np.nanmax(c, axis=1), nan=0.0) >= NATURAL_CLOSURE
    cyc = cycle_indices(len(c))
    n = round(duration_s * fps)
    flags = np.array([closed[cyc[i % len(cyc)]] for i in range(n)])
    out: list[tuple[float, float]] = []
    for i, j in true_runs(flags):
        a, b = i / fps - NATURAL_PAD_S, (j + 1) / fps + NATURAL_PAD_S
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out
