"""CLI commands of the cause engine: ``assess``, ``workup`` and ``kb``."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import click

from hemifacial.cli.casefile import CaseFile, example_path, load_case_file
from hemifacial.cli.render_text import render_assessment
from hemifacial.domain.case import case_problems, parse_case
from hemifacial.domain.knowledge import provenance
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.domain.knowledge.model import FindingType, KnowledgeBase, Provenance, Tier
from hemifacial.domain.knowledge.population import for_population
from hemifacial.domain.reasoning import workup as wu
from hemifacial.domain.reasoning.assess import assess as run_assessment
from hemifacial.domain.types import Case
from hemifacial.errors import CaseFileError, InputError, KnowledgeBaseError, UnknownKeyError
from hemifacial.reference import find_reference, not_found_message


@click.command("assess")
@click.argument("case_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--demo", is_flag=True, help="Assess the packaged demo case.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")
@click.option("--setting", help="Override the case's setting (referral_clinic, primary_care).")
@click.option(
    "--asian-share",
    type=float,
    envvar="HEMIFACIAL_CLINIC_ASIAN_SHARE",
    help="The clinic population's Asian share (0–1) instead of Houston's 5.48%: moves the "
    "ancestry likelihoods, keeping the published odds ratio (default: the clinic's "
    "HEMIFACIAL_CLINIC_ASIAN_SHARE, as the web app uses).",
)
@click.option(
    "--from-letter",
    "letter",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Suggest findings from a referral letter or clinic note (plain text).",
)
@click.option(
    "--accept",
    default="",
    help="With --from-letter: findings to count, comma-separated ids, or 'all' proposed ones.",
)
@click.option(
    "--value",
    "values",
    multiple=True,
    help="With --from-letter: FINDING=VALUE, to decide a conflicting or possible finding.",
)
def assess(
    case_file: Path | None,
    demo: bool,
    as_json: bool,
    setting: str | None,
    asian_share: float | None,
    letter: Path | None,
    accept: str,
    values: tuple[str, ...],
) -> None:
    """Rank causes and mimics for CASE_FILE (YAML or JSON); see `hemifacial kb schema`.

    With --from-letter, the letter's suggested findings are printed with their sentences;
    only those confirmed with --accept count in the assessment.
    """
    if letter is not None:
        if case_file is not None or demo:
            raise CaseFileError("give either a case file or --from-letter, not both")
        from hemifacial.cli.letters import assess_letter

        assess_letter(letter, accept, values, setting, as_json)
        return
    if case_file is None and not demo:
        raise CaseFileError(
            "give a case file (YAML or JSON), or --demo; see `hemifacial kb schema`"
        )
    kb = load_knowledge_base()
    if asian_share is not None:
        kb = for_population(kb, asian_share)
    document = load_case_file(case_file or example_path())
    case = _parse_all_or_say_all(kb, document, setting, case_file or example_path())
    result = run_assessment(kb, case)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(render_assessment(kb, result, document.title))


def _parse_all_or_say_all(
    kb: KnowledgeBase, document: CaseFile, setting: str | None, path: Path
) -> Case:
    """The case, or one error naming every problem of the file (not only the first)."""
    try:
        return parse_case(kb, document.findings, setting or document.setting)
    except InputError:
        problems = case_problems(kb, document.findings, setting or document.setting)
        if len(problems) < 2:
            raise
        listed = "\n".join(f"  - {p}" for p in problems)
        raise CaseFileError(f"{path}: {len(problems)} problems\n{listed}") from None


@click.command("workup")
@click.option("--setting", default=None, help="referral_clinic (default) or primary_care.")
def workup(setting: str | None) -> None:
    """Ask the most informative questions one by one, then show the assessment.

    Answer with one of the listed values, a number, or press Enter / 'unknown' to skip;
    'done' stops early.
    """
    kb = load_knowledge_base()
    state = wu.start(kb, setting)
    click.echo("Interactive work-up. Enter skips a question; 'done' finishes.\n")
    while (question := wu.next_question(kb, state)) is not None:
        prompt = _prompt_text(question)
        reply = click.prompt(prompt, default="", show_default=False).strip()
        if reply.lower() == "done":
            break
        try:
            state = wu.answer(kb, state, question.finding_id, reply)
        except InputError as exc:
            click.echo(f"  ! {exc}", err=True)
    click.echo(render_assessment(kb, run_assessment(kb, wu.case_of(kb, state))))


def _prompt_text(q: wu.Question) -> str:
    if q.type is FindingType.NUMERIC:
        low, high = q.value_range or (0, 0)
        choices = f"number in {q.unit}, {low:g}–{high:g}"
    else:
        choices = "/".join(q.options)
    return f"{q.text} [{choices}]"


@click.group("kb")
def kb() -> None:
    """Show, check or describe the evidence base."""


@kb.command("check")
@click.option(
    "--reference",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="clinical-evidence.md to check every quoted figure against (default: "
    "$HEMIFACIAL_REFERENCE, else the first shared/reference/clinical-evidence.md in a parent "
    "directory of the package or of the current directory).",
)
def kb_check(reference: Path | None) -> None:
    """Validate the evidence base; count its numbers per tier, overall and per condition."""
    base = load_knowledge_base()
    path = reference or find_reference()
    if path is not None:
        missing = provenance.missing_quotes(base, path.read_text("utf-8"))
        if missing:
            raise KnowledgeBaseError(
                "quoted support not found in the reference:\n"
                + "\n".join(f"- {m}" for m in missing)
            )
    counts = provenance.tier_counts(base)
    click.echo(
        f"evidence base {base.version} ({base.content_hash}): valid — "
        f"{len(base.conditions)} conditions, {len(base.findings)} findings, "
        f"{len(base.tests)} tests, "
        f"{len(base.red_flags)} red flags, {len(base.references)} references"
    )
    click.echo(
        f"quotes checked against {path}" if path else f"quotes NOT checked: {not_found_message()}"
    )
    click.echo(f"numbers (priors and likelihoods): {_tiers(counts['all'])}")
    click.echo("per condition (its priors and its own likelihoods; 'default' is shared):")
    for cid in [*base.conditions, "default"]:
        click.echo(f"  {cid:<26} {_tiers(counts.get(cid, Counter()))}")


def _tiers(counts: Counter[str]) -> str:
    total = sum(counts.values())
    parts = ", ".join(f"{counts[t.value]} {t.value}" for t in Tier)
    return f"{total} — {parts}"


@kb.command("show")
@click.argument("item", required=False)
def kb_show(item: str | None) -> None:
    """List conditions and findings, or show one condition or finding with its citations."""
    base = load_knowledge_base()
    if item is None:
        click.echo(_overview(base))
    elif item in base.conditions:
        click.echo(_show_condition(base, item))
    elif item in base.findings:
        click.echo(_show_finding(base, item))
    else:
        raise UnknownKeyError("condition or finding", item, [*base.conditions, *base.findings])


@kb.command("docs")
def kb_docs() -> None:
    """Print docs/evidence.md: every number with its source, as Markdown."""
    from hemifacial.domain.knowledge.markdown import evidence_markdown

    click.echo(evidence_markdown(load_knowledge_base()), nl=False)


@kb.command("schema")
@click.option("--json", "as_json", is_flag=True, help="JSON Schema instead of the text table.")
def kb_schema(as_json: bool) -> None:
    """Print every finding key and its allowed values: how to write a case file."""
    base = load_knowledge_base()
    if as_json:
        click.echo(json.dumps(case_json_schema(base), indent=2))
        return
    click.echo("Case file (YAML or JSON):\n  setting: referral_clinic | primary_care\n  findings:")
    group = None
    for fid, f in base.findings.items():
        if f.group != group:
            group = f.group
            click.echo(f"    # {group}")
        click.echo(f"    {fid}: {_allowed(f)}    # {f.label}")
    click.echo("Leave out what is not known (or write 'unknown').")


def _allowed(f: Any) -> str:
    if f.type is FindingType.NUMERIC:
        low, high = f.value_range
        return f"<number {low:g}–{high:g} {f.unit}>"
    return " | ".join(f.accepted_values)


def case_json_schema(base: KnowledgeBase) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) for case files, generated from the evidence base."""
    props: dict[str, Any] = {}
    for fid, f in base.findings.items():
        if f.type is FindingType.NUMERIC and f.value_range:
            low, high = f.value_range
            spec: dict[str, Any] = {"type": "number", "minimum": low, "maximum": high}
        else:
            spec = {"enum": [*f.accepted_values, "unknown"]}
        props[fid] = {**spec, "title": f.label, "description": f.question}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "hemifacial case file",
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "setting": {"enum": list(base.settings)},
            "findings": {"type": "object", "properties": props, "additionalProperties": False},
        },
        "required": ["findings"],
    }


