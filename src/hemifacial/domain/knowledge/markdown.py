"""docs/evidence.md, generated from the evidence base (a test keeps the file in step)."""

from __future__ import annotations

from hemifacial.domain.knowledge.dependence import network_markdown
from hemifacial.domain.knowledge.model import FindingType, KnowledgeBase, Provenance, Tier
from hemifacial.domain.knowledge.provenance import tier_counts


def _origin(kb: KnowledgeBase, p: Provenance) -> str:
    parts = [f"**{p.tier.value}**"]
    if p.sources:
        parts.append(", ".join(f"[{s}](#{s})" for s in p.sources))
    if p.support:
        parts.append("“" + "”; “".join(p.support) + "”")
    if p.arithmetic:
        parts.append(f"*arithmetic:* {p.arithmetic}")
    if p.note:
        parts.append(p.note)
    if p.estimate:
        parts.append(f"*expert estimate:* {p.estimate}")
    return " — ".join(parts).replace("|", "/").replace("\n", " ")


def _tier_table(kb: KnowledgeBase) -> list[str]:
    counts = tier_counts(kb)
    out = [
        "| numbers of | " + " | ".join(t.value for t in Tier) + " | all |",
        "|---|---|---|---|---|",
    ]
    for key in ["all", *kb.conditions, "default"]:
        c = counts.get(key)
        if c:
            cells = " | ".join(str(c[t.value]) for t in Tier)
            out.append(
                f"| {'**all**' if key == 'all' else f'`{key}`'} | {cells} | {sum(c.values())} |"
            )
    return out


def _fmt(probabilities: dict[str, float]) -> str:
    if set(probabilities) == {"yes", "no"}:
        return f"{probabilities['yes']:.3g}"
    return ", ".join(f"{v}: {p:.3g}" for v, p in probabilities.items())


def evidence_markdown(kb: KnowledgeBase) -> str:
    """Every condition, prior, likelihood, test, red flag and reference, with its source."""
    out = [
        "# The evidence base, number by number",
        "",
        f"Generated from `src/hemifacial/domain/knowledge/data/` — version **{kb.version}**, "
        f"content hash `{kb.content_hash}`. Regenerate with "
        "`hemifacial kb docs > docs/evidence.md` (a test fails when this file is stale).",
        "",
        "Every number is one of three tiers, derived from its provenance (see "
        "`docs/reasoning.md`): **measured** — the figure is quoted from "
        "`shared/reference/clinical-evidence.md` and the number is that figure; **derived** — "
        "arithmetic from quoted figures, shown with the number; **estimate** — judgement, "
        "with its reasoning (quoted figures, if any, are background). Quotes are checked "
        "against the reference by `hemifacial kb check`. Boolean findings show "
        "P(yes | condition); a `default` row applies to every condition not listed.",
        "",
        *_tier_table(kb),
        "",
        "## Conditions",
        "",
        "| id | kind | name | must not miss | ICD-10 | treatment pathway |",
        "|---|---|---|---|---|---|",
    ]
    for c in kb.conditions.values():
        out.append(
            f"| `{c.id}` | {c.kind.value} | {c.name} | {'yes' if c.must_not_miss else ''} | "
            f"{c.codes.get('icd10') or ''} | {c.treatment.summary} |"
        )
    out += ["", "## Priors", ""]
    for s in kb.settings.values():
        out += [f"### {s.label} (`{s.id}`)", "", "| condition | prior | source |", "|---|---|---|"]
        for cid, p in s.priors.items():
            out.append(f"| `{cid}` | {p:.3g} | {_origin(kb, s.provenance[cid])} |")
        out.append("")
    out += ["## Findings and likelihoods", ""]
    for f in kb.findings.values():
        kind = f.type.value + (f" ({f.unit})" if f.unit else "")
        out += [f"### `{f.id}` — {f.label}", "", f"*{f.group}, {kind}.* {f.question}", ""]
        if f.type is FindingType.NUMERIC:
            bounds = ", ".join(
                f"{b.value} (< {b.below:g})" if b.below is not None else f"{b.value} (rest)"
                for b in f.bins
            )
            out += [f"Bins: {bounds}.", ""]
        if not f.informative:
            out += ["Not evidence about the cause: it steers the choice of tests.", ""]
            continue
        out += ["| condition | P(value) | source |", "|---|---|---|"]
        for cid, lk in f.likelihoods.items():
            label = f"`{cid}`" + (" *(default)*" if lk.is_default else "")
            out.append(
                f"| {label} | {_fmt(dict(lk.probabilities))} | {_origin(kb, lk.provenance)} |"
            )
        out.append("")
    out += network_markdown(kb.network, kb.condition_ids)  # declared dependence
    out += ["## Diagnostic tests", "", "| test | reveals | cost | burden | days | why |",
            "|---|---|---|---|---|---|"]  # fmt: skip
    for t in kb.tests.values():
        out.append(
            f"| {t.name} | {', '.join(f'`{r}`' for r in t.reveals)} | {t.cost} | {t.burden} | "
            f"{t.turnaround_days} | {t.purpose} |"
        )
    out += ["", "## Red flags", "", "| flag | level | message | action | sources |",
            "|---|---|---|---|---|"]  # fmt: skip
    for r in kb.red_flags.values():
        out.append(
            f"| `{r.id}` | {r.level} | {r.message} | {r.action} | "
            f"{', '.join(f'[{s}](#{s})' for s in r.sources)} |"
        )
    out += ["", "## Decision policy", "", kb.policy.reasoning, "", "## References", ""]
    for ref in kb.references.values():
        out.append(f'- <a id="{ref.id}"></a>**{ref.id}** — {ref.cite} (`{ref.locator}`)')
    return "\n".join(out) + "\n"
