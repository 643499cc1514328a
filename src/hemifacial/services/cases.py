"""Use cases on a case: merge findings from their sources, assess (storing every assessment
with the evidence-base version and hash), record exam and test results, status, notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.domain.case import parse_case, parse_value
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.assess import assess
from hemifacial.errors import FormError as FormError  # re-export
from hemifacial.errors import InputError, InvalidValueError, UnknownKeyError

STATUSES = dict(
    zip(
        t.CASE_STATUSES,
        ("New", "Awaiting history", "Awaiting imaging/tests", "Under treatment", "Closed"),
        strict=True,
    )
)
# Higher number wins when two sources give the same finding.
SOURCE_RANK = {"patient": 0, "video": 1, "clinician": 2, "test": 3}
RED_FLAG_LEVEL = {"soon": 1, "urgent": 2}


@dataclass(frozen=True)
class Effective:
    """The findings the engine uses, which source each came from, and what was set aside."""

    values: dict[str, str]
    sources: dict[str, str]
    conflicts: list[str]


def effective_findings(kb: KnowledgeBase, rows: Sequence[t.Finding]) -> Effective:
    """Merge rows: tests over clinician over video over patient; the latest within a source.

    A lower-ranked finding that would contradict the ones already accepted is set aside and
    reported, so a patient's answer can never block a clinician's result.
    """
    ordered = sorted(rows, key=lambda r: (SOURCE_RANK.get(r.source, 0), r.id), reverse=True)
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    conflicts: list[str] = []
    for row in ordered:
        if row.finding_id in values or row.finding_id not in kb.findings:
            continue
        if row.value == "unknown":
            values[row.finding_id] = "unknown"
            sources[row.finding_id] = row.source
            continue
        trial = {k: v for k, v in values.items() if v != "unknown"}
        trial[row.finding_id] = row.value
        try:
            parse_case(kb, trial)
        except InputError as exc:
            conflicts.append(
                f"{row.source} answer '{row.finding_id}: {row.value}' set aside: {exc}"
            )
            continue
        values[row.finding_id] = row.value
        sources[row.finding_id] = row.source
    known = {k: v for k, v in values.items() if v != "unknown"}
    return Effective(known, {k: sources[k] for k in known}, conflicts)


def assessment_dict(
    kb: KnowledgeBase,
    values: Mapping[str, str],
    setting: str,
    sources: Mapping[str, str] | None = None,
    conflicts: Sequence[str] = (),
) -> dict[str, Any]:
    """The engine's assessment as stored JSON (explanations with their sentences)."""
    result = assess(kb, parse_case(kb, values, setting))
    data = result.to_dict()
    data["explanations"] = {
        cid: [
            {**c, "sentence": contrib.sentence()}
            for c, contrib in zip(items, result.explanations[cid], strict=True)
        ]
        for cid, items in data["explanations"].items()
    }
    data["sources"] = dict(sources or {})
    data["conflicts"] = list(conflicts)
    data["conditions"] = {
        c.condition_id: kb.conditions[c.condition_id].plain for c in result.ranking
    }
    return data


def reassess(s: Session, kb: KnowledgeBase, case: t.Case, trigger: str) -> t.Assessment:
    """Assess ``case`` from its current findings and store the result with the KB version."""
    eff = effective_findings(kb, repo.findings_of(s, case.id))
    data = assessment_dict(kb, eff.values, case.setting, eff.sources, eff.conflicts)
    row = t.Assessment(
        case_id=case.id,
        kb_version=kb.version,
        kb_hash=kb.content_hash,
        trigger=trigger,
        result=data,
    )
    s.add(row)
    levels = [RED_FLAG_LEVEL.get(f["level"], 1) for f in data["red_flags"]]
    case.red_flag_level = max(levels, default=0)
    case.top_condition = data["ranking"][0]["condition_id"]
    case.top_probability = float(data["ranking"][0]["probability"])
    case.updated_at = t.utcnow()
    s.flush()
    return row


def validate_findings(kb: KnowledgeBase, raw: Mapping[str, Any]) -> dict[str, str]:
    """Values normalised to stored text ('unknown' kept); FormError lists every bad field."""
    out: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, value in raw.items():
        if key not in kb.findings:
            errors[key] = str(UnknownKeyError("finding", key, kb.findings))
            continue
        try:
            parsed = parse_value(kb, key, value)
        except InputError as exc:
            errors[key] = str(exc)
            continue
        out[key] = (
            "unknown"
            if parsed is None
            else (f"{parsed:g}" if isinstance(parsed, float) else parsed)
        )
    if errors:
        raise FormError(errors)
    return out


def record_findings(
    s: Session,
    kb: KnowledgeBase,
    case_id: int,
    raw: Mapping[str, Any],
    *,
    source: str,
    actor: str,
    video_id: int | None = None,
) -> t.Assessment:
    """Store findings from one source and re-rank, all or nothing."""
    if source not in SOURCE_RANK:
        raise InvalidValueError(f"source must be one of {', '.join(SOURCE_RANK)}, got {source!r}")
    values = {k: v for k, v in validate_findings(kb, raw).items()}
    if not values:
        raise InvalidValueError("no findings given: choose at least one value")
    case = repo.get_case(s, case_id)
    merged = {
        **effective_findings(kb, repo.findings_of(s, case_id)).values,
        **{k: v for k, v in values.items() if v != "unknown"},
    }
    try:
        parse_case(kb, merged, case.setting)
    except InputError as exc:
        key = next(iter(values))
        raise FormError({key: f"contradicts the case's other findings: {exc}"}) from None
    for key, value in values.items():
        s.add(
            t.Finding(
                case_id=case_id,
                finding_id=key,
                value=value,
                source=source,
                recorded_by=actor,
                video_id=video_id,
            )
        )
    repo.audit(s, actor, "findings.record", case_id, source=source, findings=values)
    s.flush()
    return reassess(s, kb, case, f"{source} findings: {', '.join(sorted(values))}")


def set_status(s: Session, case_id: int, status: str, actor: str) -> t.Case:
    if status not in STATUSES:
        raise InvalidValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
    case = repo.get_case(s, case_id)
    if case.status == "draft":
        raise InvalidValueError("this request has not been submitted yet")
    old, case.status, case.updated_at = case.status, status, t.utcnow()
    repo.audit(s, actor, "case.status", case_id, old=old, new=status)
    return case


def add_note(s: Session, case_id: int, text: str, actor: str) -> t.Note:
    text = text.strip()
    if not text:
        raise FormError({"text": "the note is empty"})
    if len(text) > 10_000:
        raise FormError({"text": "the note is longer than 10,000 characters"})
    repo.get_case(s, case_id)
    note = t.Note(case_id=case_id, author=actor, text=text)
    s.add(note)
    repo.audit(s, actor, "note.add", case_id)
    s.flush()
    return note


def add_visit(
    s: Session, case_id: int, visited_on: str, label: str, treatment: str, actor: str
) -> t.Visit:
    try:
        day = dt.date.fromisoformat(visited_on.strip())
    except ValueError:
        raise FormError(
            {"visited_on": f"a date like 2026-03-01 is needed, got {visited_on!r}"}
        ) from None
    repo.get_case(s, case_id)
    visit = t.Visit(
        case_id=case_id,
        visited_on=day,
        label=label.strip()[:200],
        treatment=treatment.strip()[:200],
    )
    s.add(visit)
    repo.audit(s, actor, "visit.add", case_id, visited_on=day.isoformat())
    s.flush()
    return visit
