"""Diagnostic accuracy of the cause engine on the literature vignettes.

Prints top-1 / top-3 accuracy, mean reciprocal rank, a per-condition table, a
calibration table (predicted probability of the top condition vs how often it was right), a
reliability table over every (vignette, condition) pair with the multi-class Brier score
(against the Brier score of the setting's prior alone, in the same run),
next to the published baselines quoted in the reference (symptom checkers 34% top-1,
physicians 72% top-1 on general vignettes).

The 53 original vignettes, the case-report vignettes (``case_reports/``, one published
patient each) and the blind case reports (``blind/``, written before the engine was run on
them) are reported separately. ``--drop-unknown`` drops findings the evidence base does
not know (the figure "before" findings were added, on the same files).

The blind set is split by a fixed rule chosen before any of its results was read (sixth
round): odd-numbered files (b01, b03, …) are ``blind_dev``, the development half whose misses
may be studied; even-numbered files (b02, b04, …) are ``blind_heldout``, never studied. A set
holding held-out files (``blind_heldout`` and ``blind``) prints its summary numbers only — no
per-condition ranks, calibration rows or misses — so that running it does not show which
held-out file ranks what.

Usage: python benchmarks/engine_accuracy.py [--json]
       [--set original|case_reports|blind|blind_dev|blind_heldout] [--drop-unknown]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections import defaultdict
from pathlib import Path

from hemifacial.cli.casefile import load_case_file
from hemifacial.domain.case import parse_case
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.domain.reasoning.posterior import posterior
from hemifacial.domain.reasoning.robustness import robustness

VIGNETTES = Path(__file__).resolve().parents[1] / "tests" / "data" / "vignettes"
SETS = {
    "original": VIGNETTES,
    "case_reports": VIGNETTES / "case_reports",
    "blind": VIGNETTES / "blind",  # written and committed before the engine ran on them
}
BLIND_HALVES = {"blind_dev": 1, "blind_heldout": 0}  # file number modulo 2
HELD_OUT = {"blind", "blind_heldout"}  # sets that hold held-out files: summary numbers only
BASELINES = {"symptom checkers (top-1)": 0.34, "physicians (top-1)": 0.72}
BINS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 0.99), (0.99, 1.0001))
RELIABILITY_BINS = (0.0, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0001)


def reliability(scored: list[tuple[dict[str, float], str, dict[str, float]]]) -> dict[str, object]:
    """Predicted vs observed over every (vignette, condition) pair, and Brier scores.

    ``scored`` holds (posterior, expected condition, prior) per vignette. The multi-class
    Brier score is the mean over vignettes of Σ_c (p_c − [c is the answer])²: 0 is perfect,
    and the prior's own score is the no-skill baseline.
    """
    pairs = [(p, float(c == expected)) for post, expected, _ in scored for c, p in post.items()]
    table = []
    for low, high in itertools.pairwise(RELIABILITY_BINS):
        inside = [(p, y) for p, y in pairs if low <= p < high]
        if inside:
            table.append(
                {
                    "bin": f"{low:.2f}–{min(high, 1):.2f}",
                    "n": len(inside),
                    "mean_predicted": sum(p for p, _ in inside) / len(inside),
                    "observed": sum(y for _, y in inside) / len(inside),
                }
            )

    def brier(index: int) -> float:
        return sum(
            sum((p - float(c == row[1])) ** 2 for c, p in row[index].items())  # type: ignore[union-attr]
            for row in scored
        ) / len(scored)

    return {"table": table, "brier": brier(0), "brier_prior": brier(2)}


def blind_number(path: Path) -> int:
    """The number of a blind vignette file: ``b07_…`` → 7."""
    return int(path.stem.split("_", 1)[0].removeprefix("b"))


def set_files(name: str) -> list[Path]:
    """The vignette files of a named set (the blind halves: odd numbers develop, even hold out)."""
    if name in BLIND_HALVES:
        return [
            p
            for p in sorted(SETS["blind"].glob("*.yaml"))
            if blind_number(p) % 2 == BLIND_HALVES[name]
        ]
    return sorted(SETS[name].glob("*.yaml"))


def summary(result: dict[str, object]) -> dict[str, object]:
    """The numbers of a result that name no vignette (what a held-out set may show)."""
    rel = result["reliability"]
    return {
        "n": result["n"],
        "top1": result["top1"],
        "top3": result["top3"],
        "mrr": result["mrr"],
        "brier": rel["brier"],  # type: ignore[index]
        "brier_prior": rel["brier_prior"],  # type: ignore[index]
    }


def evaluate(
    directory: Path | list[Path] = VIGNETTES, drop_unknown: bool = False
) -> dict[str, object]:
    kb = load_knowledge_base()
    rows = []
    scored: list[tuple[dict[str, float], str, dict[str, float]]] = []
    paths = sorted(directory.glob("*.yaml")) if isinstance(directory, Path) else directory
    for path in paths:
        doc = load_case_file(path)
        findings = doc.findings
        if drop_unknown:
            findings = {k: v for k, v in findings.items() if k in kb.findings}
        case = parse_case(kb, findings, doc.setting)
        probs = posterior(kb, case.values, case.setting, case.certainty)
        ranking = sorted(probs, key=lambda c: -probs[c])
        expected = doc.extra["expected"]
        scored.append((probs, expected, dict(kb.settings[case.setting].priors)))
        rows.append(
            {
                "id": path.stem,
                "expected": expected,
                "top": ranking[0],
                "p_top": probs[ranking[0]],
                "rank": ranking.index(expected) + 1,
                "p_expected": probs[expected],
                "difficulty": doc.extra.get("difficulty", "typical"),
                "holds": robustness(kb, case.values, case.setting, case.certainty).top1_holds,
            }
        )
    n = len(rows)
    per_condition: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        per_condition[str(r["expected"])].append(int(r["rank"]))  # type: ignore[call-overload]
    calibration = []
    for low, high in BINS:
        inside = [r for r in rows if low <= float(r["p_top"]) < high]  # type: ignore[arg-type]
        if inside:
            calibration.append(
                {
                    "bin": f"{low:.2f}–{min(high, 1):.2f}",
                    "n": len(inside),
                    "mean_predicted": sum(float(r["p_top"]) for r in inside) / len(inside),  # type: ignore[arg-type]
                    "observed": sum(r["top"] == r["expected"] for r in inside) / len(inside),
                }
            )
    return {
        "n": n,
        "top1": sum(r["rank"] == 1 for r in rows) / n,
        "top3": sum(int(r["rank"]) <= 3 for r in rows) / n,  # type: ignore[call-overload]
        "mrr": sum(1 / int(r["rank"]) for r in rows) / n,  # type: ignore[call-overload]
        "per_condition": {c: ranks for c, ranks in sorted(per_condition.items())},
        "calibration": calibration,
        "reliability": reliability(scored),
        "robust": {
            flag: {"n": len(group), "top1": sum(r["rank"] == 1 for r in group) / len(group)}
            for flag in (True, False)
            if (group := [r for r in rows if r["holds"] is flag])
        },
        "misses": [r for r in rows if r["rank"] != 1],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--set", choices=sorted([*SETS, *BLIND_HALVES]), action="append")
    parser.add_argument("--drop-unknown", action="store_true", help="ignore unknown finding keys")
    args = parser.parse_args()
    for name in args.set or sorted(SETS, reverse=True):
        result = evaluate(set_files(name), drop_unknown=args.drop_unknown)
        if name in HELD_OUT:
            result = summary(result)
        if args.json:
            print(json.dumps({name: result}, indent=2))
        else:
            folder = SETS["blind" if name in BLIND_HALVES else name]
            print(f"=== {name} vignettes ({folder.relative_to(VIGNETTES.parents[2])})")
            if name in HELD_OUT:
                report_summary(result)
            else:
                report(result)
    return 0


def report_summary(result: dict[str, object]) -> None:
    """Print a held-out set's numbers (no vignette named)."""
    print(f"vignettes: {result['n']}   (held-out: summary numbers only)")
    print(f"top-1 accuracy: {result['top1']:.1%}   (goal ≥ 85%)")
    print(f"top-3 accuracy: {result['top3']:.1%}   (goal ≥ 95%)")
    print(f"mean reciprocal rank: {result['mrr']:.3f}")
    print(
        f"Brier score {result['brier']:.3f} (the setting's prior alone: "
        f"{result['brier_prior']:.3f}; 0 is perfect)"
    )
    print()


