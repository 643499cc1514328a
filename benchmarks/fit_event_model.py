"""Fit the shipped event model on ONE ground-truth family and write its weights.

Run: ``nice .venv/bin/python benchmarks/fit_event_model.py [--family warp] [--clips 25]
[--seconds 12] [--write]``

The model (``hemifacial.analysis.event_model``) is fitted by ``hemifacial.analysis.fit.fit``
on the candidates of the chosen family's clips (generated once and cached by
``hemifacial_synth.sets``, landmark tracks cached beside them). ``--write`` replaces
``src/hemifacial/analysis/_event_model_params.py``; the other family stays held out, and
``benchmarks/video_accuracy.py`` reports the shipped model on it as such.
"""

from __future__ import annotations

import argparse
import pprint
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy_support import tracks

from hemifacial.analysis.event_model import FEATURES
from hemifacial.analysis.fit import fit
from hemifacial_synth.sets import build_set

PARAMS = Path(__file__).resolve().parents[1] / "src/hemifacial/analysis/_event_model_params.py"
HEADER = '''"""Fitted weights of the event model (written by ``benchmarks/fit_event_model.py``).

{how}
"""

FITTED: dict[str, object] = '''


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--family", default="warp", choices=("warp", "pasted"))
    ap.add_argument("--clips", type=int, default=25)
    ap.add_argument("--seconds", type=float, default=12.0)
    ap.add_argument("--write", action="store_true", help="write the shipped params file")
    args = ap.parse_args()
    clips = build_set(args.family, args.clips, seconds=args.seconds)
    trs = tracks([c for c, _ in clips])
    what = f"{args.family} family, {args.clips} clips of {args.seconds:g} s, seed 0"
    model = fit(list(zip(trs, [gt for _, gt in clips], strict=True)), source=what)
    print(model.source)
    print(f"threshold {model.threshold}, bias {model.bias:+.2f}")
    for name, w in zip(FEATURES, model.weights, strict=True):
        print(f"  {name:16s} {w:+.3f} (per SD)")
    if args.write:
        how = (
            f"Fitted on the {args.family} family only; the other family is held out.\n"
            f"Command: benchmarks/fit_event_model.py --family {args.family} "
            f"--clips {args.clips} --seconds {args.seconds:g} --write"
        )
        text = HEADER.format(how=how) + pprint.pformat(model.to_dict(), sort_dicts=False) + "\n"
        PARAMS.write_text(text, encoding="utf-8")
        print(f"wrote {PARAMS}")


if __name__ == "__main__":
    main()
