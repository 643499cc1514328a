"""Plain-text rendering of an assessment for the terminal (the CLI's default output)."""

from __future__ import annotations

from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.assess import LIMITS, Assessment
from hemifacial.domain.reasoning.explain import percent
from hemifacial.domain.reasoning.next_test import completion_words

BAR_WIDTH = 24
SHOWN_CONDITIONS = 8
NAME_WIDTH = 44
SHOWN_CONTRIBUTIONS = 8


def bar(probability: float, width: int = BAR_WIDTH) -> str:
    filled = round(probability * width)
    if probability > 0.005 and filled == 0:
        filled = 1
    return "█" * filled + "·" * (width - filled)


def render_assessment(kb: KnowledgeBase, a: Assessment, title: str | None = None) -> str:
    lines = [
        "hemifacial — decision support, not a diagnosis",
        f"evidence base {a.kb_version} ({a.kb_hash}) · setting: {kb.settings[a.setting].label}",
    ]
    if title:
        lines.append(f"case: {title}")
    lines += [f"status: {a.status}", ""]
    lines += _red_flags(a)
    lines += _ranking(kb, a)
    lines += render_robustness(a)
    lines += _explanations(kb, a)
    lines += _tests(kb, a)
    lines += _treatment(kb, a)
    lines += ["LIMITS", *(f"  - {limit}" for limit in LIMITS)]
    return "\n".join(lines)


def _red_flags(a: Assessment) -> list[str]:
    if not a.red_flags:
        return ["RED FLAGS: none raised by the findings given", ""]
    out = ["RED FLAGS (act on these whatever the ranking says)"]
    for f in a.red_flags:
        trigger = ", ".join(f"{k} = {v}" for k, v in f.triggered_by)
        out += [
            f"  !! {f.level.upper()}: {f.message}",
            f"     action: {f.action}",
            f"     because: {trigger} [{', '.join(f.sources)}]",
        ]
    return [*out, ""]


def _ranking(kb: KnowledgeBase, a: Assessment) -> list[str]:
    out = ["CAUSES AND MIMICS (probability now, prior for the setting and its tier)"]
    priors = kb.settings[a.setting].provenance
    for r in a.ranking[:SHOWN_CONDITIONS]:
        name = r.name if len(r.name) <= NAME_WIDTH else r.name[: NAME_WIDTH - 1] + "…"
        tier = priors[r.condition_id].tier.value
        out.append(
            f"  {name:<{NAME_WIDTH}} {bar(r.probability)} {percent(r.probability):>6}"
            f"  (prior {percent(r.prior)} {tier}, {r.kind})"
        )
    rest = sum(r.probability for r in a.ranking[SHOWN_CONDITIONS:])
    out.append(f"  … {len(a.ranking) - SHOWN_CONDITIONS} more conditions together {percent(rest)}")
    return [*out, ""]


def render_robustness(a: Assessment) -> list[str]:
    """How far the leading and the must-not-miss probabilities move with uncertain numbers."""
    r = a.robustness
    if r is None:
        return []
    out = [f"ROBUSTNESS: {r.wording}"]
    out += [f"  {c.wording}" for c in r.conditions[1:]]
    out.append(f"  ({r.parameters} numbers moved, {r.method})")
    return [*out, ""]


def _explanations(kb: KnowledgeBase, a: Assessment) -> list[str]:
    out = [
        "WHY (each finding's likelihood ratio for the condition against the others; "
        "[tier: source] — measured: the figure is in the source; derived: arithmetic from "
        "figures in the source; estimate: judgement, reasoning in `hemifacial kb show`)"
    ]
    for cid, contributions in a.explanations.items():
        name = kb.conditions[cid].name
        out.append(f"  {name}:")
        if not contributions:
            out.append("    no findings yet — the prior alone")
        for c in contributions[:SHOWN_CONTRIBUTIONS]:
            sign = "+" if c.log10_lr > 0.1 else "-" if c.log10_lr < -0.1 else "="
            cite = f"{c.tier}: " + (", ".join(c.sources) if c.sources else "expert judgement")
            implied = " (implied)" if c.implied else ""
            out.append(f"    {sign} {c.sentence()}{implied} [{cite}]")
        hidden = len(contributions) - SHOWN_CONTRIBUTIONS
        if hidden > 0:
            out.append(f"    … {hidden} weaker findings (see --json)")
    return [*out, ""]


def _tests(kb: KnowledgeBase, a: Assessment) -> list[str]:
    plan = a.tests
    out = ["NEXT TESTS"]
    if plan.stop:
        out.append(f"  none needed — {plan.stop_reason}")
    for t in plan.to_complete:  # done in part: read its report before ordering anything
        urgent = " [urgent]" if t.urgent else ""
        out += [f"  * {t.name}{urgent}", f"     {completion_words(kb, t)}", f"     why: {t.reason}"]
    if not plan.stop and not plan.ranked:
        out.append(f"  no test left that would change the picture ({plan.stop_reason})")
    for i, t in enumerate(plan.ranked[:5], 1):
        instead = f" (instead of {kb.tests[t.replaces].name})" if t.replaces else ""
        out += [
            f"  {i}. {t.name}{instead}",
            f"     value {t.score:.3f}/cost unit · {t.information_bits:.2f} bits about the cause,"
            f" {t.danger_information_bits:.3f} bits about dangerous causes · cost {t.cost},"
            f" burden {t.burden}, ~{t.turnaround_days} days",
            f"     why: {t.reason}",
        ]
    for test_id, reason in plan.contraindicated:
        out.append(f"  not possible: {kb.tests[test_id].name} ({reason})")
    return [*out, ""]


def _treatment(kb: KnowledgeBase, a: Assessment) -> list[str]:
    condition = kb.conditions[a.treatment_for]
    out = [f"TREATMENT PATHWAY if this is {condition.name}", f"  {condition.treatment.summary}"]
    for option in condition.treatment.options:
        out.append(f"  - {option.text} [{', '.join(option.sources)}]")
    return [*out, ""]
