"""Event-detection accuracy on generated ground-truth clips + false events on real clips.

Run: ``.venv/bin/python benchmarks/video_accuracy.py [--clips N] [--seconds S]``

Ground truth: one-sided clonic/tonic spasms of known timing, side, depth and spread
injected into real faces (``skimage`` astronaut with head motion and noise and a drawn
shut eye; shared clips d18, d13, d14, d19 played back and forth, each lending its own
blink's shut eye, with events kept out of the clip's own natural closures and the clip
lengthened until 8 events fit). A detected one-sided event matches a true one when the
onsets are within 150 ms. Prints
precision, recall, F1, laterality accuracy, kind accuracy, mean absolute duration error,
per-source results, and one-sided events on the unmodified shared clips.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np

from hemifacial.video import analyze_video
from hemifacial.video.synthetic import (
    NATURAL_CLOSURE,
    NATURAL_PAD_S,
    make_clip,
    natural_closures,
    random_schedule,
)

VIDEOS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "videos"
ONSET_TOL_S = 0.15
REAL_SOURCES = (
    "liveportrait_d18.mp4",  # still, frontal, 2 blinks
    "liveportrait_d13.mp4",  # portrait selfie framing, talking, glasses (lids visible)
    "liveportrait_d14.mp4",  # bilateral flutter and blinks of its own
    "liveportrait_d19.mp4",  # thick glasses frame over the lids
)
MIN_EVENTS = 8
MAX_STRETCH = 4
"""A real source's clip is lengthened (in steps of ``--seconds``, up to this many times)
until its schedule holds ``MIN_EVENTS`` events outside the source's own closures."""
SUITABLE_BLINK_CLOSURE = 0.7
"""A real source is in the headline only if MediaPipe reads its own deepest natural blink
at least this closed on both eyes (otherwise its lids are not measurable)."""
NORMAL = [
    "liveportrait_d6.mp4",
    "liveportrait_d9.mp4",
    "liveportrait_d13.mp4",
    "liveportrait_d14.mp4",
    "liveportrait_d18.mp4",
    "liveportrait_d19.mp4",
    "pyfeat_WolfgangLanger_Pexels.mp4",
    "pyfeat_noface_face.mov",
    "pyfeat_single_face.mp4",
    "jefapato_test_format_2sec.mp4",
]


