"""Findings bridge: video results as evidence-base findings for the cause engine.

Emits only the engine's vocabulary and only when the video supports the value; a key the
video cannot settle is left out:

========================  ==============================================================
``side``                  ``left`` | ``right`` | ``both`` (patient's side)
``laterality``            ``unilateral`` | ``bilateral_synchronous`` |
                          ``bilateral_asynchronous``
``spread_to_lower_face``  ``yes`` | ``no`` (same-side mouth/cheek with the eye events)
``contraction_pattern``   ``clonic`` | ``tonic`` | ``clonic_and_tonic``
``other_babinski``        ``yes`` | ``no`` (brow lifts as the same eye closes)
========================  ==============================================================
"""

from __future__ import annotations

from .types import Event, Metrics

MIN_EVENTS = 2
"""One-sided events needed before the video is taken to show a side at all."""
MIN_EVENTS_FOR_NO = 3
"""Events needed before an absent sign (spread, other Babinski) is reported as 'no'."""
SIGN_FRACTION = 0.3
"""Share of events showing a sign for 'yes' (estimate; a single event can be chance)."""

FINDING_VALUES: dict[str, tuple[str, ...]] = {
    "side": ("left", "right", "both"),
    "laterality": ("unilateral", "bilateral_synchronous", "bilateral_asynchronous"),
    "spread_to_lower_face": ("yes", "no"),
    "contraction_pattern": ("clonic", "tonic", "clonic_and_tonic"),
    "other_babinski": ("yes", "no"),
}


def _pattern(kinds: set[str]) -> str | None:
    clonic = bool(kinds & {"clonic", "bilateral_clonic"})
    tonic = bool(kinds & {"tonic", "bilateral_tonic"})
    if clonic and tonic:
        return "clonic_and_tonic"
    return "clonic" if clonic else "tonic" if tonic else None


def _sign(events: list[Event], attr: str) -> str | None:
    n_yes = sum(bool(getattr(e, attr)) for e in events)
    if n_yes and n_yes / len(events) >= SIGN_FRACTION:
        return "yes"
    if n_yes == 0 and len(events) >= MIN_EVENTS_FOR_NO:
        return "no"
    return None


def derive_findings(events: tuple[Event, ...], metrics: Metrics) -> dict[str, str]:
    """Findings the cause engine can take, from one clip's events and metrics."""
    out: dict[str, str] = {}
    one = [e for e in events if e.one_sided]
    bil = [e for e in events if e.kind in ("bilateral_clonic", "bilateral_tonic")]
    if len(one) >= MIN_EVENTS:
        side = metrics.affected_side
        if side in ("right", "left"):
            out["side"], out["laterality"] = side, "unilateral"
            used = [e for e in one if e.side == side]
        else:
            out["side"], out["laterality"] = "both", "bilateral_asynchronous"
            used = one
        pattern = _pattern({e.kind for e in used})
        if pattern:
            out["contraction_pattern"] = pattern
        for key, attr in (("spread_to_lower_face", "lower_face"), ("other_babinski", "brow_lift")):
            value = _sign(used, attr)
            if value:
                out[key] = value
    elif bil and not one:
        out["side"], out["laterality"] = "both", "bilateral_synchronous"
        pattern = _pattern({e.kind for e in bil})
        if pattern:
            out["contraction_pattern"] = pattern
    return out
