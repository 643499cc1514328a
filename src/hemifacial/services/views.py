"""Read models: the typed, frozen values pages and the API show (built in :mod:`.reads`).

No ORM row and no loose dict leaves the services: a template or an API schema reads these
and the domain values inside them (:class:`Assessment`, :class:`VideoAnalysis`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from hemifacial.analysis.types import VideoAnalysis
from hemifacial.domain.reasoning.assess import Assessment
from hemifacial.domain.reasoning.explain import Contribution
from hemifacial.domain.status import CaseStatus

from .patient_views import PatientRequestView


@dataclass(frozen=True)
class CaseHeader:
    """Who the case is and where it stands (no clinical content)."""

    id: int
    status: CaseStatus
    patient_name: str
    email: str
    phone: str
    birth_year: int | None
    setting: str
    submitted_at: dt.datetime | None
    updated_at: dt.datetime
    revision: int
    extras: Mapping[str, str]
    draft: Mapping[str, str]
    assigned_to: str | None = None  # the clinician the case is assigned to
    language: str | None = None  # the patient's language (services.i18n), if known

    @property
    def status_label(self) -> str:
        return self.status.label


@dataclass(frozen=True)
class FindingView:
    finding_id: str
    label: str
    value: str
    source: str
    recorded_by: str
    recorded_at: str
    in_use: bool
    certainty: float | None = None  # None: reported as certain
    id: int = 0  # the stored row (for correcting or removing it)
    result_id: int | None = None  # the dated test result it was read from
    video_id: int | None = None  # the video it was read from (or judged on)


@dataclass(frozen=True)
class ConflictValue:
    """One source's answer to a finding the sources disagree on."""

    source: str
    value: str
    certainty: float | None
    recorded_by: str
    in_use: bool


@dataclass(frozen=True)
class Conflict:
    """Sources that give different values for one finding, and which one is used.

    ``resolved``: a clinician (or a test) chose after the latest disagreeing answer.
    """

    finding_id: str
    label: str
    values: tuple[ConflictValue, ...]
    used: ConflictValue | None
    resolved: bool

    @property
    def choices(self) -> tuple[str, ...]:
        """The distinct values the sources give, in the order shown."""
        return tuple(dict.fromkeys(v.value for v in self.values))


@dataclass(frozen=True)
class ResultView:
    """A dated test result: report, attachment, who entered it, and its findings."""

    id: int
    test_id: str
    test_name: str
    performed_on: dt.date
    report: str
    attachment_name: str | None
    attachment_type: str | None
    attachment_size: int | None
    entered_by: str
    entered_at: dt.datetime
    updated_at: dt.datetime | None
    findings: tuple[FindingView, ...]


@dataclass(frozen=True)
class StoredAssessment:
    """An assessment as stored: the engine's typed result and where its findings came from."""

    id: int
    created_at: dt.datetime
    trigger: str
    kb_version: str
    kb_hash: str
    result: Assessment
    sources: Mapping[str, str]
    conflicts: tuple[str, ...]
    plain_names: Mapping[str, str]


@dataclass(frozen=True)
class HistoryRow:
    id: int
    created_at: dt.datetime
    trigger: str
    kb_version: str
    kb_hash: str
    top: str
    top_probability: float


@dataclass(frozen=True)
class NoteView:
    id: int
    author: str
    text: str
    created_at: dt.datetime


@dataclass(frozen=True)
class VisitView:
    id: int
    visited_on: dt.date
    label: str
    treatment: str


@dataclass(frozen=True)
class JobView:
    id: int
    video_id: int
    status: str
    progress: float
    attempts: int
    error: str | None


@dataclass(frozen=True)
class VideoMeta:
    id: int
    filename: str
    sha256: str
    size: int
    mirrored: bool
    uploaded_by: str
    visit_id: int | None
    created_at: dt.datetime


@dataclass(frozen=True)
class ReviewView:
    """The clinician's judgement of a video: events (indices into the analyser's events)
    marked wrong or confirmed, the side given, and the analysis that judgement leaves."""

    rejected: frozenset[int]
    confirmed: frozenset[int]
    side: str | None
    reviewed_by: str
    reviewed_at: dt.datetime
    result: VideoAnalysis


