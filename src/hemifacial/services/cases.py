"""Use cases on a case: merge findings from their sources, assess (storing every assessment
with the evidence-base version and hash), record exam and test results, status, notes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.domain.case import parse_case, split_certainty, stored_value
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.assess import Assessment, assess
from hemifacial.domain.status import STATUS_LABELS, CaseStatus
from hemifacial.errors import FormError, InputError, InvalidValueError, UnknownKeyError

from .dates import parse_day
from .stored import case_header, note_view, stored_assessment, visit_view
from .views import CaseHeader, NoteView, StoredAssessment, VisitView

STATUSES = STATUS_LABELS  # status id → label, for forms and filters
# Higher number wins when two sources give the same finding.
SOURCE_RANK = {"patient": 0, "video": 1, "clinician": 2, "test": 3}
RED_FLAG_LEVEL = {"soon": 1, "urgent": 2}


@dataclass(frozen=True)
class Effective:
    """The findings the engine uses, which source each came from, and what was set aside."""

    values: dict[str, str]
    sources: dict[str, str]
    conflicts: list[str]
    certainty: dict[str, float] = field(default_factory=dict)  # findings reported uncertain

    def case_input(self) -> dict[str, Any]:
        """The findings as :func:`parse_case` takes them (uncertain ones with certainty)."""
        return with_certainty(self.values, self.certainty)


def with_certainty(values: Mapping[str, str], certainty: Mapping[str, float]) -> dict[str, Any]:
    return {
        k: {"value": v, "certainty": certainty[k]} if k in certainty else v
        for k, v in values.items()
    }


def effective_findings(kb: KnowledgeBase, rows: Sequence[t.Finding]) -> Effective:
    """Merge rows: tests over clinician over video over patient; the latest within a source;
    certain answers before uncertain readings.

    A lower-ranked finding that would contradict the ones already accepted is set aside and
    reported, so a patient's answer can never block a clinician's result; an uncertain
    reading that differs from a certain answer is reported too.
    """
    # certain answers first: a reading reported as uncertain (a video's, a "suspected"
    # result) never replaces a certain answer from another source, it only fills a gap
    ordered = sorted(
        rows,
        key=lambda r: (r.certainty is None, SOURCE_RANK.get(r.source, 0), r.id),
        reverse=True,
    )
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    certainty: dict[str, float] = {}
    conflicts: list[str] = []
    for row in ordered:
        if row.finding_id not in kb.findings:
            continue
        if row.finding_id in values:
            if row.certainty and row.value not in ("unknown", values[row.finding_id]):
                conflicts.append(
                    f"{row.source} reading '{row.finding_id}: {row.value}' (certainty "
                    f"{row.certainty:.0%}) differs from the {sources[row.finding_id]} answer "
                    f"'{values[row.finding_id]}', which is used"
                )
            continue
        if row.value != "unknown":
            trial = with_certainty({k: v for k, v in values.items() if v != "unknown"}, certainty)
            trial[row.finding_id] = (
                {"value": row.value, "certainty": row.certainty} if row.certainty else row.value
            )
            try:
                parse_case(kb, trial)
            except InputError as exc:
                conflicts.append(
                    f"{row.source} answer '{row.finding_id}: {row.value}' set aside: {exc}"
                )
                continue
            if row.certainty:
                certainty[row.finding_id] = row.certainty
        values[row.finding_id] = row.value
        sources[row.finding_id] = row.source
    known = {k: v for k, v in values.items() if v != "unknown"}
    return Effective(known, {k: sources[k] for k in known}, conflicts, certainty)


def assessment_dict(
    kb: KnowledgeBase,
    values: Mapping[str, str],
    setting: str,
    sources: Mapping[str, str] | None = None,
    conflicts: Sequence[str] = (),
    certainty: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """The engine's assessment as stored JSON (explanations with their sentences)."""
    result = assess(kb, parse_case(kb, with_certainty(values, certainty or {}), setting))
    names = {c.condition_id: kb.conditions[c.condition_id].plain for c in result.ranking}
    return assessment_json(result, sources or {}, conflicts, names)


def assessment_json(
    result: Assessment,
    sources: Mapping[str, str],
    conflicts: Sequence[str],
    plain_names: Mapping[str, str],
) -> dict[str, Any]:
    """The one JSON form of an assessment, stored and shown by the API: the engine's own
    ``to_dict()`` with each explanation's sentence, where each finding came from, what was
    set aside and the plain names of the conditions."""
    data = result.to_dict()
    data["explanations"] = {
        cid: [
            {**c, "sentence": contrib.sentence()}
            for c, contrib in zip(items, result.explanations[cid], strict=True)
        ]
        for cid, items in data["explanations"].items()
    }
    data["sources"] = dict(sources)
    data["conflicts"] = list(conflicts)
    data["conditions"] = dict(plain_names)
    return data


