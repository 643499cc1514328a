"""Eye-closure episodes: normal blinks, one-sided clonic/tonic contractions, bilateral activity.

All thresholds are durations in seconds or fractions of each eye's own open level, never
frame counts, so they hold at any frame rate (``../shared/reference/video-analysis.md`` §6:
a normal blink is bilateral, synchronous and a few hundred ms; clonic = brief one-sided
closures; tonic = sustained one-sided closure of about 0.5–1 s or more; rapid bilateral
flutter must be merged into one episode and never called one-sided, §5.2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .event_model import event_features
from .measures import clip_spread, eye_noise, lip_change, onset_rate, peak_lead, rest_level
from .runs import true_runs
from .types import SIDES, BoolArray, Event, EventKind, FloatArray, Side, Signals

CLOSED_ENTER = 0.15
"""Closure (fraction of the eye's open aperture lost) that starts a one-sided run at the
least. Low on purpose: MediaPipe reads a natural full blink as 0.69–0.93 closed but a full
closure behind glasses, a narrowing tonic spasm or a warped lid as 0.45–0.6 and a half
closure as 0.2–0.3 (``docs/video.md``); whether a run is a spasm is decided later from all
its cues (:mod:`.event_model`) and the clip as a whole (:mod:`.review`)."""
CLOSED_EXIT = 0.10
"""Closure below which a run ends (hysteresis against frame-to-frame jitter)."""
BOTH_ENTER = 0.6
BOTH_EXIT = 0.45
"""Bilateral closure thresholds (higher than one-sided ones: looking down lowers both lids
by about half, ``liveportrait_d3``, and must not read as bilateral spasm)."""
MOVE_FLOOR = 0.12
"""Closure taken as 'lid at rest' when tracing a run back to its onset and on to its end
(at most; for a shallow run a quarter of its entry threshold, and never below 2 × the
eye's jitter)."""
MERGE_GAP_S = 0.25
"""Runs (either eye) closer than this are one episode, e.g. bilateral flutter (§5.2)."""
TONIC_MIN_S = 1.0
"""A closure held at least this long is tonic (issue: sustained ≥ ~1 s; §6). A bilateral
closure shorter than this, without flutter, is a normal blink (§6: a few hundred ms)."""
FLUTTER_MIN_CLOSURES = 3
"""A bilateral episode with this many closures of an eye is flutter (bilateral clonic)."""
ASYMMETRY_MIN = 0.12
"""A one-sided run needs the closing eye at least this much more closed than the other eye
(a wink narrows the other eye too: 0.8 vs 0.4 on ``liveportrait_d3``; the other-eye ratio
below and the event model judge that)."""
NOISE_K = 4.0
"""Thresholds are at least this many times the clip's own frame-to-frame jitter (a
4-sigma excursion of Gaussian jitter happens in about 3 of 10⁵ frames, well under one a
minute at 30 fps; what crosses is only a candidate, judged by :mod:`.event_model`)."""
OTHER_EYE_RATIO = 0.7
"""In a one-sided event the other eye's median closure is at most this fraction of the
closing eye's (crying squeezes both, ``Pexels`` clip). Not lower: MediaPipe couples the
eyes, so a closure of one eye drags the other eye's lid points to 0.25–0.55 of it (warp
clips); how much the other eye narrows is weighed by the event model."""
SHALLOW_PEAK = 0.6
"""Deep vs shallow one-sided episode (:mod:`.review`: deep ones on both sides in turn are
winks; every counted episode needs its side to repeat): MediaPipe reads a natural full
blink as 0.69–0.93 closed (``d13``, ``d14``, ``d18``, ``single_face``), a smile or smirk
narrowing one eye once as ≤ 0.55 (``d19``), a full closure behind glasses or a narrowing
tonic spasm as 0.45–0.6."""
MIN_ONE_SIDED_S = 0.06
"""Shorter one-sided closures (a single frame at 30 fps) are tracking jitter; a 0.1-s
twitch spans three frames."""
DOMINANT_RATIO = 3.0
DOMINANT_MIN_S = 0.5
"""A one-sided episode next to bilateral closure stays one-sided when it lasts at least
this long or this many times longer than the bilateral closure (a blink during a spasm)."""
LOWER_FACE_MIN_IOD = 0.025
"""Same-side mouth-corner pull towards the eye (IOD) that counts as lower-face involvement
(the cheek rises with any forceful eye closure, so it is not used for spread)."""
CONTRA_MARGIN_IOD = 0.015
"""... and by how much it must exceed the other side's movement."""
BROW_LIFT_MIN_IOD = 0.02
"""Same-side brow raise (IOD) during the closure for the 'other Babinski' sign."""


@dataclass(frozen=True)
class Candidate:
    """A one-sided episode before the event model has judged it, with its features."""

    event: Event
    features: dict[str, float]


@dataclass(frozen=True)
class _Run:
    side: str  # "right", "left" (one-sided) or "both"
    i0: int
    i1: int
    start: float
    end: float


def _hysteresis(enter: BoolArray, stay: BoolArray) -> BoolArray:
    closed = np.zeros(len(enter), dtype=bool)
    state = False
    for i in range(len(enter)):
        state = bool(stay[i]) if state else bool(enter[i])
        closed[i] = state
    return closed


def _edges(times: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Time each frame starts and ends, halfway to its neighbours (variable frame rate)."""
    dt = np.diff(times)
    typical = float(np.median(dt)) if len(dt) else 1 / 30
    mids = (times[1:] + times[:-1]) / 2
    lo = np.concatenate([[times[0] - typical / 2], mids])
    hi = np.concatenate([mids, [times[-1] + typical / 2]])
    return lo, hi


def _runs(
    sig: Signals, mask: BoolArray, trace: FloatArray, side: str, floor: float = MOVE_FLOOR
) -> list[_Run]:
    """Runs of ``mask``, traced back along ``trace`` to the onset of lid movement and on to
    its end (the lid starts moving before it crosses the closed threshold): while the
    trace keeps falling and stays above ``floor``."""
    lo, hi = _edges(sig.times)
    runs: list[_Run] = []
    n = len(mask)
    for a, b in true_runs(mask):
        while a > 0 and np.isfinite(trace[a - 1]) and floor < trace[a - 1] <= trace[a]:
            a -= 1
        while b + 1 < n and np.isfinite(trace[b + 1]) and floor < trace[b + 1] <= trace[b]:
            b += 1
        runs.append(_Run(side, a, b, float(lo[a]), float(hi[b])))
    return runs


def one_sided_thresholds(noise_self: float, noise_other: float) -> tuple[float, float]:
    """(closure, asymmetry) that start a one-sided run in this clip: the fixed floors or
    :data:`NOISE_K` times the clip's own noise, whichever is higher."""
    asym_noise = float(np.hypot(noise_self, noise_other))
    return max(CLOSED_ENTER, NOISE_K * noise_self), max(ASYMMETRY_MIN, NOISE_K * asym_noise)


def closure_runs(sig: Signals) -> list[_Run]:
    """One-sided runs (one eye closed, the other clearly less) and bilateral runs.

    One-sided thresholds are relative to the clip: closure above the eye's own open level
    (``closure`` is already relative to it) by more than the fixed floor and more than
    :data:`NOISE_K` × that eye's jitter in this clip, and that much more than the other eye.
    """
    cr = np.nan_to_num(sig.right.closure, nan=0.0)
    cl = np.nan_to_num(sig.left.closure, nan=0.0)
    noise = {"right": eye_noise(sig.right.closure), "left": eye_noise(sig.left.closure)}
    runs: list[_Run] = []
    for side, a, b in (("right", cr, cl), ("left", cl, cr)):
        other = "left" if side == "right" else "right"
        c_min, d_min = one_sided_thresholds(noise[side], noise[other])
        enter = (a >= c_min) & (a - b >= d_min)
        stay = (a >= c_min * CLOSED_EXIT / CLOSED_ENTER) & (a - b >= d_min / 2)
        floor = max(2 * noise[side], min(MOVE_FLOOR, c_min / 2))
        runs += _runs(sig, _hysteresis(enter, stay), a, side, floor)
    both = np.minimum(cr, cl)
    enter_b, stay_b = both >= BOTH_ENTER, both >= BOTH_EXIT
    runs += _runs(sig, _hysteresis(enter_b, stay_b), both, "both")
    return runs


def _group(runs: list[_Run]) -> list[list[_Run]]:
    """Merge runs of one kind whose gaps are shorter than :data:`MERGE_GAP_S`."""
    groups: list[list[_Run]] = []
    end = -np.inf
    for r in sorted(runs, key=lambda r: r.start):
        if groups and r.start - end < MERGE_GAP_S:
            groups[-1].append(r)
            end = max(end, r.end)
        else:
            groups.append([r])
            end = r.end
    return groups


def _span(g: list[_Run]) -> tuple[float, float]:
    return min(r.start for r in g), max(r.end for r in g)


def _near(a: list[_Run], b: list[_Run]) -> bool:
    (s0, e0), (s1, e1) = _span(a), _span(b)
    return s0 - e1 < MERGE_GAP_S and s1 - e0 < MERGE_GAP_S


def _overlap(a: list[_Run], b: list[_Run]) -> bool:
    """Do the two groups overlap by more than half the shorter one (not just at an edge)?"""
    (s0, e0), (s1, e1) = _span(a), _span(b)
    inter = min(e0, e1) - max(s0, s1)
    return inter > 0.5 * min(e0 - s0, e1 - s1)


def _peak(v: FloatArray, i0: int, i1: int) -> float:
    seg = v[i0 : i1 + 1]
    seg = seg[np.isfinite(seg)]
    return float(seg.max()) if len(seg) else 0.0


def _other(side: Side) -> Side:
    return "left" if side == "right" else "right"


LEAD_FRACTION = 0.5
"""Leading and trailing runs of a group shallower than this fraction of its deepest run
are noise before or after the contraction, not its onset (lower thresholds catch them)."""


def _trim(sig: Signals, side: Side, runs: list[_Run]) -> list[_Run]:
    """Drop shallow runs at either end of a group (the onset is the first real twitch)."""
    c = sig.side(side).closure
    runs = sorted(runs, key=lambda r: r.start)
    peaks = [_peak(c, r.i0, r.i1) for r in runs]
    keep = [p >= LEAD_FRACTION * max(peaks) for p in peaks]
    first = keep.index(True)
    last = len(keep) - 1 - keep[::-1].index(True)
    return runs[first : last + 1]


ONSET_FRACTION = 0.2
"""A contraction starts where the closure passes this fraction of its peak (the usual
movement-onset rule of kinematics, robust to jitter on a slow tonic rise)."""


def contraction_onset(times: FloatArray, closure: FloatArray, run: _Run) -> float:
    """When the lid starts its move in ``run``: going back from the first frame at
    :data:`LEAD_FRACTION` of the run's peak, the first frame above :data:`ONSET_FRACTION`
    of it (never before the run). A lid already hovering a little closed, kept inside
    the run by the hysteresis (0.15 for a quarter of a second before a pasted closure of
    0.75), is not yet the contraction."""
    c = np.nan_to_num(closure[run.i0 : run.i1 + 1])
    if not len(c) or c.max() <= 0:
        return run.start
    peak = float(c.max())
    a = int(np.argmax(c >= LEAD_FRACTION * peak))
    while a > 0 and c[a - 1] > ONSET_FRACTION * peak:
        a -= 1
    if a == 0:
        return run.start
    lo, _hi = _edges(times)
    return float(lo[run.i0 + a])


def look_features(
    sig: Signals, side: Side, frames: npt.NDArray[np.intp]
) -> dict[str, float] | None:
    """The appearance cue over a candidate's frames (None without it): the median side
    difference of the look closure (``contrast``) and the clip's robust spread of that
    difference (``spread``), as for the landmark closure."""
    a_, b_ = sig.side(side).look, sig.side(_other(side)).look
    if a_ is None or b_ is None:
        return None
    a, b = np.nan_to_num(a_[frames]), np.nan_to_num(b_[frames])
    return {"contrast": float(np.median(a - b)), "spread": clip_spread(a_ - b_)}


def _one_sided(sig: Signals, side: Side, runs: list[_Run]) -> Candidate:
    runs = _trim(sig, side, runs)
    i0 = min(r.i0 for r in runs)
    i1 = max(r.i1 for r in runs)
    longest = max(r.end - r.start for r in runs)
    kind: EventKind = "tonic" if longest >= TONIC_MIN_S else "clonic"
    s, o = sig.side(side), sig.side(_other(side))
    frames = np.concatenate([np.arange(r.i0, r.i1 + 1) for r in runs])
    this_c = np.nan_to_num(s.closure[frames])
    other_c = np.nan_to_num(o.closure[frames])
    duration = max(r.end for r in runs) - min(r.start for r in runs)
    if np.median(other_c) > OTHER_EYE_RATIO * np.median(this_c) or duration < MIN_ONE_SIDED_S:
        kind = "uncertain"
    lower = _peak(s.mouth, i0, i1)
    lower_o = _peak(o.mouth, i0, i1)
    brow, brow_o = _peak(s.brow, i0, i1), _peak(o.brow, i0, i1)
    depth = _peak(s.closure, i0, i1)
    event = Event(
        start_s=contraction_onset(sig.times, s.closure, runs[0]),
        end_s=max(r.end for r in runs),
        side=side,
        kind=kind,
        depth=depth,
        n_closures=len(runs),
        lower_face=bool(lower >= LOWER_FACE_MIN_IOD and lower - lower_o >= CONTRA_MARGIN_IOD),
        brow_lift=bool(brow >= BROW_LIFT_MIN_IOD and brow - brow_o >= CONTRA_MARGIN_IOD / 2),
        other_side_depth=_peak(o.closure, i0, i1),
    )
    asymmetry = float(np.median(this_c - other_c))
    noise_s, noise_o = eye_noise(s.closure), eye_noise(o.closure)
    rest_s, rest_o = rest_level(s.closure), rest_level(o.closure)
    features = event_features(
        depth=depth,
        asymmetry=asymmetry,
        other_closure=float(max(np.median(other_c) - rest_o, 0.0)),
        duration_s=duration,
        noise=noise_s,
        mouth_same_side=lower - lower_o,
        eye_region=True,
        mouth_both=min(lower, lower_o),
        onset_rate=onset_rate(sig.times, s.closure, i0, i1),
        lip_change=lip_change(sig, i0, i1),
        contrast=asymmetry,
        contrast_noise=float(np.hypot(noise_s, noise_o)),
        contrast_spread=clip_spread(s.closure - o.closure),
        peak_lead=peak_lead(this_c, other_c, rest_s, rest_o),
        look=look_features(sig, side, frames),
    )
    return Candidate(event, features)


def _bilateral(sig: Signals, group: list[_Run]) -> Event:
    i0 = min(r.i0 for r in group)
    i1 = max(r.i1 for r in group)
    n = sum(1 for r in group if r.side == "both")
    start, end = _span(group)
    kind: EventKind
    if n >= FLUTTER_MIN_CLOSURES:
        kind = "bilateral_clonic"
    elif end - start >= TONIC_MIN_S:
        kind = "bilateral_tonic"
    else:
        kind = "blink"
    pr, pl = _peak(sig.right.closure, i0, i1), _peak(sig.left.closure, i0, i1)
    return Event(
        start_s=start,
        end_s=end,
        side="both",
        kind=kind,
        depth=(pr + pl) / 2,
        n_closures=n,
        lower_face=False,
        brow_lift=False,
        other_side_depth=min(pr, pl),
    )


def _dur(g: list[_Run]) -> float:
    return sum(r.end - r.start for r in g)


def _resolve(sig: Signals, runs: list[_Run]) -> tuple[list[Candidate], list[Event]]:
    """One-sided episodes near a bilateral episode: the longer one absorbs the other.

    A one-sided flicker at the edge of a blink or inside bilateral flutter (one lid a frame
    behind the other) joins the bilateral episode; a blink during a long one-sided spasm
    joins the spasm.
    """
    one = {s: _group([r for r in runs if r.side == s]) for s in SIDES}
    bil = _group([r for r in runs if r.side == "both"])
    cands: list[Candidate] = []
    absorbed_b: set[int] = set()
    for side in SIDES:
        for g in one[side]:
            near = [k for k, b in enumerate(bil) if _near(g, b)]
            other = [h for h in one[_other(side)] if _overlap(g, h)]
            rival = sum(_dur(bil[k]) for k in near) + sum(_dur(h) for h in other)
            if rival and _dur(g) < DOMINANT_RATIO * rival and _dur(g) < DOMINANT_MIN_S:
                if near:
                    bil[near[0]] = bil[near[0]] + g
                continue
            if other and _dur(g) <= max(_dur(h) for h in other):
                continue
            absorbed_b.update(k for k in near if _dur(bil[k]) < _dur(g))
            cands.append(_one_sided(sig, side, g))
    bilateral = [_bilateral(sig, b) for k, b in enumerate(bil) if k not in absorbed_b]
    return cands, bilateral


def eye_candidates(sig: Signals) -> tuple[list[Candidate], list[Event]]:
    """One-sided eye candidates (not yet judged) and the bilateral episodes of the clip."""
    return _resolve(sig, closure_runs(sig))