def _overview(base: KnowledgeBase) -> str:
    out = [f"evidence base {base.version} ({base.content_hash})", "", "CONDITIONS"]
    for c in base.conditions.values():
        flag = " [must not miss]" if c.must_not_miss else ""
        out.append(f"  {c.id:<26} {c.kind.value:<6} {c.name}{flag}")
    out += ["", "FINDINGS"]
    for f in base.findings.values():
        out.append(f"  {f.id:<28} {f.group:<12} {f.label}")
    out += ["", "Show one: hemifacial kb show <id>"]
    return "\n".join(out)


def _show_condition(base: KnowledgeBase, cid: str) -> str:
    c = base.conditions[cid]
    codes = ", ".join(f"{k.upper()} {v}" for k, v in c.codes.items() if v) or "none recorded"
    out = [
        f"{c.name} ({c.kind.value}){' — must not miss' if c.must_not_miss else ''}",
        f"  in plain words: {c.plain}",
        f"  clinically: {c.clinical}",
        f"  codes: {codes}",
        "  priors: "
        + ", ".join(
            f"{s.id} {s.priors[cid]:.1%} ({s.provenance[cid].tier.value})"
            for s in base.settings.values()
        ),
        f"  treatment: {c.treatment.summary}",
    ]
    out += [f"    - {o.text} [{', '.join(o.sources)}]" for o in c.treatment.options]
    out.append("  sources:")
    out += [f"    {s}: {base.references[s].cite}" for s in c.sources]
    return "\n".join(out)