def report(result: dict[str, object]) -> None:
    """Print one set's figures."""
    print(f"vignettes: {result['n']}")
    print(f"top-1 accuracy: {result['top1']:.1%}   (goal ≥ 85%)")
    print(f"top-3 accuracy: {result['top3']:.1%}   (goal ≥ 95%)")
    print(f"mean reciprocal rank: {result['mrr']:.3f}")
    for name, value in BASELINES.items():
        print(f"  vs {name}: {value:.0%} → ratio {result['top1'] / value:.2f}×")  # type: ignore[operator]
    print("\nper condition (rank of the expected condition in each vignette):")
    for condition, ranks in result["per_condition"].items():  # type: ignore[attr-defined]
        print(f"  {condition:<26} {ranks}")
    print("\ncalibration of the top condition's probability:")
    print("  bin          n   mean predicted   observed top-1")
    for row in result["calibration"]:  # type: ignore[attr-defined]
        print(
            f"  {row['bin']:<11} {row['n']:>2}   {row['mean_predicted']:>13.1%}"
            f"   {row['observed']:>14.1%}"
        )
    rel = result["reliability"]
    print("\nreliability over every (vignette, condition) pair:")
    print("  bin          n   mean predicted   observed")
    for row in rel["table"]:  # type: ignore[index]
        print(
            f"  {row['bin']:<11} {row['n']:>3}  {row['mean_predicted']:>13.1%}"
            f"   {row['observed']:>8.1%}"
        )
    print(
        f"  Brier score {rel['brier']:.3f} (the setting's prior alone: "  # type: ignore[index]
        f"{rel['brier_prior']:.3f}; 0 is perfect)"  # type: ignore[index]
    )
    for flag, row in result["robust"].items():  # type: ignore[attr-defined]
        said = "holds" if flag else "depends on a number"
        print(f"  robustness says '{said}': {row['n']} vignettes, top-1 right in {row['top1']:.0%}")
    if result["misses"]:
        print("\nmisses:")
        for r in result["misses"]:  # type: ignore[attr-defined]
            print(
                f"  {r['id']}: expected {r['expected']} (rank {r['rank']}, {r['p_expected']:.1%}),"
                f" got {r['top']} ({r['p_top']:.1%})"
            )
    print()


if __name__ == "__main__":
    sys.exit(main())
