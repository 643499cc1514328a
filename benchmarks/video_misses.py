"""Why the analyser misses the events it misses: one category per true event.

Run: ``HEMIFACIAL_GT_CACHE=/tmp/gt nice .venv/bin/python benchmarks/video_misses.py
[--family warp] [--clips 20] [--seconds 12] [--verbose]``

For every true event of the family's clips (generated once and cached, as in
``video_accuracy.py``) it looks at what the analyser saw with the shipped event model:
the candidates overlapping the event on its side, their features and probability, and
the clip-level verdict. Categories, in this order: ``found``; ``few usable frames``; no
candidate (``absorbed by a bilateral episode``, ``no lower-face candidate``, ``below
every floor``); ``counted but onset off``; ``late onset`` (the candidate starts > 150 ms
after the true onset: the first twitches of a burst read under the floor); ``model
refused``; ``other-eye rule``; ``alternation (wink)``; ``spread veto``; ``repetition or
minor side``. ``docs/video.md`` gives the counts of one run.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy_support import tracks

from hemifacial.analysis.event_model import DEFAULT_MODEL
from hemifacial.analysis.events import Candidate, eye_candidates
from hemifacial.analysis.lowerface import lower_face_candidates
from hemifacial.analysis.quality import assess
from hemifacial.analysis.review import SPREAD_Z_MIN, review
from hemifacial.analysis.signals import compute_signals, face_features
from hemifacial.analysis.types import Event, FaceTrack
from hemifacial_synth.score import ONSET_TOL_S, Call, match
from hemifacial_synth.sets import build_set

PAD_S = 0.05


def _overlaps(e: Event, t: dict[str, Any]) -> bool:
    return (
        e.side == t["side"] and e.start_s < t["offset_s"] + PAD_S and t["onset_s"] - PAD_S < e.end_s
    )


def _category(
    t: dict[str, Any], hit: bool, judged: list[tuple[Candidate, Event]], bil: list[Event]
) -> str:
    if hit:
        return "found"
    ov = [(c, e) for c, e in judged if _overlaps(c.event, t)]
    thr = DEFAULT_MODEL.threshold
    if not ov:
        if any(b.start_s < t["offset_s"] and t["onset_s"] < b.end_s for b in bil):
            return "absorbed by a bilateral episode"
        return "no lower-face candidate" if t["region"] == "lower" else "below every floor"
    if any(e.one_sided for _, e in ov):
        return "counted but onset off"
    if min(abs(c.event.start_s - t["onset_s"]) for c, _ in ov) > ONSET_TOL_S:
        return "late onset"
    if all(e.confidence < thr for _, e in ov):
        return "model refused"
    believed = [(c, e) for c, e in ov if e.confidence >= thr]
    if all(c.event.kind == "uncertain" for c, _ in believed):
        return "other-eye rule"
    if any(e.kind == "wink" for _, e in believed):
        return "alternation (wink)"
    if all(c.features["contrast_z"] < SPREAD_Z_MIN for c, _ in believed):
        return "spread veto"
    return "repetition or minor side"


def clip_misses(track: FaceTrack, truth: dict[str, Any], verbose: bool, name: str) -> Counter[str]:
    """Category counts of one clip's true events."""
    feats = face_features(track)
    _quality, usable = assess(track, feats.fitted, feats.yaw_deg, feats.pitch_deg)
    sig = compute_signals(track, usable, feats)
    eye, bil = eye_candidates(sig)
    cands = eye + lower_face_candidates(sig, [c.event for c in eye])
    judged = list(zip(cands, review(cands, DEFAULT_MODEL), strict=True))
    calls = [Call(e.start_s, e.side, e.kind) for _, e in judged]
    found = match(truth["events"], calls)
    out: Counter[str] = Counter()
    for t, k in zip(truth["events"], found, strict=True):
        m = (sig.times >= t["onset_s"] - 0.1) & (sig.times <= t["offset_s"] + 0.2)
        cat = "few usable frames" if m.any() and usable[m].mean() < 0.5 else ""
        cat = cat or _category(t, k is not None, judged, bil)
        region = "lower" if t["region"] == "lower" else "eye"
        out[f"{region}: {cat}"] += 1
        if verbose and cat != "found":
            c = sig.side(t["side"]).closure[m]
            read = float(np.nanmax(c)) if np.isfinite(c).any() else float("nan")
            print(
                f"  {name} {t['side']:5s} {t['kind']:6s} {t['region']:5s} depth {t['depth']:.2f}"
                f" @{t['onset_s']:.2f}s: reads {read:.2f} -> {cat}"
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--family", default="warp", choices=("warp", "pasted"))
    ap.add_argument("--clips", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=12.0)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    clips = build_set(args.family, args.clips, seconds=args.seconds)
    total: Counter[str] = Counter()
    for (clip, truth), track in zip(clips, tracks([c for c, _ in clips]), strict=True):
        if track is not None and truth["events"]:
            total += clip_misses(track, truth, args.verbose, clip.name)
    print(f"{args.family}: {sum(total.values())} events, shipped model ({DEFAULT_MODEL.source})")
    for cat, n in sorted(total.items(), key=lambda kv: -kv[1]):
        print(f"  {n:3d}  {cat}")


if __name__ == "__main__":
    main()
