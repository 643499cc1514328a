"""The rows a patient's deletion or anonymisation removes or blanks (SQL for
:mod:`hemifacial.services.erasure`). Audit rows are never touched: they hold the case's
number, never the patient's name or contact."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from . import tables as t


@dataclass(frozen=True)
class CaseFiles:
    """The files a case's videos use: blobs no other case shares, and plot files."""

    blobs: tuple[str, ...]
    plots: tuple[str, ...]
    videos: int


def files_of(s: Session, case_id: int) -> CaseFiles:
    rows = s.execute(
        select(t.Video.id, t.Video.sha256, t.Analysis.plot_file)
        .outerjoin(t.Analysis, t.Analysis.video_id == t.Video.id)
        .where(t.Video.case_id == case_id)
    ).all()
    shas = {r.sha256 for r in rows}
    shared = set(
        s.scalars(
            select(t.Video.sha256).where(t.Video.sha256.in_(shas), t.Video.case_id != case_id)
        )
    )
    plots = tuple(sorted(r.plot_file for r in rows if r.plot_file))
    return CaseFiles(tuple(sorted(shas - shared)), plots, len(rows))


def count(s: Session, table: type[t.Finding] | type[t.Note] | type[t.Visit], case_id: int) -> int:
    return int(s.scalar(select(func.count()).where(table.case_id == case_id)) or 0)


def delete_case(s: Session, case_id: int) -> None:
    """The case and everything that belongs to it (foreign keys cascade)."""
    video_ids = select(t.Video.id).where(t.Video.case_id == case_id)
    s.execute(delete(t.Analysis).where(t.Analysis.video_id.in_(video_ids)))
    s.execute(delete(t.Job).where(t.Job.video_id.in_(video_ids)))
    for table in (t.Video, t.Finding, t.Assessment, t.Note, t.Visit, t.PatientLink):
        s.execute(delete(table).where(table.case_id == case_id))
    s.execute(delete(t.IdempotencyKey).where(t.IdempotencyKey.case_id == case_id))
    s.execute(delete(t.Case).where(t.Case.id == case_id))


def strip_identity(s: Session, case_id: int) -> None:
    """Everything that names or shows the patient; the clinical findings stay."""
    video_ids = select(t.Video.id).where(t.Video.case_id == case_id)
    s.execute(delete(t.Analysis).where(t.Analysis.video_id.in_(video_ids)))
    s.execute(delete(t.Job).where(t.Job.video_id.in_(video_ids)))
    for table in (t.Video, t.Note, t.PatientLink):  # faces, free text, access
        s.execute(delete(table).where(table.case_id == case_id))
    s.execute(update(t.Visit).where(t.Visit.case_id == case_id).values(label="", treatment=""))
    s.execute(delete(t.IdempotencyKey).where(t.IdempotencyKey.case_id == case_id))
    s.execute(
        update(t.Case)
        .where(t.Case.id == case_id)
        .values(
            patient_name="(anonymised)",
            email="",
            phone="",
            phone_key="",
            birth_year=None,
            draft={},
            extras={},
            search_text="",
            revision=t.Case.revision + 1,
        )
    )