def match(truth: list[dict[str, object]], found: list[object]) -> dict[str, float]:
    used: set[int] = set()
    pairs = []
    for t in truth:
        best, best_d = None, ONSET_TOL_S
        for k, e in enumerate(found):
            d = abs(e.start_s - float(t["start_s"]))  # type: ignore[attr-defined]
            if k not in used and d <= best_d:
                best, best_d = k, d
        if best is not None:
            used.add(best)
            pairs.append((t, found[best]))
    return {
        "tp": len(pairs),
        "fp": len(found) - len(used),
        "fn": len(truth) - len(pairs),
        "pairs": pairs,
    }  # type: ignore[dict-item]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clips", type=int, default=4, help="astronaut clips (plus 2 real-face)")
    ap.add_argument("--seconds", type=float, default=30.0)
    args = ap.parse_args()
    tp = fp = fn = 0
    side_ok = kind_ok = spread_ok = 0
    dur_err: list[float] = []
    sources: list[tuple[str, int]] = [("astronaut", s) for s in range(args.clips)]
    for name in REAL_SOURCES:
        if (VIDEOS / name).exists():
            sources.append((str(VIDEOS / name), 100 + len(sources)))
    excluded: list[str] = []
    per_source: list[tuple[str, int, int, int, bool]] = []
    xtp = xfp = xfn = 0
    print(f"load average (1 min): {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(
        "Real sources: injected events are placed outside the source's own natural eye"
        f" closures (either eye ≥ {NATURAL_CLOSURE:.0%} closed, ±{NATURAL_PAD_S} s): a spasm"
        " on top of the person's own blink or flutter is bilateral, not one-sided."
    )
    with tempfile.TemporaryDirectory() as tmp:
        for src, seed in sources:
            secs = args.seconds
            while True:  # a source whose own closures leave little room plays longer
                avoid = natural_closures(src, secs)
                rng = np.random.default_rng(seed)
                specs = random_schedule(secs, rng, sides=("right", "left"), avoid=avoid)
                if len(specs) >= MIN_EVENTS or secs >= MAX_STRETCH * args.seconds:
                    break
                secs += args.seconds
            clip = Path(tmp) / f"gt_{seed}.mp4"
            gt = make_clip(clip, specs, source=src, duration_s=secs, seed=seed)
            a = analyze_video(clip)
            found = list(a.one_sided_events)
            m = match(gt["events"], found)
            blink = gt["source_blink_closure"]
            excluded_now = bool(blink) and min(blink.values()) < SUITABLE_BLINK_CLOSURE
            if excluded_now:
                excluded.append(
                    f"{Path(src).name}: MediaPipe reads the source's own deepest natural blink"
                    f" as only {', '.join(f'{k} {v:.2f}' for k, v in blink.items())} closed"
                    f" (< {SUITABLE_BLINK_CLOSURE}: the glasses frame hides the lids), so a"
                    f" spasm there cannot look shut either; tp {m['tp']} fp {m['fp']}"
                    f" fn {m['fn']} reported here, not in the headline"
                )
                xtp, xfp, xfn = xtp + m["tp"], xfp + m["fp"], xfn + m["fn"]
            else:
                tp, fp, fn = tp + m["tp"], fp + m["fp"], fn + m["fn"]
            for t, e in [] if excluded_now else m["pairs"]:  # type: ignore[attr-defined]
                side_ok += e.side == t["side"]
                kind_ok += e.kind == t["kind"]
                spread_ok += e.lower_face == t["spread"]
                dur_err.append(abs(e.duration_s - t["duration_s"]))
            print(
                f"{Path(src).name:24s} seed {seed:3d}, {secs:.0f} s: {len(specs)} true,"
                f" {len(found)} found, "
                f"tp {m['tp']} fp {m['fp']} fn {m['fn']}"
                f"  (shut eye: {gt['closed_eye']}; events kept out of {len(avoid)} natural"
                f" closures of the source, {sum(b - a for a, b in avoid):.1f} s)"
            )
            per_source.append((Path(src).name, m["tp"], len(specs), m["fp"], excluded_now))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"\nGROUND TRUTH  events {tp + fn}  precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}")
    agg: dict[str, list[int]] = {}
    for name, t_, n_, f_, x_ in per_source:
        key = f"{name}{' (excluded)' if x_ else ''}"
        a_ = agg.setdefault(key, [0, 0, 0])
        a_[0], a_[1], a_[2] = a_[0] + t_, a_[1] + n_, a_[2] + f_
    print(
        "  per source found/true, false positives: "
        + "; ".join(f"{k} {v[0]}/{v[1]}, {v[2]} FP" for k, v in agg.items())
    )
    for why in excluded:
        print(f"  excluded from the headline: {why}")
    if excluded:
        at, af, an = tp + xtp, fp + xfp, fn + xfn
        ap_, ar = at / max(at + af, 1), at / max(at + an, 1)
        print(
            f"  all sources incl. excluded: precision {ap_:.3f} recall {ar:.3f}"
            f" F1 {2 * ap_ * ar / max(ap_ + ar, 1e-9):.3f}"
        )
    if tp:
        print(
            f"  laterality accuracy {side_ok / tp:.3f}  clonic/tonic accuracy {kind_ok / tp:.3f}"
            f"  spread accuracy {spread_ok / tp:.3f}"
        )
        print(
            f"  duration error mean {np.mean(dur_err) * 1000:.0f} ms, "
            f"median {np.median(dur_err) * 1000:.0f} ms"
        )
    total_false = 0
    print("\nREAL CLIPS (healthy faces): one-sided events")
    for name in [*NORMAL, "liveportrait_d3.mp4"]:
        path = VIDEOS / name
        if not path.exists():
            continue
        a = analyze_video(path)
        one = a.one_sided_events
        if name != "liveportrait_d3.mp4":
            total_false += len(one)
        desc = ", ".join(f"{e.side} {e.kind} @{e.start_s:.2f}s" for e in one) or "none"
        bil = sum(e.kind.startswith("bilateral") for e in a.events)
        print(f"  {name:34s} one-sided: {desc}; bilateral episodes: {bil}")
    print(
        f"  false one-sided events on the {len(NORMAL)} normal clips: {total_false}"
        " (liveportrait_d3 has deliberate winks)"
    )


if __name__ == "__main__":
    main()
