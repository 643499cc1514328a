"""Report use cases: read the case in a unit of work, render, hand back text or bytes.

The rendering itself is pure (:mod:`hemifacial.reports`); here the case is read as the case
page reads it and the timeline plots are taken from the plot folder.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hemifacial import reports
from hemifacial.domain.knowledge.model import KnowledgeBase

from .database import UnitOfWork
from .reads import case_view
from .views import CaseView

html_to_pdf = reports.html_to_pdf


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _plots(view: CaseView, plot_dir: Path) -> dict[int, bytes]:
    """The timeline plots that exist on disk, by video id (a missing file is left out)."""
    out = {}
    for rec in view.videos:
        if rec.analysis and rec.analysis.plot_file:
            path = plot_dir / Path(rec.analysis.plot_file).name
            if path.is_file():
                out[rec.video.id] = path.read_bytes()
    return out


def case_report_html(s: UnitOfWork, kb: KnowledgeBase, plot_dir: Path, case_id: int) -> str:
    """The physician's report of ``case_id`` as self-contained HTML (NotFoundError if absent)."""
    view = case_view(s, kb, case_id)
    return reports.case_report_html(view, kb, _plots(view, plot_dir), _now())


def case_report_pdf(s: UnitOfWork, kb: KnowledgeBase, plot_dir: Path, case_id: int) -> bytes:
    """The physician's report of ``case_id`` as PDF."""
    return reports.html_to_pdf(case_report_html(s, kb, plot_dir, case_id))


def patient_letter_html(s: UnitOfWork, kb: KnowledgeBase, case_id: int) -> str:
    """The plain-language letter for the patient of ``case_id`` as HTML."""
    return reports.patient_letter_html(case_view(s, kb, case_id), kb, _now())


def patient_letter_pdf(s: UnitOfWork, kb: KnowledgeBase, case_id: int) -> bytes:
    """The plain-language letter for the patient of ``case_id`` as PDF."""
    return reports.html_to_pdf(patient_letter_html(s, kb, case_id))
