"""Speed of the cause engine: one assessment and the full next-test ranking.

Goals (issue #2, kept by issue 10): posterior + explanation < 1 ms median; full next-test
ranking < 20 ms. The robustness analysis (a few hundred perturbed posteriors, included in
the full assessment) is timed on its own and as a multiple of one posterior in the same run.
A third case observes every declared dependence tree, the slow path of the exact evaluation.
The baseline, measured in the same run, is a plain-Python posterior that loops over the
likelihood dictionaries (what a first implementation would do), so the ratio shows what
the precomputed log tables buy. Medians over many repeats; the machine is noisy.

Usage: python benchmarks/engine_speed.py [--repeats N]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable

from hemifacial.cli.casefile import example_path, load_case_file
from hemifacial.domain.case import parse_case
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.assess import assess
from hemifacial.domain.reasoning.explain import explain
from hemifacial.domain.reasoning.next_test import plan_tests
from hemifacial.domain.reasoning.posterior import posterior
from hemifacial.domain.reasoning.robustness import robustness
from hemifacial.domain.types import Case

DEPENDENT = {  # one finding or more in every declared dependence tree
    "onset_site": "eyelid",
    "spread_to_lower_face": "yes",
    "lip_pulled_down": "no",
    "prior_bells_palsy": "yes",
    "facial_weakness": "yes",
    "only_with_voluntary_movement": "no",
    "known_ms": "yes",
    "mri_demyelination": "yes",
    "side": "left",
}


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def naive_posterior(kb: KnowledgeBase, values: dict[str, str], setting: str) -> dict[str, float]:
    """Baseline: loop over conditions and findings reading the likelihood dictionaries."""
    logs = {}
    for cid in kb.condition_ids:
        total = math.log(kb.settings[setting].priors[cid])
        for fid, value in values.items():
            f = kb.findings[fid]
            if not f.informative or value in f.noninformative:
                continue
            probs = f.likelihoods[cid].probabilities
            members = f.unions.get(value, (value,))
            total += math.log(sum(probs[m] for m in members))
        logs[cid] = total
    top = max(logs.values())
    z = sum(math.exp(v - top) for v in logs.values())
    return {c: math.exp(v - top) / z for c, v in logs.items()}


def measure(kb: KnowledgeBase, name: str, case: Case, repeats: int) -> None:
    v, s = dict(case.values), case.setting
    leaders = ("primary_nvc", "vascular_anomaly", "nerve_injury")
    base = median_ms(lambda: naive_posterior(kb, v, s), repeats)
    post = median_ms(lambda: posterior(kb, v, s), repeats)
    expl = median_ms(lambda: [explain(kb, c, v, s) for c in leaders], repeats)
    tests = median_ms(lambda: plan_tests(kb, v, s), max(repeats // 10, 20))
    full = median_ms(lambda: assess(kb, case), max(repeats // 10, 20))
    robust = median_ms(lambda: robustness(kb, v, s), max(repeats // 3, 20))
    print(f"{name:<20} {base:>11.3f} ms {post:>7.3f} ms {base / post:>5.1f}× "
          f"{post + expl:>6.3f} ms {tests:>5.1f} ms {full:>9.1f} ms "
          f"{robust:>6.2f} ms ({robust / post:.0f}× a posterior)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()
    kb = load_knowledge_base()
    cases = {
        "empty": parse_case(kb, {}),
        "demo (15 findings)": parse_case(kb, load_case_file(example_path()).findings),
        "all trees (9)": parse_case(kb, DEPENDENT),
    }
    print(
        f"evidence base {kb.version}: {len(kb.conditions)} conditions, {len(kb.findings)} findings"
    )
    print(f"{'case':<20} {'baseline post.':>14} {'posterior':>10} {'ratio':>6} "
          f"{'+explain':>9} {'tests':>8} {'full assess':>12} {'robustness':>10}")  # fmt: skip
    for name, case in cases.items():
        measure(kb, name, case, args.repeats)
    print("\ngoals: posterior + explanation < 1 ms; full next-test ranking < 20 ms (medians)")


if __name__ == "__main__":
    main()
