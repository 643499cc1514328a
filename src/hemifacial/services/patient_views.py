"""Read models of the patient's side: the link's home, triage, steps, requests, duplicates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from hemifacial.domain.reasoning.workup import Question
from hemifacial.domain.status import CaseStatus


@dataclass(frozen=True)
class PatientVideo:
    filename: str
    status: str
    progress: float
    error: str | None
    analysed: bool


@dataclass(frozen=True)
class PatientHome:
    """What a patient may see of their own case through the private link."""

    case_id: int
    name: str
    status: CaseStatus
    draft: Mapping[str, str]
    questions: tuple[Question, ...]
    videos: tuple[PatientVideo, ...]
    reference: str = ""
    triage: Triage | None = None  # what to do now, when the answers raised a red flag
    steps: tuple[Step, ...] = ()
    video_consent: bool = False
    asked: tuple[str, ...] = ()  # kinds of the patient's requests still open


@dataclass(frozen=True)
class Triage:
    """The advice a patient sees at once: ``urgent`` (today; emergency care if sudden) or
    ``soon`` (contact the clinic within days), and why, in the patient's words."""

    level: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One step of what happens next: received → reviewed → offered → booked → seen."""

    id: str
    label: str
    state: str  # "done" | "current" | "todo"


@dataclass(frozen=True)
class DuplicateView:
    """Another request with the same e-mail or phone: possibly the same patient."""

    case_id: int
    name: str
    status: CaseStatus
    reason: str  # "e-mail" | "phone" | "e-mail and phone"
    created_at: dt.datetime


@dataclass(frozen=True)
class DraftRow:
    """A request the patient started and has not sent (staff see it as a draft)."""

    case_id: int
    name: str
    email: str
    phone: str
    answered: int
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class PatientRequestView:
    id: int
    kind: str  # "message" | "withdraw_video" | "delete"
    message: str
    created_at: dt.datetime
    handled_at: dt.datetime | None
