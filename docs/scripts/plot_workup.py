"""Draw docs/img/workup_demo.png: how the ranking moves as the work-up questions are answered.

Replays the interactive work-up for the demo patient (examples/typical_left_hfs.yaml), then
adds a normal MRI with vessel contact, and plots the probability of the leading conditions
after each step. Run: python docs/scripts/plot_workup.py
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from hemifacial.cli.casefile import example_path, load_case_file
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.domain.reasoning import workup as wu
from hemifacial.domain.reasoning.posterior import posterior

OUT = Path(__file__).resolve().parents[1] / "img" / "workup_demo.png"
MRI = {"mri_mass_lesion": "no", "mri_vascular_anomaly": "no", "mri_demyelination": "no",
       "mri_nvc_rez": "yes"}  # fmt: skip


def main() -> None:
    kb = load_knowledge_base()
    answers = load_case_file(example_path()).findings
    state = wu.start(kb)
    steps = [("prior", posterior(kb, {}, state.setting))]
    while (q := wu.next_question(kb, state)) is not None:
        value = answers.get(q.finding_id, "no" if q.options == ("yes", "no") else "unknown")
        state = wu.answer(kb, state, q.finding_id, value)
        label = f"{q.finding_id} = {state.answers.get(q.finding_id, 'unknown')}"
        steps.append((label, posterior(kb, wu.case_of(kb, state).values, state.setting)))
    state = wu.answer_many(kb, state, MRI)
    steps.append(
        (
            "MRI: no lesion, vessel contact",
            posterior(kb, wu.case_of(kb, state).values, state.setting),
        )
    )
    shown = ["primary_nvc", "post_paralytic_hfs", "nerve_injury", "vascular_anomaly",
             "structural_lesion", "blepharospasm", "facial_tic"]  # fmt: skip
    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=110)
    x = range(len(steps))
    for cid in shown:
        ax.plot(x, [p[cid] for _, p in steps], marker="o", ms=3, label=kb.conditions[cid].name)
    ax.set_xticks(list(x), [s for s, _ in steps], rotation=55, ha="right", fontsize=8)
    ax.set_ylabel("probability")
    ax.set_ylim(0, 1)
    ax.set_title("Demo patient: the ranking after each answer of the interactive work-up")
    ax.legend(fontsize=7, loc="center right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
