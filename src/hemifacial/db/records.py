"""Queries and writes for the clinician's records: video reviews, dated test results, and
the corrections (edit, delete) of notes, visits and findings (next to :mod:`.repositories`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from hemifacial.errors import NotFoundError

from . import tables as t
from .repositories import RESULTS_OF_CASE


def reviews_of_video(s: Session, video_id: int) -> Sequence[t.VideoReview]:
    return s.scalars(
        select(t.VideoReview).where(t.VideoReview.video_id == video_id).order_by(t.VideoReview.id)
    ).all()


def results_of(s: Session, case_id: int) -> Sequence[t.TestResult]:
    return s.scalars(RESULTS_OF_CASE, {"case_id": case_id}).all()


def get_result(s: Session, result_id: int) -> t.TestResult:
    row = s.get(t.TestResult, result_id)
    if row is None:
        raise NotFoundError(f"test result {result_id} does not exist")
    return row


def get_row(s: Session, table: type[t.Note] | type[t.Visit] | type[t.Finding], row_id: int) -> Any:
    """A note, visit or finding by id (NotFoundError naming what is missing)."""
    row = s.get(table, row_id)
    if row is None:
        raise NotFoundError(f"{table.__tablename__[:-1]} {row_id} does not exist")
    return row


def delete_judged_findings(s: Session, video_id: int) -> None:
    """The findings a video's analysis or its review put on the case (re-derived after a
    review): the video's own and the clinician's side judged on it."""
    s.execute(
        delete(t.Finding).where(
            t.Finding.video_id == video_id,
            (t.Finding.source == "video")
            | ((t.Finding.source == "clinician") & (t.Finding.finding_id == "side")),
        )
    )


def delete_review(s: Session, video_id: int, event_index: int | None) -> None:
    """The review of one event (``event_index``) or of the side (None) of a video."""
    target = (
        t.VideoReview.event_index.is_(None)
        if event_index is None
        else t.VideoReview.event_index == event_index
    )
    s.execute(delete(t.VideoReview).where(t.VideoReview.video_id == video_id, target))


def delete_result_findings(s: Session, result_id: int) -> int:
    """Remove the findings read from a test result; returns how many there were."""
    ids = s.scalars(select(t.Finding.id).where(t.Finding.result_id == result_id)).all()
    if ids:
        s.execute(delete(t.Finding).where(t.Finding.id.in_(ids)))
    return len(ids)


def unlink_visit(s: Session, visit_id: int) -> None:
    """Videos of a visit that is removed keep their measurements, without a visit."""
    s.execute(update(t.Video).where(t.Video.visit_id == visit_id).values(visit_id=None))


def attachment_in_use(s: Session, sha256: str) -> bool:
    """Whether a test result still has the attachment stored under ``sha256``."""
    found = s.scalars(
        select(t.TestResult.id).where(t.TestResult.attachment_sha256 == sha256).limit(1)
    ).first()
    return found is not None
