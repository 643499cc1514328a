"""Precision and recall of the referral-letter reader, on the tuning and the held-out letters.

A suggestion counts as one (finding, value) pair per letter; numeric findings (the age in a
letter is not the age at onset) are left out. Precision = right pairs / suggested pairs,
recall = right pairs / pairs the letter states (its ``expected``). The tuning letters were used
to adjust ``synonyms.yaml``; the held-out ones were not.

Usage: python benchmarks/letters_accuracy.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import yaml

from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.domain.knowledge.model import FindingType
from hemifacial.services.letters import read_letter

LETTERS = Path(__file__).resolve().parents[1] / "tests" / "data" / "letters"


def evaluate(folder: Path) -> dict[str, object]:
    """Micro-averaged precision and recall over the letters in ``folder``, with the errors."""
    kb = load_knowledge_base()
    right = suggested = stated = 0
    errors: list[str] = []
    for path in sorted(folder.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        expected = {(k, str(v)) for k, v in doc["expected"].items()}
        reading = read_letter(kb, doc["text"])
        got = {
            (s.finding, s.value)
            for s in reading.suggestions
            if kb.findings[s.finding].type is not FindingType.NUMERIC
        }
        right += len(got & expected)
        suggested += len(got)
        stated += len(expected)
        errors += [f"{path.stem}: extra {f}={v}" for f, v in sorted(got - expected)]
        errors += [f"{path.stem}: missed {f}={v}" for f, v in sorted(expected - got)]
    return {
        "letters": len(list(folder.glob("*.yaml"))),
        "precision": right / suggested if suggested else 0.0,
        "recall": right / stated if stated else 0.0,
        "pairs": (right, suggested, stated),
        "errors": errors,
    }


def main() -> int:
    for name in ("tuning", "held_out"):
        start = time.perf_counter()
        result = evaluate(LETTERS / name)
        seconds = time.perf_counter() - start
        right, suggested, stated = result["pairs"]  # type: ignore[misc]
        print(
            f"{name:<9} letters {result['letters']}: precision {result['precision']:.2f}"
            f" ({right}/{suggested}), recall {result['recall']:.2f} ({right}/{stated})"
            f"  [{seconds:.1f} s incl. pipeline build]"
        )
        for line in result["errors"]:  # type: ignore[attr-defined]
            print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
