"""``hemifacial assess --from-letter``: suggestions first, then only confirmed findings count."""

from __future__ import annotations

import json
from pathlib import Path

import click

from hemifacial.cli.render_text import render_assessment
from hemifacial.domain.case import parse_case
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.domain.reasoning.assess import assess as run_assessment
from hemifacial.errors import CaseFileError, InvalidValueError
from hemifacial.services.letters import LetterReading, confirmed_findings, read_letter


def assess_letter(
    path: Path, accept: str, values: tuple[str, ...], setting: str | None, as_json: bool
) -> None:
    """Print the letter's suggestions, then the assessment of the accepted findings."""
    kb = load_knowledge_base()
    reading = read_letter(kb, _read_text(path))
    chosen = dict(_pair(v) for v in values)
    ids = [a.strip() for a in accept.split(",") if a.strip()]
    confirmed = confirmed_findings(reading, ids, chosen) if ids else {}
    result = run_assessment(kb, parse_case(kb, confirmed, setting)) if confirmed else None
    if as_json:
        click.echo(json.dumps(_as_dict(reading, confirmed, result), indent=2))
        return
    click.echo(render_reading(reading))
    if result is None:
        click.echo(
            "\nNothing counts yet. Check each suggestion against its sentence, then re-run with"
            " --accept all (every proposed finding) or --accept id,id, and --value id=value"
            " for a conflicting or possible one."
        )
        return
    click.echo(f"\nConfirmed: {', '.join(f'{k}={v}' for k, v in confirmed.items())}\n")
    click.echo(render_assessment(kb, result, f"From letter {path.name}"))


def render_reading(reading: LetterReading) -> str:
    """The suggestions as text: finding, value, certainty, and the sentence it came from."""
    if not reading.suggestions:
        return "No findings recognised in the letter."
    lines = ["Suggested findings (not yet counted):"]
    for s in reading.suggestions:
        flag = " (possible)" if s.certainty == "possible" else ""
        lines.append(f"  {s.finding} = {s.value}{flag}   [{s.phrase}]  “{s.sentence}”")
    for fid, options in reading.conflicts.items():
        lines.append(f"  ! {fid}: the letter says {' and '.join(options)} — choose with --value")
    for fid, value in reading.possible.items():
        why = "age in the letter, not at onset" if fid == "age_at_onset" else "only as possible"
        lines.append(f"  ? {fid} = {value} ({why}) — accept it by name or set it with --value")
    return "\n".join(lines)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CaseFileError(f"no such letter file: {path}") from exc
    except UnicodeDecodeError as exc:
        raise CaseFileError(f"{path} is not UTF-8 text (save the letter as plain text)") from exc


def _pair(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise InvalidValueError(f"--value needs FINDING=VALUE, got {item!r}")
    return key.strip(), value.strip()


def _as_dict(
    reading: LetterReading, confirmed: dict[str, str], result: object
) -> dict[str, object]:
    return {
        **reading.to_dict(),
        "confirmed": confirmed,
        "assessment": result.to_dict() if result is not None else None,  # type: ignore[attr-defined]
    }
