"""SQLAlchemy rows of the clinic app (one class per table; mapping to domain values lives in
:mod:`hemifacial.db.repositories`). The booking tables are in :mod:`.tables_booking`, and
re-exported here so that every table is ``tables.<Name>``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, validates

from hemifacial.domain.status import SUBMITTED

from .base import Base as Base
from .base import utcnow as utcnow
from .tables_booking import BOOKED as BOOKED
from .tables_booking import Booking as Booking
from .tables_booking import BookingOffer as BookingOffer
from .tables_booking import Clinician as Clinician
from .tables_booking import Slot as Slot

PHONE_KEY_DIGITS = 9  # country and trunk prefixes vary: +44 20 … and 020 … are one number
PHONE_KEY_MIN = 6  # fewer digits than this match too much to call two requests one patient


def phone_key(phone: str) -> str:
    """What two requests' phones are compared on: the number's last nine digits, or "" when
    it has fewer than six (no match is looked for)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-PHONE_KEY_DIGITS:] if len(digits) >= PHONE_KEY_MIN else ""


# Statuses of a submitted case (a request being filled in is "draft").
CASE_STATUSES = tuple(s.value for s in SUBMITTED)
# Columns the worklist sorts by, each with an index (column, id) for ORDER BY … LIMIT.
WORKLIST_SORTED = (
    "submitted_at",
    "birth_year",
    "sex",
    "side",
    "top_condition",
    "top_probability",
    "video_status",
    "assigned_to",
    "patient_name",
)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="clinician")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_confirmed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    recovery_codes: Mapped[list[str] | None] = mapped_column(JSON, default=list, nullable=True)


class LoginSession(Base):
    """A clinician's login (the cookie token's hash), not a database session."""

    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    stage: Mapped[str] = mapped_column(String(10), default="full", server_default="full")
    """``full``, or ``enrol``: password right, second factor still to be set up."""


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(30), default="draft")
    patient_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    # phone_key(phone), set with the phone (migration 0014): possible duplicates are found
    # by an indexed equality instead of a scan of every case for a fragment of the number
    phone_key: Mapped[str] = mapped_column(String(PHONE_KEY_DIGITS), default="", server_default="")
    birth_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    consent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # consent to store and measure face videos, given apart from the health data's
    video_consent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # set when staff merged this request into another (a duplicate); the case is closed
    merged_into: Mapped[int | None] = mapped_column(Integer, nullable=True)
    setting: Mapped[str] = mapped_column(String(40), default="referral_clinic")
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    extras: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    search_text: Mapped[str] = mapped_column(String(400), default="")
    red_flag_level: Mapped[int] = mapped_column(Integer, default=0)
    top_condition: Mapped[str | None] = mapped_column(String(80), nullable=True)
    top_probability: Mapped[float | None] = mapped_column(Float, nullable=True)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Raised by every change to the case (see hemifacial.db.revisions): its pages' ETag.
    revision: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Worklist columns (migration 0008), kept current by the services and db/worklist.py:
    # the effective sex and side, how many findings the assessment used (None: not known,
    # rows older than 0008), the videos' state and the clinician the case is assigned to.
    sex: Mapped[str | None] = mapped_column(String(10), nullable=True)
    side: Mapped[str | None] = mapped_column(String(10), nullable=True)
    findings_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    video_status: Mapped[str] = mapped_column(String(12), default="none", server_default="none")
    assigned_to: Mapped[str | None] = mapped_column(String(80), nullable=True)
    # the patient's language (migration 0012): a code of services.i18n.LANGUAGES, set at
    # intake and when the patient switches on the private link; None: not known
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)

    __table_args__ = (
        Index("ix_cases_dashboard", "red_flag_level", "updated_at"),
        Index("ix_cases_status_dashboard", "status", "red_flag_level", "updated_at"),
        *(Index(f"ix_cases_by_{c}", c, "id") for c in WORKLIST_SORTED),
        Index("ix_cases_phone_key", "phone_key"),
    )

    @validates("phone")
    def _keep_phone_key(self, _: str, phone: str) -> str:
        self.phone_key = phone_key(phone)
        return phone


