"""Pydantic schemas of the clinician's record in the JSON API: dated test results,
corrections of notes, visits and findings, video review and conflicts (see
``web/api/records.py`` and ``web/api/review.py``), and their mapping from read models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from hemifacial.services.views import Conflict, FindingView, ResultView, ReviewView

from .schemas import _Strict


class ResultFinding(BaseModel):
    id: int = Field(description="the stored finding row (PATCH/DELETE …/findings/{row_id})")
    finding_id: str
    label: str
    value: str
    certainty: float | None
    in_use: bool


class ResultPublic(BaseModel):
    id: int
    test_id: str
    test_name: str
    performed_on: str = Field(description="ISO date the test was done")
    report: str
    attachment: str | None = Field(description="download address of the attachment, if any")
    attachment_name: str | None
    attachment_type: str | None
    attachment_size: int | None
    entered_by: str
    entered_at: str
    updated_at: str | None
    findings: list[ResultFinding]


class Saved(BaseModel):
    """What a write changed: the assessment now in force and, in words, what moved in the
    ranking (the case page's "what changed" confirmation)."""

    case_id: int
    assessment_id: int | None
    changed: list[str] = Field(description='e.g. "Tumour or other lesion 0.08% → 21%"')


class ResultSaved(Saved):
    result: ResultPublic


class ResultUpdate(_Strict):
    """Fields left out keep their stored value."""

    test_id: str | None = Field(None, max_length=80)
    performed_on: str | None = Field(None, max_length=40, description="ISO date")
    report: str | None = Field(None, max_length=20_000)


class NoteUpdate(_Strict):
    text: str = Field(max_length=10_000)


class NotePublic(BaseModel):
    id: int
    case_id: int
    text: str


class VisitUpdate(_Strict):
    """Fields left out keep their stored value."""

    visited_on: str | None = Field(None, max_length=40, description="ISO date, not future")
    label: str | None = Field(None, max_length=200)
    treatment: str | None = Field(None, max_length=200)


class VisitPublic(BaseModel):
    id: int
    case_id: int
    visited_on: str
    label: str
    treatment: str


class FindingUpdate(_Strict):
    value: str = Field(max_length=200, description="yes/no/unknown, a category or a number")


class Deleted(Saved):
    deleted: int = Field(description="the id of the row removed")


class EventJudgement(_Strict):
    verdict: Literal["wrong", "confirmed", "clear"] = Field(
        description="wrong: the event does not count; confirmed; clear: the analyser's reading"
    )


class SideJudgement(_Strict):
    side: Literal["right", "left", "both", "clear"] = Field(
        description="the affected side seen on the video (clear: the analyser's)"
    )


class ReviewPublic(Saved):
    video_id: int
    rejected_events: list[int] = Field(description="event indexes (from 0) marked wrong")
    confirmed_events: list[int]
    side: str | None = Field(description="the side the clinician gave, if any")
    reviewed_by: str | None


class ConflictSource(BaseModel):
    source: str
    value: str
    certainty: float | None
    recorded_by: str
    in_use: bool


class ConflictPublic(BaseModel):
    finding_id: str
    label: str
    values: list[ConflictSource]
    used: ConflictSource | None = Field(description="the value the ranking uses now")
    resolved: bool = Field(description="a clinician's or a test's answer settled it")


class ConflictChoice(_Strict):
    value: str = Field(max_length=200, description="the value that counts")


class ConflictSaved(Saved):
    conflicts: list[ConflictPublic]


def _finding(f: FindingView) -> ResultFinding:
    return ResultFinding.model_validate(f, from_attributes=True)


def result_public(r: ResultView) -> ResultPublic:
    return ResultPublic(
        id=r.id,
        test_id=r.test_id,
        test_name=r.test_name,
        performed_on=r.performed_on.isoformat(),
        report=r.report,
        attachment=f"/api/v1/results/{r.id}/attachment" if r.attachment_name else None,
        attachment_name=r.attachment_name,
        attachment_type=r.attachment_type,
        attachment_size=r.attachment_size,
        entered_by=r.entered_by,
        entered_at=r.entered_at.isoformat(timespec="seconds"),
        updated_at=r.updated_at.isoformat(timespec="seconds") if r.updated_at else None,
        findings=[_finding(f) for f in r.findings],
    )


def conflict_public(c: Conflict) -> ConflictPublic:
    values = [ConflictSource(**vars(v)) for v in c.values]
    used = ConflictSource(**vars(c.used)) if c.used else None
    return ConflictPublic(
        finding_id=c.finding_id, label=c.label, values=values, used=used, resolved=c.resolved
    )


def review_public(
    case_id: int,
    video_id: int,
    review: ReviewView | None,
    now: int | None,
    changed: tuple[str, ...],
) -> ReviewPublic:
    return ReviewPublic(
        case_id=case_id,
        assessment_id=now,
        changed=list(changed),
        video_id=video_id,
        rejected_events=sorted(review.rejected) if review else [],
        confirmed_events=sorted(review.confirmed) if review else [],
        side=review.side if review else None,
        reviewed_by=review.reviewed_by if review else None,
    )