def reassess(s: Session, kb: KnowledgeBase, case: t.Case, trigger: str) -> t.Assessment:
    """Assess ``case`` from its current findings and store the result with the KB version."""
    eff = effective_findings(kb, repo.findings_of(s, case.id))
    data = assessment_dict(kb, eff.values, case.setting, eff.sources, eff.conflicts, eff.certainty)
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
    # the worklist's columns: what the assessment used (no findings: the ranking is the prior)
    case.sex, case.side = eff.values.get("sex"), eff.values.get("side")
    case.findings_count = len(eff.values)
    case.updated_at = t.utcnow()
    s.flush()
    return row


def validate_findings(kb: KnowledgeBase, raw: Mapping[str, Any]) -> dict[str, tuple[str, float]]:
    """Each value normalised to stored text ('unknown' kept) with its certainty (1 when
    none was given: a plain value, or ``{value, certainty}``); FormError lists every bad
    field."""
    out: dict[str, tuple[str, float]] = {}
    errors: dict[str, str] = {}
    for key, given in raw.items():
        if key not in kb.findings:
            errors[key] = str(UnknownKeyError("finding", key, kb.findings))
            continue
        try:
            value, sure = split_certainty(key, given)
            out[key] = (stored_value(kb, key, value), sure)
        except InputError as exc:
            errors[key] = str(exc)
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
    result_id: int | None = None,
    only_changed: bool = False,
) -> StoredAssessment:
    """Store findings from one source (``result_id``: the dated test result they were read
    from) and re-rank, all or nothing. ``only_changed``: values this source already gave
    are not stored again (a form that shows the current values sends them back)."""
    if source not in SOURCE_RANK:
        raise InvalidValueError(f"source must be one of {', '.join(SOURCE_RANK)}, got {source!r}")
    given = validate_findings(kb, raw)
    if not given:
        raise InvalidValueError("no findings given: choose at least one value")
    case = repo.get_case(s, case_id)
    rows = repo.findings_of(s, case_id)
    if only_changed:
        given = _changed(rows, given, source)
    eff = effective_findings(kb, rows)
    merged = eff.case_input()
    for key, (value, sure) in given.items():
        if value != "unknown":
            merged[key] = {"value": value, "certainty": sure} if sure < 1 else value
    try:
        parse_case(kb, merged, case.setting)
    except InputError as exc:
        key = next(iter(given))
        raise FormError({key: f"contradicts the case's other findings: {exc}"}) from None
    for key, (value, sure) in given.items():
        s.add(
            t.Finding(
                case_id=case_id,
                finding_id=key,
                value=value,
                source=source,
                recorded_by=actor,
                video_id=video_id,
                certainty=sure if sure < 1 else None,
                result_id=result_id,
            )
        )
    values = {
        k: v if sure == 1 else {"value": v, "certainty": sure} for k, (v, sure) in given.items()
    }
    repo.audit(s, actor, "findings.record", case_id, source=source, findings=sorted(values))
    s.flush()
    row = reassess(s, kb, case, f"{source} findings: {', '.join(sorted(values))}")
    return stored_assessment(row)


def _changed(
    rows: Sequence[t.Finding], given: dict[str, tuple[str, float]], source: str
) -> dict[str, tuple[str, float]]:
    current = {r.finding_id: r.value for r in rows if r.source == source}  # latest wins
    out = {k: v for k, v in given.items() if current.get(k) != v[0] or v[1] < 1}
    if not out:
        raise FormError({"_form": "nothing changed: every value is the one already recorded"})
    return out


def parse_status(status: str) -> CaseStatus:
    """A status a clinician may set (any but draft), or an error listing them."""
    if status not in STATUSES:
        raise InvalidValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
    return CaseStatus(status)


def set_status(s: Session, case_id: int, status: str, actor: str) -> CaseHeader:
    new = parse_status(status)
    case = repo.get_case(s, case_id)
    if case.status == CaseStatus.DRAFT:
        raise InvalidValueError("this request has not been submitted yet")
    old, case.status, case.updated_at = case.status, new.value, t.utcnow()
    repo.audit(s, actor, "case.status", case_id, old=old, new=new.value)
    s.flush()
    return case_header(case)


def add_note(s: Session, case_id: int, text: str, actor: str) -> NoteView:
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
    return note_view(note)


def add_visit(
    s: Session, case_id: int, visited_on: str, label: str, treatment: str, actor: str
) -> VisitView:
    case = repo.get_case(s, case_id)
    day = parse_day(visited_on, "visited_on", case.birth_year)
    visit = t.Visit(
        case_id=case_id,
        visited_on=day,
        label=label.strip()[:200],
        treatment=treatment.strip()[:200],
    )
    s.add(visit)
    repo.audit(s, actor, "visit.add", case_id, visited_on=day.isoformat())
    s.flush()
    return visit_view(visit)
