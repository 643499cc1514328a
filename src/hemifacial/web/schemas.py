"""Pydantic schemas of the JSON API (``Create``/``Update``/``Public``), and the one place
that maps rows and read models to them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hemifacial.domain.status import CaseStatus
from hemifacial.services.cases import assessment_json
from hemifacial.services.views import (
    CaseHeader,
    CaseView,
    Dashboard,
    DashboardRow,
    JobView,
    StoredAssessment,
    VideoView,
)


class UncertainValue(BaseModel):
    """A finding reported with a graded certainty: a number in (0, 1] or a word
    (suspected, possible, probable, certain)."""

    model_config = ConfigDict(extra="forbid")
    value: str | float | bool
    certainty: float | str


FindingValue = str | float | bool | UncertainValue | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(_Strict):
    username: str = Field(max_length=80)
    password: str = Field(max_length=256)
    otp: str | None = Field(
        None,
        max_length=20,
        description="The one-time code of the authenticator app (or a recovery code); "
        "required for administrators, clinicians and auditors.",
    )


class SessionPublic(BaseModel):
    username: str
    display_name: str
    role: str
    csrf_token: str


class ContactCreate(_Strict):
    name: str = Field(max_length=200)
    email: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=50)
    birth_year: str = Field(default="", max_length=4)
    consent: bool
    video_consent: bool = False  # separate consent to keep and measure face videos
    language: Literal["en", "es", "ko", "zh_Hans"] | None = Field(
        default=None,
        description="the language the patient reads: their e-mails (link, receipt, news, "
        "booking) and pages are in it; none: English until they choose on their link",
    )


class IntakeCreate(_Strict):
    """A whole consultation request in one call (what the web form builds step by step)."""

    contact: ContactCreate
    answers: dict[str, str] = Field(
        default_factory=dict,
        description="finding ids and free-text keys (see GET /api/v1/intake/form) to answers",
    )


class IntakePublic(BaseModel):
    case_id: int
    status: str
    link: str = Field(description="the patient's private link (shown once)")
    red_flags: list[dict[str, Any]]


class DraftUpdate(_Strict):
    answers: dict[str, str]


class FindingsCreate(_Strict):
    findings: dict[str, FindingValue] = Field(
        description="finding id → value (yes/no/unknown, a category, or a number), or "
        "{value, certainty} for a result reported as uncertain"
    )
    source: Literal["clinician", "test", "patient"] = "clinician"


class NoteCreate(_Strict):
    text: str = Field(max_length=10_000)


class CaseUpdate(_Strict):
    status: CaseStatus


class VisitCreate(_Strict):
    visited_on: str = Field(description="ISO date, e.g. 2026-03-01")
    label: str = ""
    treatment: str = ""


class CaseSummary(BaseModel):
    id: int
    status: str
    status_label: str
    patient_name: str
    red_flag_level: int
    top_condition: str | None
    top_probability: float | None
    updated_at: str


class WorklistCase(CaseSummary):
    age: int | None
    sex: str | None
    side: str | None
    submitted_at: str | None
    no_findings: bool  # True: no findings yet, top_condition is only the prior's
    video_status: str
    assigned_to: str | None
    unread: bool
    possible_duplicate: bool


class DashboardPublic(BaseModel):
    total: int
    page: int
    pages: int
    counts: dict[str, int]
    sort: str
    order: str
    cases: list[WorklistCase]


class AssigneeUpdate(BaseModel):
    assignee: str | None = Field(default=None, max_length=80)


class AssigneePublic(BaseModel):
    case_id: int
    assignee: str | None


# A job as the API shows it: exactly the read model (a frozen dataclass FastAPI can serve).
JobPublic = JobView


class VideoPublic(BaseModel):
    id: int
    filename: str
    sha256: str
    size: int
    mirrored: bool
    uploaded_by: str
    visit_id: int | None
    job: JobPublic | None
    analysis: dict[str, Any] | None
    timeline_png: str | None


class CasePublic(BaseModel):
    id: int
    status: str
    patient_name: str
    email: str
    phone: str
    birth_year: int | None
    submitted_at: str | None
    extras: dict[str, Any]
    findings: list[dict[str, Any]]
    assessment: dict[str, Any] | None
    assessment_meta: dict[str, Any] | None
    assessments: list[dict[str, Any]]
    videos: list[VideoPublic]
    course: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    visits: list[dict[str, Any]]


class AssessmentPublic(BaseModel):
    assessment_id: int
    kb_version: str
    kb_hash: str
    created_at: str
    assessment: dict[str, Any]


def assessment_public(a: StoredAssessment) -> AssessmentPublic:
    """The stored assessment as the API has always shown it (its one JSON form)."""
    data = assessment_json(a.result, a.sources, a.conflicts, a.plain_names)
    return AssessmentPublic(
        assessment_id=a.id,
        kb_version=a.kb_version,
        kb_hash=a.kb_hash,
        created_at=a.created_at.isoformat(timespec="seconds"),
        assessment=data,
    )


def case_summary(c: CaseHeader) -> CaseSummary:
    return CaseSummary(
        id=c.id,
        status=c.status.value,
        status_label=c.status.label,
        patient_name=c.patient_name,
        red_flag_level=0,
        top_condition=None,
        top_probability=None,
        updated_at=c.updated_at.isoformat(timespec="seconds"),
    )


def worklist_case(c: DashboardRow) -> WorklistCase:
    return WorklistCase(
        id=c.id,
        status=c.status.value,
        status_label=c.status.label,
        patient_name=c.patient_name,
        red_flag_level=c.red_flag_level,
        top_condition=None if c.no_findings else c.top_condition,
        top_probability=None if c.no_findings else c.top_probability,
        updated_at=c.updated_at.isoformat(timespec="seconds"),
        age=c.age,
        sex=c.sex,
        side=c.side,
        submitted_at=c.submitted_at.isoformat(timespec="seconds") if c.submitted_at else None,
        no_findings=c.no_findings,
        video_status=c.video_status,
        assigned_to=c.assigned_to,
        unread=c.unread,
        possible_duplicate=c.possible_duplicate,
    )


def dashboard_public(p: Dashboard) -> DashboardPublic:
    return DashboardPublic(
        total=p.total,
        page=p.page,
        pages=p.pages,
        counts=dict(p.counts),
        sort=p.query.sort,
        order=p.query.order,
        cases=[worklist_case(c) for c in p.rows],
    )


def video_public(v: VideoView) -> VideoPublic:
    a = v.analysis
    return VideoPublic(
        id=v.video.id,
        filename=v.video.filename,
        sha256=v.video.sha256,
        size=v.video.size,
        mirrored=v.video.mirrored,
        uploaded_by=v.video.uploaded_by,
        visit_id=v.video.visit_id,
        job=v.job,
        analysis=a.result.to_dict() if a else None,
        timeline_png=f"/api/v1/videos/{v.video.id}/timeline.png" if a and a.plot_file else None,
    )


def case_public(view: CaseView) -> CasePublic:
    c = view.case
    stored = view.assessment
    return CasePublic(
        id=c.id,
        status=c.status.value,
        patient_name=c.patient_name,
        email=c.email,
        phone=c.phone,
        birth_year=c.birth_year,
        submitted_at=c.submitted_at.isoformat(timespec="seconds") if c.submitted_at else None,
        extras=dict(c.extras),
        findings=[asdict(f) for f in view.findings],
        assessment=assessment_public(stored).assessment if stored else None,
        assessment_meta=(
            {
                "id": stored.id,
                "kb_version": stored.kb_version,
                "kb_hash": stored.kb_hash,
                "created_at": stored.created_at.strftime("%Y-%m-%d %H:%M"),
                "trigger": stored.trigger,
            }
            if stored
            else None
        ),
        assessments=[
            {**asdict(h), "created_at": h.created_at.strftime("%Y-%m-%d %H:%M")}
            for h in view.history
        ],
        videos=[video_public(v) for v in view.videos],
        course=[asdict(r) for r in view.course],
        notes=[
            {
                "id": n.id,
                "author": n.author,
                "text": n.text,
                "created_at": n.created_at.isoformat(timespec="seconds"),
            }
            for n in view.notes
        ],
        visits=[
            {
                "id": v.id,
                "visited_on": v.visited_on.isoformat(),
                "label": v.label,
                "treatment": v.treatment,
            }
            for v in view.visits
        ],
    )
