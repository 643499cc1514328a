"""The patient's side around the request: e-mails (private link, receipt, status news,
"continue my request"), triage advice and the staff alert, what happens next, the video
consent, the patient's requests (message, withdrawal, deletion), drafts and duplicates.

E-mails go through :mod:`.mail` (outbox, sent after commit). Links in e-mails are built
from ``base``: the configured public URL, or in dev the request's own address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.status import CaseStatus
from hemifacial.errors import FormError, InputError, NotFoundError

from . import forms, i18n, mail
from .mail import Outbox, reference
from .patient_views import DraftRow, PatientHome, PatientRequestView, Step, Triage

REQUEST_KINDS = ("message", "withdraw_video", "delete")
MESSAGE_MAX = 4000
RESUME_PER_HOUR = 3  # link e-mails per request and hour ("continue my request")
_STEP_IDS = ("received", "reviewed", "offered", "booked", "seen")
# how far each status has come along the steps (booking statuses come with the bookings)
_STEP_DONE = {
    CaseStatus.NEW: 1,
    CaseStatus.AWAITING_HISTORY: 2,
    CaseStatus.AWAITING_TESTS: 2,
    CaseStatus.UNDER_TREATMENT: 5,
    CaseStatus.CLOSED: 5,
}


def send_link(
    s: Session, outbox: Outbox, case_id: int, token: str, base: str, days: int
) -> int | None:
    """E-mail the private link (sent after commit; nothing if no address was given)."""
    case = repo.get_case(s, case_id)
    return mail.queue(
        s,
        outbox,
        case.email,
        "link",
        case_id=case.id,
        language=case.language,
        name=case.patient_name,
        link=f"{base}/p/{token}",
        resume=f"{base}/continue",
        days=days,
    )


def resume(s: Session, outbox: Outbox, email: str, base: str, days: int) -> None:
    """ "Continue my request": a fresh link to the newest request of ``email``, by e-mail.

    The caller answers the same whether the address is known or not (nothing returned)."""
    from .intake import new_link  # intake imports this module for the e-mails

    address = email.strip().lower()
    if not address or len(address) > 200:
        return
    case = s.scalars(
        select(t.Case)
        .where(func.lower(t.Case.email) == address, t.Case.merged_into.is_(None))
        .order_by(t.Case.id.desc())
    ).first()
    if case is None:
        repo.audit(s, "patient", "link.resume_unknown")
        return
    if _recent_links(s, case.id) >= RESUME_PER_HOUR:  # no flood of a patient's inbox
        repo.audit(s, "patient", "link.resume_throttled", case.id)
        return
    token = new_link(s, case.id, days)
    repo.audit(s, "patient", "link.resume", case.id)
    send_link(s, outbox, case.id, token, base, days)


def _recent_links(s: Session, case_id: int) -> int:
    since = t.utcnow() - dt.timedelta(hours=1)
    return int(
        s.scalar(
            select(func.count())
            .select_from(t.OutboxMail)
            .where(
                t.OutboxMail.case_id == case_id,
                t.OutboxMail.kind == "link",
                t.OutboxMail.created_at >= since,
            )
        )
        or 0
    )


def after_submit(s: Session, outbox: Outbox, case_id: int, base: str) -> None:
    """The receipt with the reference number, and the staff alert if a flag is urgent."""
    case = repo.get_case(s, case_id)
    mail.queue(
        s,
        outbox,
        case.email,
        "receipt",
        case_id=case.id,
        language=case.language,
        name=case.patient_name,
        ref=reference(case.id),
        resume=f"{base}/continue",
    )
    alert_if_urgent(s, outbox, case.id, base)


def urgent_flags(s: Session, case_id: int) -> list[str]:
    latest = repo.latest_assessment(s, case_id)
    if latest is None:
        return []
    return [f["id"] for f in latest.result.get("red_flags", []) if f["level"] == "urgent"]


def alert_if_urgent(s: Session, outbox: Outbox, case_id: int, base: str) -> None:
    """E-mail the clinic once for each urgent red flag a case newly raises."""
    case = repo.get_case(s, case_id)
    flags = urgent_flags(s, case.id)
    told = {
        flag
        for detail in s.scalars(
            select(t.AuditEvent.detail).where(
                t.AuditEvent.case_id == case.id, t.AuditEvent.action == "alert.urgent"
            )
        )
        for flag in detail.get("flags", [])
    }
    new = [f for f in flags if f not in told]
    if not new:
        return
    repo.audit(s, "system", "alert.urgent", case.id, flags=new)
    mail.queue(
        s,
        outbox,
        outbox.clinic.alert_email,
        "alert",
        case_id=case.id,
        ref=reference(case.id),
        count=len(new),
        flags=", ".join(new),
        case_url=f"{base}/clinic/cases/{case.id}",
    )


def status_news(s: Session, outbox: Outbox, case_id: int, base: str) -> None:
    """Tell the patient by e-mail that their request moved (no health details)."""
    case = repo.get_case(s, case_id)
    news = forms.words()["status_news"].get(case.status)
    if not news:
        return
    with i18n.speaking(case.language):  # staff changed it: the patient's language
        step = i18n.gettext(news)
    mail.queue(
        s,
        outbox,
        case.email,
        "status",
        case_id=case.id,
        language=case.language,
        name=case.patient_name,
        ref=reference(case.id),
        step=step,
        resume=f"{base}/continue",
    )


def set_language(s: Session, case_id: int, lang: str) -> bool:
    """Remember the language the patient chose on the private link (for the e-mails staff
    trigger later); returns whether it changed. An unknown code changes nothing."""
    chosen = i18n.known(lang)
    case = repo.get_case(s, case_id)
    if chosen is None or case.language == chosen:
        return False
    case.language = chosen
    repo.audit(s, "patient", "language.set", case_id, language=chosen)
    return True


def triage(red_flags: Sequence[Mapping[str, Any]]) -> Triage | None:
    """What the patient is told to do now, from the assessment's red flags."""
    if not red_flags:
        return None
    words = forms.words()["red_flags"]
    urgent = [f for f in red_flags if f["level"] == "urgent"]
    shown = urgent or list(red_flags)
    reasons = tuple(dict.fromkeys(i18n.gettext(words.get(f["id"], "")) for f in shown if f["id"]))
    return Triage("urgent" if urgent else "soon", tuple(r for r in reasons if r))