@dataclass(frozen=True)
class AnalysisView:
    """A finished analysis: the analyser's typed result, the file name of its timeline
    plot, and the clinician's review (None until someone judged it)."""

    video_id: int
    result: VideoAnalysis
    plot_file: str | None
    review: ReviewView | None = None

    @property
    def counted(self) -> VideoAnalysis:
        """What counts: the reviewed analysis when there is a review, else the analyser's."""
        return self.review.result if self.review else self.result

    def verdict(self, index: int) -> str | None:
        """``wrong``, ``confirmed`` or None for the analyser's event ``index``."""
        if self.review is None:
            return None
        if index in self.review.rejected:
            return "wrong"
        return "confirmed" if index in self.review.confirmed else None


@dataclass(frozen=True)
class VideoView:
    video: VideoMeta
    job: JobView | None
    analysis: AnalysisView | None
    visit: VisitView | None


@dataclass(frozen=True)
class CourseRow:
    """One analysed video as a point of the course over visits."""

    video_id: int
    date: str
    visit: str
    treatment: str
    affected_side: str
    events_per_min: float | None
    time_in_spasm_pct: float | None
    severity: int | None


@dataclass(frozen=True)
class CourseChange:
    """The first measured video against the latest one (same numbers as the course table)."""

    first: CourseRow
    latest: CourseRow
    lines: tuple[str, ...]


@dataclass(frozen=True)
class CaseView:
    """Everything the case page shows."""

    case: CaseHeader
    findings: tuple[FindingView, ...]
    assessment: StoredAssessment | None
    history: tuple[HistoryRow, ...]
    videos: tuple[VideoView, ...]
    course: tuple[CourseRow, ...]
    change: CourseChange | None
    notes: tuple[NoteView, ...]
    visits: tuple[VisitView, ...]
    results: tuple[ResultView, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    changed: tuple[str, ...] = ()  # what the last save changed (``since`` an assessment)
    patient_requests: tuple[PatientRequestView, ...] = ()  # from the private link
    contact_twin: bool = True  # another open request has its e-mail or phone (True: unknown)


@dataclass(frozen=True)
class DashboardRow:
    """One case of the worklist."""

    id: int
    patient_name: str
    status: CaseStatus
    red_flag_level: int
    top_condition: str | None
    top_probability: float | None
    updated_at: dt.datetime
    age: int | None = None  # from the year of birth (± 1 year)
    sex: str | None = None
    side: str | None = None
    submitted_at: dt.datetime | None = None
    no_findings: bool = False  # the ranking would be the prior: say so, show no cause
    top_name: str | None = None
    video_status: str = "none"
    assigned_to: str | None = None
    unread: bool = False  # changed since this viewer last looked (or never looked)
    possible_duplicate: bool = False  # another case has the same e-mail or phone
    revision: int = 0  # the case's revision on this page (unread: seen below it)


@dataclass(frozen=True)
class WorklistQuery:
    """What the worklist was asked for, validated (see :mod:`.worklist`)."""

    view: str = "submitted"
    status: CaseStatus | None = None
    q: str = ""
    red: str = ""  # "", "soon" (soon or urgent) or "urgent"
    sex: str = ""
    side: str = ""
    video: str = ""
    assignee: str = ""  # "", "me", "none" or a username
    cause: str = ""
    unread: bool = False
    sort: str = "red"
    order: str = "desc"
    page: int = 1


@dataclass(frozen=True)
class Dashboard:
    rows: tuple[DashboardRow, ...]
    total: int
    counts: Mapping[str, int]
    page: int
    pages: int
    query: WorklistQuery = WorklistQuery()
    assignees: tuple[tuple[str, str], ...] = ()  # (username, display name)


@dataclass(frozen=True)
class TestAdvice:
    """A recommended test in clinical words, with its numbers for who wants them."""

    test_id: str
    name: str
    words: str  # e.g. "could change the leading cause; would settle whether … is present"
    numbers: str  # bits about the cause and about danger, cost, burden, turnaround
    reason: str  # the engine's "if … = yes: … 1% → 40%"
    urgent: bool
    done: bool = False  # done in part: its report is to be read for the rest (not ordered)


@dataclass(frozen=True)
class Glance:
    """The case page's reading aids (built in :mod:`.glance`)."""

    summary: tuple[str, ...]  # age, sex, side, duration, leading cause, red flags
    no_findings: bool  # the ranking is the prior: no cause is shown as a result
    strongest: Mapping[str, tuple[Contribution, ...]]  # per condition, the 5 by |log LR|
    folded: Mapping[str, tuple[Contribution, ...]]  # the rest, behind <details>
    tests: tuple[TestAdvice, ...]
