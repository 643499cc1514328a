"""Clip-level metrics from events and signals: rates, durations, time in spasm, asymmetry.

Rates and percentages are per **usable** minute (frames the quality gate accepted), so a
clip with a no-face opening is not diluted. The features mirror the reference's anchors
(``../shared/reference/video-analysis.md`` §6): eye closure depth, spasm rate and
repetition (Al Menabbawy 2024), % time eyes closed (CERT, ρ ≈ 0.55 with clinical scales),
per-side mean eyelid aperture (Gameiro 2024).
"""

from __future__ import annotations

import numpy as np

from .grades import estimate_severity
from .types import SIDES, Event, FloatArray, Metrics, SideMetrics, Signals

SIDE_DOMINANCE = 0.8
"""Share of one-sided activity above which one side is called the affected side."""


def usable_seconds(sig: Signals) -> float:
    """Seconds of usable frames (sum of each usable frame's duration)."""
    t = sig.times
    if len(t) < 2:
        return 0.0
    dt = np.diff(t, append=t[-1] + float(np.median(np.diff(t))))
    return float(dt[sig.usable].sum())


def _side_metrics(sig: Signals, events: list[Event], side: str, minutes: float) -> SideMetrics:
    durs = [e.duration_s for e in events]
    ap: FloatArray = sig.side("right" if side == "right" else "left").aperture
    finite = ap[np.isfinite(ap)]
    return SideMetrics(
        events_per_min=len(events) / minutes if minutes > 0 else 0.0,
        mean_event_s=float(np.mean(durs)) if durs else 0.0,
        longest_event_s=float(max(durs)) if durs else 0.0,
        time_in_spasm_pct=100.0 * sum(durs) / (minutes * 60.0) if minutes > 0 else 0.0,
        deepest_closure=max((e.depth for e in events), default=0.0),
        lower_face_involvement=(sum(e.lower_face for e in events) / len(events) if events else 0.0),
        mean_aperture=float(finite.mean()) if len(finite) else float("nan"),
    )


def affected_side(events: tuple[Event, ...]) -> tuple[str, float]:
    """The patient's side with the one-sided activity, and a confidence in [0, 1].

    Score per side = number of one-sided events + seconds in them. One side holding at least
    :data:`SIDE_DOMINANCE` of the score is the affected side; otherwise ``"both"``. The
    confidence is that share, discounted for few events (× 1 − 0.5**n). With no one-sided
    events, bilateral abnormal activity gives ``"both"`` and nothing gives ``"none"``.
    """
    one = [e for e in events if e.one_sided]
    if not one:
        bil = [e for e in events if e.kind in ("bilateral_clonic", "bilateral_tonic")]
        if bil:
            return "both", float(1 - 0.5 ** len(bil))
        return "none", 0.0
    score = {s: sum(1 + e.duration_s for e in one if e.side == s) for s in SIDES}
    total = score["right"] + score["left"]
    top = max(SIDES, key=lambda s: score[s])
    share = score[top] / total
    evidence = 1 - 0.5 ** len(one)
    if share >= SIDE_DOMINANCE:
        return top, float(share * evidence)
    return "both", float(evidence * (1 - abs(score["right"] - score["left"]) / total))


def _asym(r: float, left: float) -> float:
    m = (abs(r) + abs(left)) / 2
    return float((r - left) / m) if m > 0 else 0.0


def compute_metrics(sig: Signals, events: tuple[Event, ...]) -> Metrics:
    """All clip-level metrics (see :class:`~hemifacial.analysis.types.Metrics`).

    Asymmetry indices are right − left: ``asymmetry_aperture`` as a fraction of the mean open
    aperture, ``asymmetry_brow`` (neutral brow height) and ``asymmetry_mouth`` (neutral
    mouth-corner-to-eye distance) in IOD.
    """
    minutes = usable_seconds(sig) / 60.0
    side_m: dict[str, SideMetrics] = {
        s: _side_metrics(sig, [e for e in events if e.one_sided and e.side == s], s, minutes)
        for s in SIDES
    }
    side, conf = affected_side(events)
    one = [e for e in events if e.one_sided]
    blinks = sum(1 for e in events if e.kind == "blink")
    return Metrics(
        affected_side=side,
        side_confidence=conf,
        right=side_m["right"],
        left=side_m["left"],
        bilateral_events=sum(
            1 for e in events if e.kind in ("bilateral_clonic", "bilateral_tonic")
        ),
        blinks_per_min=blinks / minutes if minutes > 0 else 0.0,
        asymmetry_aperture=_asym(sig.right.open_aperture, sig.left.open_aperture),
        asymmetry_brow=sig.right.baseline_brow - sig.left.baseline_brow,
        asymmetry_mouth=sig.right.baseline_mouth - sig.left.baseline_mouth,
        synkinesis_fraction=sum(e.lower_face for e in one) / len(one) if one else 0.0,
        other_babinski_fraction=sum(e.brow_lift for e in one) / len(one) if one else 0.0,
        severity=estimate_severity(events, side_m, side, minutes),
    )
