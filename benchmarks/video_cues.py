"""How far each closure cue separates the true events, and what the rules allow at best.

Run: ``HEMIFACIAL_GT_CACHE=/tmp/gt nice .venv/bin/python benchmarks/video_cues.py [--clips 20]
[--seconds 12] [--seed 0]``

For each family (generated and cached as in ``video_accuracy.py``), two things:

* **cue separation**: for every true eye event, the peak side difference (event side minus
  the other) over its frames in units of the clip's robust spread of that difference
  (``analysis.measures.clip_spread``), for the landmark closure and for the appearance
  cue's look closure (``analysis.appearance``); the share of events at ≥ 4 × and the medians;
* **perfect-model ceiling**: the clip-level review (``analysis.review.review``) given a model
  that says 1 for exactly the candidates overlapping a true event and 0 for the rest; F1,
  recall, precision and laterality as ``video_accuracy.py`` scores them. No event model can
  do better with the shipped candidates and rules.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from video_accuracy import FAMILIES, load_family

from hemifacial.analysis.fit import candidates, is_spasm
from hemifacial.analysis.measures import clip_spread
from hemifacial.analysis.quality import assess
from hemifacial.analysis.review import review
from hemifacial.analysis.signals import compute_signals, face_features
from hemifacial.analysis.types import FaceTrack, FloatArray, Signals
from hemifacial.errors import VideoInputError
from hemifacial_synth.score import Call, ClipResult, Tally, add_clip

Z = 4.0


def _signals(track: FaceTrack) -> Signals:
    feats = face_features(track)
    _quality, usable = assess(track, feats.fitted, feats.yaw_deg, feats.pitch_deg)
    return compute_signals(track, usable, feats)


def _z(diff: FloatArray) -> FloatArray:
    out: FloatArray = diff / max(clip_spread(diff), 0.005)
    return out


def separation(family: str, examples: list) -> None:  # type: ignore[type-arg]
    """Share of true eye events whose peak side difference is ≥ :data:`Z` × the spread."""
    rows = []
    for _name, track, truth in examples:
        if track is None:
            continue
        try:
            sig = _signals(track)
        except VideoInputError:
            continue
        z_lm = _z(sig.right.closure - sig.left.closure)
        look_r, look_l = sig.right.look, sig.left.look
        z_look = _z(look_r - look_l) if look_r is not None and look_l is not None else None
        for e in truth["events"]:
            if e["region"] == "lower":
                continue
            m = (track.times >= e["onset_s"]) & (track.times <= e["offset_s"] + 0.05)
            if not m.any():
                continue
            s = 1.0 if e["side"] == "right" else -1.0
            lm = float(np.nanmax(s * z_lm[m]))
            lk = float(np.nanmax(s * z_look[m])) if z_look is not None else float("nan")
            rows.append((float(e["depth"]), lm, lk))
    if not rows:
        print(f"  {family}: no eye events")
        return
    r = np.array(rows)
    lm_ok, lk_ok = r[:, 1] >= Z, r[:, 2] >= Z
    print(
        f"  {family}: {len(r)} eye events; peak side difference >= {Z:g} x clip spread: "
        f"landmarks {lm_ok.mean():.2f}, look {lk_ok.mean():.2f}, either "
        f"{(lm_ok | lk_ok).mean():.2f}; median z landmarks {np.nanmedian(r[:, 1]):.1f}, "
        f"look {np.nanmedian(r[:, 2]):.1f}"
    )


class _Perfect:
    """An event model that knows the truth: 1 for the candidates given, 0 for the rest."""

    threshold = 0.5

    def __init__(self, positives: set[int]) -> None:
        self.positives = positives

    def probability(self, features: Mapping[str, float]) -> float:
        return 1.0 if id(features) in self.positives else 0.0


def ceiling(family: str, examples: list) -> None:  # type: ignore[type-arg]
    """The clip-level review's figures with a perfect event model."""
    tally = Tally()
    for name, track, truth in examples:
        calls: tuple[Call, ...] = ()
        if track is not None:
            try:
                cands = candidates(track)
            except VideoInputError:
                cands = []
            pos = {id(c.features) for c in cands if is_spasm(c, truth["events"])}
            judged = review(cands, _Perfect(pos))  # type: ignore[arg-type]
            calls = tuple(
                Call(e.start_s, e.side, e.kind) for e in judged if e.kind in ("clonic", "tonic")
            )
        n = {s: sum(c.side == s for c in calls) for s in ("right", "left")}
        side = "none" if not calls else max(n, key=lambda s: n[s])
        add_clip(tally, truth, ClipResult(calls, side, False), name)
    f = tally.figures()
    print(
        f"  {family}: perfect-model F1 {f['f1'] or 0:.3f} (P {f['precision'] or 0:.2f}, "
        f"R {f['recall'] or 0:.2f}), laterality {f['laterality'] or 0:.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clips", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=12.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    data = {f: load_family(f, args.clips, args.seconds, args.seed) for f in FAMILIES}
    print(f"CUE SEPARATION (seed {args.seed})")
    for f in FAMILIES:
        separation(f, data[f])
    print(f"PERFECT-MODEL CEILING of the shipped candidates and rules (seed {args.seed})")
    for f in FAMILIES:
        ceiling(f, data[f])


if __name__ == "__main__":
    main()
