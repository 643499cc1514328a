"""Random spasm schedules of the "warp" family and their exact ground truth.

All events of a clip are on one side (hemifacial spasm is one-sided). Kinds: ``twitch`` (one
0.1–0.3 s contraction), ``clonic`` (a burst of 2–8 twitches), ``tonic`` (a 0.8–3 s hold with
a fine tremor). Regions: ``eye`` (closure, a little cheek), ``both`` (closure, cheek and
mouth corner), ``lower`` (cheek and mouth corner only). Depth 0.3–1.0 is the peak closure
(eye, both) or the peak of the lower-face pull (lower).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from .warp import SideState

KINDS = ("twitch", "clonic", "tonic")
REGIONS = ("eye", "both", "lower")


@dataclass(frozen=True)
class WarpEvent:
    """One injected event: the ground truth (times in seconds, the patient's side)."""

    onset_s: float
    offset_s: float
    side: str
    region: str
    kind: str
    depth: float
    pulses: tuple[tuple[float, float], ...]  # (start, end) of each contraction

    def to_truth(self) -> dict[str, object]:
        """JSON-safe ground-truth record (without the pulse list)."""
        d = asdict(self)
        d["n_twitches"] = len(self.pulses)
        del d["pulses"]
        return d


def _pulses(kind: str, t: float, rng: np.random.Generator) -> list[tuple[float, float]]:
    if kind == "tonic":
        return [(t, t + float(rng.uniform(0.8, 3.0)))]
    if kind == "twitch":
        return [(t, t + float(rng.uniform(0.1, 0.3)))]
    out = []
    for _ in range(int(rng.integers(2, 9))):
        d = float(rng.uniform(0.08, 0.22))
        out.append((t, t + d))
        t += d + float(rng.uniform(0.05, 0.2))
    return out


def random_events(
    duration_s: float,
    rng: np.random.Generator,
    side: str,
    avoid: list[tuple[float, float]] = (),  # type: ignore[assignment]
) -> list[WarpEvent]:
    """Events from 0.7 s on, ≥ 0.8 s apart, none overlapping an ``avoid`` interval."""
    out: list[WarpEvent] = []
    t = 0.7 + float(rng.uniform(0, 0.8))
    while t < duration_s:
        kind = str(rng.choice(KINDS, p=[0.3, 0.45, 0.25]))
        pulses = _pulses(kind, t, rng)
        end = pulses[-1][1]
        if end - t > 3.0:  # a long clonic burst is cut to the 3 s maximum
            pulses = [p for p in pulses if p[1] <= t + 3.0]
            end = pulses[-1][1]
        clash = next((b for a, b in avoid if t < b and end > a), None)
        if clash is not None:
            t = clash + float(rng.uniform(0.1, 0.5))
            continue
        if end > duration_s - 0.5:
            break
        pulses = [(round(a, 3), round(b, 3)) for a, b in pulses]
        region = str(rng.choice(REGIONS, p=[0.45, 0.35, 0.2]))
        depth = round(float(rng.uniform(0.3, 1.0)), 2)
        out.append(WarpEvent(pulses[0][0], pulses[-1][1], side, region, kind, depth, tuple(pulses)))
        t = end + float(rng.uniform(0.8, 2.5))
    return out


def _pulse_level(t: float, a: float, b: float, tonic: bool) -> float:
    if t < a or t > b:
        return 0.0
    if not tonic:  # raised cosine: up in 40 %, down in 60 % of the twitch
        x = (t - a) / (b - a)
        return 0.5 - 0.5 * math.cos(math.pi * (x / 0.4 if x < 0.4 else (1 - x) / 0.6))
    ramp = min(1.0, (t - a) / 0.12, (b - t) / 0.15)
    return max(0.0, ramp) * (0.95 + 0.05 * math.sin(2 * math.pi * 5.0 * (t - a)))


def state_at(t: float, events: list[WarpEvent]) -> dict[str, SideState]:
    """Per-side contraction of the schedule at time ``t``."""
    out = {"right": SideState(), "left": SideState()}
    for e in events:
        if not e.onset_s <= t <= e.offset_s:
            continue
        lv = max(_pulse_level(t, a, b, e.kind == "tonic") for a, b in e.pulses)
        if lv <= 0:
            continue
        eye = e.region in ("eye", "both")
        lower = e.region in ("lower", "both")
        out[e.side] = SideState(
            closure=lv * e.depth if eye else 0.0,
            cheek=lv * (e.depth if lower else 0.5 * e.depth),
            mouth=lv * e.depth if lower else 0.0,
        )
    return out
