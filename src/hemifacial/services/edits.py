"""Corrections: edit and delete notes, visits and findings (each audited with what it was).

A finding edited or removed re-ranks the case; a visit removed leaves its videos without a
visit (the measurements stay).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hemifacial.db import records
from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.domain.case import parse_case
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.errors import FormError, InputError

from .cases import effective_findings, reassess, validate_findings
from .dates import parse_day
from .stored import visit_view
from .views import VisitView

MAX_NOTE = 10_000
TABLES: dict[str, type[t.Note] | type[t.Visit] | type[t.Finding]] = {
    "note": t.Note,
    "visit": t.Visit,
    "finding": t.Finding,
}


def case_of(s: Session, kind: str, row_id: int) -> int:
    """The case a note, visit or finding belongs to (NotFoundError if there is none)."""
    row: t.Note | t.Visit | t.Finding = records.get_row(s, TABLES[kind], row_id)
    return row.case_id


def _note_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise FormError({"text": "the note is empty"})
    if len(text) > MAX_NOTE:
        raise FormError({"text": "the note is longer than 10,000 characters"})
    return text


def edit_note(s: Session, note_id: int, text: str, actor: str) -> int:
    note: t.Note = records.get_row(s, t.Note, note_id)
    new = _note_text(text)
    if new != note.text:
        repo.audit(s, actor, "note.edit", note.case_id, note_id=note_id, old=note.text)
        note.text = new
    s.flush()
    return note.case_id


def delete_note(s: Session, note_id: int, actor: str) -> int:
    note: t.Note = records.get_row(s, t.Note, note_id)
    repo.audit(s, actor, "note.delete", note.case_id, note_id=note_id, old=note.text)
    s.delete(note)
    s.flush()
    return note.case_id


def edit_visit(
    s: Session,
    visit_id: int,
    visited_on: str | None,
    label: str | None,
    treatment: str | None,
    actor: str,
) -> VisitView:
    """Correct a visit; a field given as None keeps its value. The visit as now stored."""
    visit: t.Visit = records.get_row(s, t.Visit, visit_id)
    case = repo.get_case(s, visit.case_id)
    day = (
        visit.visited_on
        if visited_on is None
        else parse_day(visited_on, "visited_on", case.birth_year)
    )
    label = visit.label if label is None else label
    treatment = visit.treatment if treatment is None else treatment
    old = {
        "visited_on": visit.visited_on.isoformat(),
        "label": visit.label,
        "treatment": visit.treatment,
    }
    visit.visited_on, visit.label, visit.treatment = (
        day,
        label.strip()[:200],
        treatment.strip()[:200],
    )
    repo.audit(s, actor, "visit.edit", visit.case_id, visit_id=visit_id, old=old)
    s.flush()
    return visit_view(visit)


def delete_visit(s: Session, visit_id: int, actor: str) -> int:
    visit: t.Visit = records.get_row(s, t.Visit, visit_id)
    records.unlink_visit(s, visit_id)
    repo.audit(
        s,
        actor,
        "visit.delete",
        visit.case_id,
        visit_id=visit_id,
        old={"visited_on": visit.visited_on.isoformat(), "label": visit.label},
    )
    s.delete(visit)
    s.flush()
    return visit.case_id


def edit_finding(s: Session, kb: KnowledgeBase, row_id: int, value: str, actor: str) -> int:
    """Correct the value of one stored finding (validated against the case) and re-rank."""
    row: t.Finding = records.get_row(s, t.Finding, row_id)
    ((new, _sure),) = validate_findings(kb, {row.finding_id: value}).values()
    old = row.value
    row.value = new
    s.flush()
    eff = effective_findings(kb, repo.findings_of(s, row.case_id))
    case = repo.get_case(s, row.case_id)
    if eff.sources.get(row.finding_id) == row.source and new != "unknown":
        try:
            parse_case(kb, eff.case_input(), case.setting)
        except InputError as exc:
            raise FormError(
                {row.finding_id: f"contradicts the case's other findings: {exc}"}
            ) from None
    repo.audit(
        s,
        actor,
        "finding.edit",
        row.case_id,
        finding=row.finding_id,
        source=row.source,
        old=old,
        new=new,
    )
    reassess(s, kb, case, f"{row.source} finding corrected: {row.finding_id}")
    return row.case_id


def delete_finding(s: Session, kb: KnowledgeBase, row_id: int, actor: str) -> int:
    row: t.Finding = records.get_row(s, t.Finding, row_id)
    case_id = row.case_id
    repo.audit(
        s,
        actor,
        "finding.delete",
        case_id,
        finding=row.finding_id,
        source=row.source,
        old=row.value,
    )
    s.delete(row)
    s.flush()
    reassess(s, kb, repo.get_case(s, case_id), f"{row.source} finding removed: {row.finding_id}")
    return case_id
