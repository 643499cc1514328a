"""One-sided lower-face contractions: a mouth corner pulled towards its eye, the other not.

Hemifacial spasm pulls one mouth corner up and out and lifts that cheek; a smile moves both
corners, talking opens and closes the lips. So a candidate is a run where one corner is
pulled clearly more than the other (thresholds relative to the clip's own jitter of that
difference), while the lip gap stays steady. Candidates that coincide with a same-side eye
closure belong to that eye event (its ``lower_face`` flag); the rest are lower-face-only
candidates, judged by the event model and the clip-level review like eye candidates.
"""

from __future__ import annotations

import numpy as np

from .event_model import event_features
from .events import NOISE_K, Candidate
from .measures import clip_spread, eye_noise, lip_change, onset_rate
from .runs import true_runs
from .types import SIDES, BoolArray, Event, EventKind, FloatArray, Side, Signals

PULL_ENTER_IOD = 0.025
"""Same-side corner pull (IOD) that can start a lower-face run at the least (about 1.5 mm
on an adult face, IOD ≈ 6 cm; the clip's own jitter raises it, and what starts a run is
only a candidate, judged by the event model and the repetition rule)."""
PULL_DIFF_IOD = 0.02
"""... and by how much it must exceed the other corner's pull at least."""
MIN_S, MAX_S = 0.1, 4.0
"""Lower-face runs shorter than this are jitter; longer ones are a held expression."""
TALKING_GAP_IOD = 0.06
"""A lip gap that changes by more than this during the run means the mouth is talking
(lip opening is a vertical movement of both lips, not a corner pull)."""
TONIC_MIN_S = 1.0


def _pull_noise(d: FloatArray) -> float:
    return eye_noise(d)  # same robust jitter estimate, on the corner-pull difference


def _talking(sig: Signals, i0: int, i1: int) -> bool:
    if sig.lip_gap is None:
        return False
    seg = sig.lip_gap[i0 : i1 + 1]
    seg = seg[np.isfinite(seg)]
    return bool(len(seg) and float(seg.max() - seg.min()) > TALKING_GAP_IOD)


def _overlaps(start: float, end: float, events: list[Event]) -> bool:
    return any(e.start_s < end and start < e.end_s for e in events)


def _candidate(sig: Signals, side: Side, i0: int, i1: int, d: FloatArray) -> Candidate:
    other: Side = "left" if side == "right" else "right"
    s, o = sig.side(side), sig.side(other)
    t = sig.times
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1 / 30
    start, end = float(t[i0] - dt / 2), float(t[i1] + dt / 2)
    seg = slice(i0, i1 + 1)
    c_s = np.nan_to_num(s.closure[seg])
    c_o = np.nan_to_num(o.closure[seg])
    kind: EventKind = "tonic" if end - start >= TONIC_MIN_S else "clonic"
    if _talking(sig, i0, i1) or end - start > MAX_S:
        kind = "uncertain"
    peak = float(np.nanmax(d[seg]))
    event = Event(
        start_s=start,
        end_s=end,
        side=side,
        kind=kind,
        depth=float(c_s.max()),
        n_closures=0,
        lower_face=True,
        brow_lift=False,
        other_side_depth=float(c_o.max()),
        region="lower_face",
    )
    feats = event_features(
        depth=float(c_s.max()),
        asymmetry=float(np.median(c_s - c_o)),
        other_closure=float(np.median(c_o)),
        duration_s=end - start,
        noise=_pull_noise(d),
        mouth_same_side=peak,
        eye_region=False,
        mouth_both=min(
            float(np.nan_to_num(s.mouth[seg]).max()), float(np.nan_to_num(o.mouth[seg]).max())
        ),
        onset_rate=onset_rate(t, d, i0, i1),
        lip_change=lip_change(sig, i0, i1),
        contrast=float(np.nanmedian(d[seg])) if np.isfinite(d[seg]).any() else 0.0,
        contrast_noise=_pull_noise(d),
        contrast_spread=clip_spread(d),
        lead=float(np.nanmedian(d[seg])) / max(float(np.nanmax(s.mouth[seg])), 0.01)
        if np.isfinite(d[seg]).any()
        else 0.0,
    )
    return Candidate(event, feats)


def lower_face_candidates(sig: Signals, eye_events: list[Event]) -> list[Candidate]:
    """Lower-face-only candidates, leaving out those during a same-side eye candidate."""
    out: list[Candidate] = []
    for side in SIDES:
        other: Side = "left" if side == "right" else "right"
        m_s, m_o = sig.side(side).mouth, sig.side(other).mouth
        d = m_s - m_o
        floor = max(PULL_DIFF_IOD, NOISE_K * _pull_noise(d))
        ms, dd = np.nan_to_num(m_s), np.nan_to_num(d)
        enter = (ms >= PULL_ENTER_IOD) & (dd >= floor)
        stay = (ms >= PULL_ENTER_IOD / 2) & (dd >= floor / 2)
        mask = _hysteresis(enter, stay)
        same_side = [e for e in eye_events if e.side == side]
        for i0, i1 in true_runs(mask):
            cand = _candidate(sig, side, i0, i1, d)
            e = cand.event
            if e.duration_s < MIN_S or _overlaps(e.start_s, e.end_s, same_side):
                continue
            out.append(cand)
    return out


def _hysteresis(enter: BoolArray, stay: BoolArray) -> BoolArray:
    out = np.zeros(len(enter), dtype=bool)
    on = False
    for i in range(len(enter)):
        on = bool(stay[i]) if on else bool(enter[i])
        out[i] = on
    return out
