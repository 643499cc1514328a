"""Change between two visits of the same patient (after − before)."""

from __future__ import annotations

from .types import VideoAnalysis, VisitChange


def _num(a: VideoAnalysis, side: str) -> dict[str, float]:
    m = a.metrics
    s = m.side(side)
    return {
        "events_per_min": s.events_per_min,
        "mean_event_s": s.mean_event_s,
        "longest_event_s": s.longest_event_s,
        "time_in_spasm_pct": s.time_in_spasm_pct,
        "deepest_closure": s.deepest_closure,
        "lower_face_involvement": s.lower_face_involvement,
        "mean_aperture": s.mean_aperture,
        "jankovic_total": float(m.severity.jankovic_total),
        "smc_grade": float(m.severity.smc_grade),
    }


def compare_visits(before: VideoAnalysis, after: VideoAnalysis) -> VisitChange:
    """Per-metric change on the affected side (the earlier visit's, else the later one's).

    Both clips should be recorded the same way (see docs/video.md); a change smaller than
    the variation between two clips of one visit is not meaningful.
    """
    side = before.metrics.affected_side
    if side not in ("right", "left"):
        side = after.metrics.affected_side
    if side not in ("right", "left"):
        side = "right"
    b, a = _num(before, side), _num(after, side)
    changes: dict[str, float | None] = {k: a[k] - b[k] for k in b}
    summary = [
        f"{side} side: events/min {b['events_per_min']:.1f} → {a['events_per_min']:.1f}",
        f"time in spasm {b['time_in_spasm_pct']:.1f}% → {a['time_in_spasm_pct']:.1f}%",
        f"estimated JRS total {b['jankovic_total']:.0f} → {a['jankovic_total']:.0f}",
    ]
    if before.mirrored != after.mirrored:
        summary.append("note: one clip was marked mirrored and the other not")
    return VisitChange(
        before={"inputs": dict(before.inputs), "metrics": b},
        after={"inputs": dict(after.inputs), "metrics": a},
        changes=changes,
        affected_side=side,
        summary=tuple(summary),
    )
