"""A clinician's judgement of a video applied to its analysis (pure: no I/O).

The clinician watches the clip and marks events wrong (not a spasm: a blink, a tracking
error) or confirmed, and may confirm or override the affected side. That judgement counts
over the analyser's: :func:`judged` drops the rejected events, counts confirmed ones with
full confidence, and recomputes the clip's metrics, severity estimate and findings from
what is left, with the clinician's side when one is given.

What does not depend on the events is kept from the analysis: the usable minutes (the
quality gate's duration × usable fraction), each side's mean eyelid aperture, the
asymmetry indices and the traces.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from .findings import EMITS, derive_findings, video_findings
from .grades import estimate_severity
from .metrics import affected_side
from .types import SIDES, Event, Metrics, SideMetrics, VideoAnalysis

SIDE_CHOICES = ("right", "left", "both")


@dataclass(frozen=True)
class Judgement:
    """Indices (into ``VideoAnalysis.events``) marked wrong or confirmed, and the side
    the clinician gives (None: the analyser's stands)."""

    rejected: frozenset[int] = frozenset()
    confirmed: frozenset[int] = frozenset()
    side: str | None = None

    @property
    def empty(self) -> bool:
        return not self.rejected and not self.confirmed and self.side is None


def kept_events(events: tuple[Event, ...], judgement: Judgement) -> tuple[Event, ...]:
    """The events that still count: rejected ones out, confirmed ones at confidence 1."""
    return tuple(
        replace(e, confidence=1.0) if i in judgement.confirmed else e
        for i, e in enumerate(events)
        if i not in judgement.rejected
    )


def _side_metrics(old: SideMetrics, events: list[Event], minutes: float) -> SideMetrics:
    durs = [e.duration_s for e in events]
    return SideMetrics(
        events_per_min=len(events) / minutes if minutes > 0 else 0.0,
        mean_event_s=sum(durs) / len(durs) if durs else 0.0,
        longest_event_s=max(durs, default=0.0),
        time_in_spasm_pct=100.0 * sum(durs) / (minutes * 60.0) if minutes > 0 else 0.0,
        deepest_closure=max((e.depth for e in events), default=0.0),
        lower_face_involvement=sum(e.lower_face for e in events) / len(events) if events else 0.0,
        mean_aperture=old.mean_aperture,
    )


def rejudged_metrics(
    metrics: Metrics, events: tuple[Event, ...], minutes: float, side: str | None
) -> Metrics:
    """``metrics`` recomputed from ``events`` (the kept ones), with ``side`` if given."""
    side_m: dict[str, SideMetrics] = {
        s: _side_metrics(
            metrics.side(s), [e for e in events if e.one_sided and e.side == s], minutes
        )
        for s in SIDES
    }
    found, conf = affected_side(events)
    chosen, conf = (side, 1.0) if side is not None else (found, conf)
    one = [e for e in events if e.one_sided]
    return replace(
        metrics,
        affected_side=chosen,
        side_confidence=conf,
        right=side_m["right"],
        left=side_m["left"],
        bilateral_events=sum(e.kind in ("bilateral_clonic", "bilateral_tonic") for e in events),
        blinks_per_min=sum(e.kind == "blink" for e in events) / minutes if minutes > 0 else 0.0,
        synkinesis_fraction=sum(e.lower_face for e in one) / len(one) if one else 0.0,
        other_babinski_fraction=sum(e.brow_lift for e in one) / len(one) if one else 0.0,
        severity=estimate_severity(events, side_m, chosen, minutes),
    )


def judged(
    analysis: VideoAnalysis,
    judgement: Judgement,
    vocabulary: Collection[str] | None = None,
) -> VideoAnalysis:
    """The analysis as the clinician's judgement leaves it (the same one when empty).

    ``vocabulary``: finding ids to keep (default: every one the video can report).
    """
    if judgement.empty:
        return analysis
    if judgement.side is not None and judgement.side not in SIDE_CHOICES:
        raise ValueError(f"side must be one of {', '.join(SIDE_CHOICES)}, got {judgement.side!r}")
    events = kept_events(analysis.events, judgement)
    minutes = analysis.quality.duration_s * analysis.quality.usable_fraction / 60.0
    metrics = rejudged_metrics(analysis.metrics, events, minutes, judgement.side)
    keys = set(EMITS if vocabulary is None else vocabulary)
    findings = {k: v for k, v in derive_findings(events, metrics).items() if k in keys}
    certainty = {
        k: u.certainty for k, u in video_findings(events, metrics, EMITS).items() if k in findings
    }
    return replace(
        analysis,
        events=events,
        metrics=metrics,
        findings=findings,
        finding_certainty=certainty,
    )