def _show_finding(base: KnowledgeBase, fid: str) -> str:
    f = base.findings[fid]
    out = [f"{f.label} ({fid}, {f.type.value}): {f.question}", f"  values: {_allowed(f)}"]
    if not f.informative:
        out.append("  not evidence about the cause; it steers the choice of tests")
    shown_default = False
    for cid, lk in f.likelihoods.items():
        dist = ", ".join(f"{v} {p:.1%}" for v, p in lk.probabilities.items())
        origin = ", ".join(lk.provenance.sources) or "no source"
        default = " (default)" if lk.is_default else ""
        out.append(f"  {cid:<26} {dist}  [{lk.provenance.tier.value}: {origin}]{default}")
        if not (lk.is_default and shown_default):
            out += _provenance_lines(lk.provenance)
        shown_default = shown_default or lk.is_default
    return "\n".join(out)


def _provenance_lines(p: Provenance) -> list[str]:
    """The quoted figures, the arithmetic and the reasoning behind one number, indented."""
    out = [f"      source: “{q}”" for q in p.support]
    if p.arithmetic:
        out.append(f"      arithmetic: {p.arithmetic}")
    if p.estimate:
        out.append(f"      estimate: {' '.join(p.estimate.split())}")
    if p.note:
        out.append(f"      note: {' '.join(p.note.split())}")
    return out
