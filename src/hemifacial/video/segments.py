"""Where to cut a clip into time segments for the worker processes (see :mod:`.pipeline`).

Each segment seeks to the keyframe before its start and decodes the frames up to it for
nothing (pre-roll), so a cut is worth moving to a keyframe when that saves more than it
unbalances the workers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

from .decode import VideoInfo, keyframes_near

SEGMENT_MIN_S = 1.0
SEGMENT_MAX_S = 30.0
PREROLL_S_PER_PX = 3.5e-9
"""Decoding cost of one frame a segment decodes and throws away (from the keyframe before
its start), per source pixel: ~0.5 ms at 480², ~3 ms at 720×1280 (H.264, this VM)."""
LANDMARK_S = 5.5e-3
"""Worker cost of one analysed frame besides its decoding (FaceMesh ~4.7 ms + the rest)."""


def plan_segments(
    info: VideoInfo,
    jobs: int,
    keyframes: Callable[[list[float]], list[tuple[float | None, float | None]]] | None = None,
) -> list[tuple[float, float]]:
    """Cut the clip into time ranges: a multiple of ``jobs`` (so no core idles at the end),
    none shorter than :data:`SEGMENT_MIN_S` nor (if possible) over :data:`SEGMENT_MAX_S`.

    With two or more segments per worker, each cut moves to the nearest keyframe (total work
    is what counts). Otherwise each cut moves to a keyframe when that costs less than the
    frames the later segment would decode and throw away to reach it (``keyframes``: the
    keyframes around each ideal cut, default :func:`~hemifacial.video.decode.keyframes_near`).
    On a clip with one keyframe, halving it makes the second worker decode the first half
    for nothing (~0.55 s on a 12-s 720×1280 clip); the cut then moves earlier to even out
    the work.
    """
    d = info.duration_s
    if d is None or not math.isfinite(d) or jobs <= 1 or d < 2 * SEGMENT_MIN_S:
        return [(0.0, math.inf)]
    n = jobs * max(1, math.ceil(d / (SEGMENT_MAX_S * jobs)))
    n = min(n, max(1, int(d // SEGMENT_MIN_S)))
    ideal = [d * i / n for i in range(1, n)]
    near = (keyframes or (lambda ts: keyframes_near(info, ts)))(ideal)
    decode_s = PREROLL_S_PER_PX * info.width * info.height
    r = decode_s / (decode_s + LANDMARK_S)  # pre-roll frame cost / analysed frame cost
    cuts = [0.0]
    for i, b in enumerate(ideal):
        a, c = cuts[-1], (ideal[i + 1] if i + 1 < len(ideal) else d)
        kb, ka = near[i]
        if n > jobs:  # segments queue up: least total work = the nearest keyframe
            ks = [
                k for k in (kb, ka) if k is not None and a + SEGMENT_MIN_S <= k <= c - SEGMENT_MIN_S
            ]
            if ks:
                cuts.append(min(ks, key=lambda k: abs(k - b)))
                continue
        cuts.append(_best_cut(a, b, c, kb, ka, r))
    cuts.append(math.inf)
    return [(x, y) for x, y in itertools.pairwise(cuts) if y > x]


def _best_cut(a: float, b: float, c: float, kb: float | None, ka: float | None, r: float) -> float:
    """Where to cut between segments ``[a, b)`` and ``[b, c)`` (``b`` ideal) given the
    keyframes before (``kb``) and after (``ka``) ``b``: the choice with the least work on
    the busier side, counting the later side's pre-roll at ``r`` of an analysed frame."""
    lo, hi = a + SEGMENT_MIN_S, c - SEGMENT_MIN_S
    if kb is None or lo > hi:
        return b
    options: list[tuple[float, float]] = []
    for k in (kb, ka):
        if k is not None and lo <= k <= hi:
            options.append((max(k - a, c - k), k))
    s = min(max((a + c - kb * r) / (2 - r), kb, lo), hi)
    options.append((max(s - a, c - s + (s - kb) * r), s))
    return min(options)[1]
