"""Per-candidate and per-clip measures of the lid and mouth traces, relative to the clip.

Each is a plain function of arrays (or :class:`~.types.Signals`): a side's frame-to-frame
jitter and its typical level in this clip, the spread of a side difference over the clip,
how fast a movement rises, how far the other side does the same, how much the lips move.
:mod:`.events` and :mod:`.lowerface` build candidates' features from them.
"""

from __future__ import annotations

import numpy as np

from .types import FloatArray, Signals


def eye_noise(closure: FloatArray) -> float:
    """Frame-to-frame jitter of one eye's closure in this clip (robust SD of the first
    differences / √2): a dark, small or bespectacled face reads noisier than a clean one,
    and the thresholds scale with it."""
    c = closure[np.isfinite(closure)]
    if len(c) < 3:
        return 0.0
    return float(1.4826 * np.median(np.abs(np.diff(c))) / np.sqrt(2.0))


def clip_spread(diff: FloatArray) -> float:
    """Robust spread (1.4826 × median absolute deviation) of a side difference over the
    whole clip: how far one side's trace strays from the other's in this clip as a rule
    (talking, expressions, tracking noise), as opposed to :func:`eye_noise`, the
    frame-to-frame jitter. Robust: events taking up to a third of the clip barely move it."""
    d = diff[np.isfinite(diff)]
    if len(d) < 3:
        return 0.0
    return float(1.4826 * np.median(np.abs(d - np.median(d))))


def onset_rate(times: FloatArray, v: FloatArray, i0: int, i1: int) -> float:
    """Fastest rise of ``v`` between ``i0`` and its peak before ``i1``, in peak heights per
    second (0 when it has no rise)."""
    seg = np.nan_to_num(v[i0 : i1 + 1])
    if len(seg) < 2:
        return 0.0
    k = int(np.argmax(seg))
    peak = float(seg[k])
    lo = max(0, i0 - 1)
    rise = np.nan_to_num(v[lo : i0 + k + 1])
    if peak <= 0 or len(rise) < 2:
        return 0.0
    dt = np.maximum(np.diff(times[lo : i0 + k + 1]), 1e-3)
    return float(np.max(np.diff(rise) / dt) / peak)


def rest_level(closure: FloatArray) -> float:
    """An eye's usual closure in this clip (its median): some faces keep their lids lower
    than their own open level much of the time (0.2 on ``liveportrait_d18``), and the other
    eye's part in a candidate is how far it closes beyond that."""
    c = closure[np.isfinite(closure)]
    return float(np.median(c)) if len(c) else 0.0


def lip_change(sig: Signals, i0: int, i1: int) -> float:
    """Range of the lip gap over frames ``i0..i1`` (IOD; 0 without a lip trace)."""
    if sig.lip_gap is None:
        return 0.0
    seg = sig.lip_gap[i0 : i1 + 1]
    seg = seg[np.isfinite(seg)]
    return float(seg.max() - seg.min()) if len(seg) else 0.0


def peak_lead(
    this_c: FloatArray, other_c: FloatArray, rest_this: float, rest_other: float
) -> float:
    """1 − (the other eye's deepest closure beyond its own rest level) / (this eye's):
    0 when the other eye closes as far as this one (a blink, read unevenly), 1 when it
    stays at rest. Peak against peak, so a brief twitch, whose run is mostly its rise
    and fall, is not read as less one-sided than a held closure (the median-based
    ``lead`` is)."""
    if not len(this_c):
        return 0.0
    own = max(float(this_c.max()) - rest_this, 0.05)
    other = max(float(other_c.max()) - rest_other, 0.0) if len(other_c) else 0.0
    return float(np.clip(1.0 - other / own, -1.0, 1.0))