# Possible duplicates: the same e-mail whatever its case.
Index("ix_cases_email", func.lower(Case.email))


class CaseSeen(Base):
    """The revision of a case a user last looked at: "new since you last looked"."""

    __tablename__ = "case_seen"
    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    revision: Mapped[int] = mapped_column(BigInteger)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PatientLink(Base):
    __tablename__ = "patient_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Visit(Base):
    __tablename__ = "visits"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    visited_on: Mapped[dt.date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(200), default="")
    treatment: Mapped[str] = mapped_column(String(200), default="")


class Finding(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    finding_id: Mapped[str] = mapped_column(String(80))
    value: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(20))
    recorded_by: Mapped[str] = mapped_column(String(120))
    video_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Certainty in (0, 1) of a finding reported as uncertain; None means certain.
    certainty: Mapped[float | None] = mapped_column(Float, nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # The dated test result (report) this finding was read from, if any.
    result_id: Mapped[int | None] = mapped_column(
        ForeignKey("test_results.id", ondelete="CASCADE"), nullable=True, index=True
    )


class Assessment(Base):
    __tablename__ = "assessments"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kb_version: Mapped[str] = mapped_column(String(40))
    kb_hash: Mapped[str] = mapped_column(String(80))
    trigger: Mapped[str] = mapped_column(String(200))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Video(Base):
    __tablename__ = "videos"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), nullable=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    mirrored: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Job(Base):
    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Analysis(Base):
    __tablename__ = "analyses"
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), unique=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    plot_file: Mapped[str | None] = mapped_column(String(200), nullable=True)
    affected_side: Mapped[str] = mapped_column(String(20))
    events_per_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    time_in_spasm_pct: Mapped[float | None] = mapped_column(Float, nullable=True)
    severity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEvent(Base):
    """One row of the audit trail (append-only, hash-chained: see :mod:`hemifacial.db.audit`)."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Position in the chain (1, 2, ...), given under the lock of ``audit_head``.
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120), index=True)
    action: Mapped[str] = mapped_column(String(60))
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(64), default="", server_default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="", server_default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The newest row of the audit chain (one row, id 1): its lock serialises appends."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class IdempotencyKey(Base):
    """A submission already handled (Idempotency-Key header or a form's one-time key, kept
    as its SHA-256 only): a repeat answers with the same case instead of a second one."""

    __tablename__ = "idempotency_keys"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class OutboxMail(Base):
    """An e-mail to send: written in the transaction that causes it, sent after commit by
    the mailer (retried on failure), so a failed send never loses the change itself."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    to_addr: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # a calendar invitation sent along (booking e-mails: text/calendar with its METHOD)
    ics: Mapped[str | None] = mapped_column(Text, nullable=True)
    ics_method: Mapped[str | None] = mapped_column(String(20), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class PatientRequest(Base):
    """Something a patient asked from the private link: a message, withdrawing the video
    consent, or deleting the request; staff handle it."""

    __tablename__ = "patient_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    handled_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    handled_by: Mapped[str | None] = mapped_column(String(120), nullable=True)


class TestResult(Base):
    """A dated test report as the clinician entered it (its findings point back here)."""

    __tablename__ = "test_results"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    test_id: Mapped[str] = mapped_column(String(80), default="")
    performed_on: Mapped[dt.date] = mapped_column(Date)
    report: Mapped[str] = mapped_column(Text, default="")
    # the attachment (PDF or image), stored by content hash outside the web root
    attachment_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attachment_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    attachment_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    attachment_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    entered_by: Mapped[str] = mapped_column(String(120))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class VideoReview(Base):
    """A clinician's judgement of a video: one event wrong or confirmed (``event_index``),
    or the affected side confirmed or overridden (``event_index`` None). Counts over the
    analyser's reading (see :mod:`hemifacial.services.review`)."""

    __tablename__ = "video_reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    event_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    verdict: Mapped[str] = mapped_column(String(20))
    reviewed_by: Mapped[str] = mapped_column(String(120))
    reviewed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