def steps(status: CaseStatus, booking: str | None = None) -> tuple[Step, ...]:
    """The steps, from the status and how far booking has come (``offered``/``booked``)."""
    done = max(_STEP_DONE.get(status, 0), {"offered": 3, "booked": 4}.get(booking or "", 0))
    labels = forms.words()["steps"]
    return tuple(
        Step(
            sid,
            i18n.gettext(labels[sid]),
            "done" if i < done else "current" if i == done else "todo",
        )
        for i, sid in enumerate(_STEP_IDS)
    )


def give_video_consent(s: Session, case_id: int) -> None:
    case = repo.get_case(s, case_id)
    if case.video_consent_at is None:
        case.video_consent_at = t.utcnow()
        repo.audit(s, "patient", "consent.video", case_id)


def require_video_consent(s: Session, case_id: int, given_now: bool) -> None:
    """Refuse a video without the patient's consent to keep and measure it."""
    if given_now:
        give_video_consent(s, case_id)
    elif repo.get_case(s, case_id).video_consent_at is None:
        raise FormError({"video_consent": forms.error("video_consent")})


def ask(
    s: Session, outbox: Outbox, case_id: int, kind: str, message: str, base: str
) -> PatientRequestView:
    """Record a patient's request for staff (and e-mail the clinic). Withdrawing the video
    consent takes effect at once: no new video is accepted. The deletion itself is staff's."""
    if kind not in REQUEST_KINDS:
        raise InputError(f"kind must be one of {', '.join(REQUEST_KINDS)}, got {kind!r}")
    message = message.strip()
    if kind == "message" and not message:
        raise FormError({"message": forms.error("message_empty")})
    if len(message) > MESSAGE_MAX:
        raise FormError({"message": forms.error("message_long")})
    case = repo.get_case(s, case_id)
    row = t.PatientRequest(case_id=case_id, kind=kind, message=message)
    s.add(row)
    if kind == "withdraw_video":
        case.video_consent_at = None
    repo.audit(s, "patient", f"request.{kind}", case_id)
    s.flush()
    mail.queue(
        s,
        outbox,
        outbox.clinic.alert_email,
        "request",
        case_id=case_id,
        ref=reference(case_id),
        kind=forms.words()["request_kinds"][kind],
        case_url=f"{base}/clinic/cases/{case_id}",
    )
    return _request_view(row)


def _request_view(r: t.PatientRequest) -> PatientRequestView:
    return PatientRequestView(r.id, r.kind, r.message, r.created_at, r.handled_at)


def requests_of(s: Session, case_id: int) -> tuple[PatientRequestView, ...]:
    rows = s.scalars(
        select(t.PatientRequest)
        .where(t.PatientRequest.case_id == case_id)
        .order_by(t.PatientRequest.id)
    )
    return tuple(_request_view(r) for r in rows)


def mark_handled(s: Session, case_id: int, request_id: int, actor: str) -> PatientRequestView:
    row = s.get(t.PatientRequest, request_id)
    if row is None or row.case_id != case_id:
        raise NotFoundError(f"patient request {request_id} of case {case_id} does not exist")
    row.handled_at, row.handled_by = t.utcnow(), actor
    repo.audit(s, actor, "request.handled", row.case_id, request=request_id, kind=row.kind)
    return _request_view(row)


def drafts(s: Session, limit: int = 100) -> tuple[DraftRow, ...]:
    """Requests started and not sent, newest first (staff see them as drafts)."""
    rows = s.scalars(
        select(t.Case)
        .where(t.Case.status == CaseStatus.DRAFT.value, t.Case.merged_into.is_(None))
        .order_by(t.Case.updated_at.desc(), t.Case.id.desc())
        .limit(limit)
    )
    return tuple(
        DraftRow(
            c.id,
            c.patient_name,
            c.email,
            c.phone,
            sum(1 for v in (c.draft or {}).values() if str(v).strip()),
            c.created_at,
            c.updated_at,
        )
        for c in rows
    )


def follow_up_fields(kb: KnowledgeBase, home: PatientHome) -> tuple[forms.Field, ...]:
    """The follow-up questions of ``home`` as the form's fields (the patient's words)."""
    fields = forms.all_fields(kb)
    return tuple(fields[q.finding_id] for q in home.questions if q.finding_id in fields)


def plain_errors(kb: KnowledgeBase, errors: Mapping[str, str]) -> dict[str, str]:
    """Errors of recorded findings in the patient's words (the engine's are technical)."""
    fields = forms.all_fields(kb)
    out = {}
    for key, message in errors.items():
        fld = fields.get(key)
        if fld is None or "contradicts" in message:
            out[key] = forms.error("contradiction")
        elif fld.kind == "numeric":
            low, high = fld.value_range or (0, 0)
            out[key] = forms.error("range", low=f"{low:g}", high=f"{high:g}")
        else:
            out[key] = forms.error("choice")
    return out
