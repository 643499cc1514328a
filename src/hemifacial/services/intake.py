"""The patient's consultation request: contact and consent, partial answers saved as typed,
validation per field, review, submission (all or nothing), the private link, follow-ups."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.domain.case import parse_case, stored_value
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning import workup
from hemifacial.domain.status import CaseStatus
from hemifacial.errors import (
    ContradictionError,
    FormError,
    InputError,
    NotFoundError,
    PatientFindingError,
    PermissionDeniedError,
)

from . import booking, duplicates, forms, i18n, mail, patients
from .accounts import token_hash
from .cases import effective_findings, reassess, record_findings
from .i18n import gettext as _
from .patient_views import PatientHome, PatientVideo
from .stored import case_header, stored_assessment
from .views import CaseHeader, StoredAssessment

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^[+()\d][\d\s()./-]{5,24}$")
MAX_FOLLOW_UPS = 3


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str
    birth_year: str
    consent: bool
    video_consent: bool = False
    language: str | None = None  # the language the patient reads (services.i18n)


def validate_contact(c: Contact) -> dict[str, str]:
    """Errors by field, in the patient's words (patient_words.yaml)."""
    errors: dict[str, str] = {}
    if not c.name.strip():
        errors["name"] = forms.error("name_missing")
    elif len(c.name) > 200:
        errors["name"] = forms.error("name_long")
    elif not c.name.isprintable():
        errors["name"] = forms.error("name_control")
    if not c.email.strip() and not c.phone.strip():
        errors["email"] = forms.error("reach_missing")
    if c.email.strip() and not EMAIL.match(c.email.strip()):
        errors["email"] = forms.error("email")
    if c.phone.strip() and not PHONE.match(c.phone.strip()):
        errors["phone"] = forms.error("phone")
    if c.birth_year.strip():
        year = c.birth_year.strip()
        this_year = dt.date.today().year
        if not year.isdigit() or not 1900 <= int(year) <= this_year:
            errors["birth_year"] = forms.error("birth_year", this_year=this_year)
    if not c.consent:
        errors["consent"] = forms.error("consent")
    return errors


def new_link(s: Session, case_id: int, days: int) -> str:
    """A fresh private link token for the patient (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    s.add(
        t.PatientLink(
            case_id=case_id,
            token_hash=token_hash(token),
            expires_at=t.utcnow() + dt.timedelta(days=days),
        )
    )
    return token


def new_link_for(s: Session, case_id: int, days: int, actor: str) -> str:
    """A new private link for an existing case, made by ``actor`` (audited); the case's
    earlier links are revoked (one working link per case)."""
    repo.get_case(s, case_id)
    revoked = repo.revoke_links(s, case_id)
    token = new_link(s, case_id, days)
    repo.audit(s, actor, "link.create", case_id, revoked=revoked)
    return token


def revoke_links(s: Session, case_id: int, actor: str) -> int:
    """Revoke every link of the case (audited); returns how many still worked."""
    repo.get_case(s, case_id)
    revoked = repo.revoke_links(s, case_id)
    repo.audit(s, actor, "link.revoke", case_id, revoked=revoked)
    return revoked


def start(s: Session, contact: Contact, link_days: int) -> tuple[CaseHeader, str]:
    """Create the draft request from contact and consent; returns (case, private token)."""
    errors = validate_contact(contact)
    if errors:
        raise FormError(errors)
    case = t.Case(
        status="draft",
        patient_name=contact.name.strip(),
        email=contact.email.strip(),
        phone=contact.phone.strip(),
        birth_year=int(contact.birth_year) if contact.birth_year.strip() else None,
        consent_at=t.utcnow(),
        video_consent_at=t.utcnow() if contact.video_consent else None,
        language=i18n.known(contact.language),
        search_text=f"{contact.name} {contact.email} {contact.phone}".lower()[:400],
        draft={},
        extras={},
    )
    s.add(case)
    s.flush()
    token = new_link(s, case.id, link_days)
    repo.audit(s, "patient", "request.start", case.id)
    if duplicates.flag_twins(s, case.id):
        repo.audit(s, "system", "case.possible_duplicate", case.id)
    return case_header(case), token


def case_for_token(s: Session, token: str) -> CaseHeader:
    """The one case a private link opens; expired or revoked links are refused."""
    return case_header(_case_row(s, token))


def _case_row(s: Session, token: str) -> t.Case:
    link = repo.link_by_hash(s, token_hash(token))
    if link is None:
        raise NotFoundError(_("this link is not valid; please ask the clinic for a new one"))
    if link.revoked or link.expires_at < t.utcnow():
        raise PermissionDeniedError(
            _("this link has expired; please ask the clinic to send you a new one")
        )
    return repo.get_case(s, link.case_id)


PATIENT_GROUPS = frozenset({"demographics", "spasm", "associated", "history"})
"""The evidence base's finding groups a patient can report: who they are, what the spasm is
like, other symptoms, their history. Group ``tests`` (imaging, EMG, EEG, CSF, blood) holds
results only the clinic records."""


def patient_reportable(kb: KnowledgeBase) -> frozenset[str]:
    """The findings a patient's link may send: those of :data:`PATIENT_GROUPS` that the
    patient's own form asks about."""
    asked = forms.all_fields(kb)
    return frozenset(
        fid for fid, f in kb.findings.items() if f.group in PATIENT_GROUPS and fid in asked
    )


def writable_case_for_token(s: Session, token: str) -> CaseHeader:
    """The link's case if the patient may still add to it (refused once it is closed)."""
    case = case_for_token(s, token)
    if case.status == CaseStatus.CLOSED:
        raise PatientFindingError(
            _("this case is closed, so nothing more can be added here; please contact the clinic")
        )
    return case


def record_patient_answers(
    s: Session, kb: KnowledgeBase, token: str, answers: Mapping[str, str]
) -> list[str]:
    """The patient's follow-up answers: history and symptoms only, never a test result,
    nothing on a closed case or before the request is sent. Returns the finding ids saved."""
    case = writable_case_for_token(s, token)
    if case.status == CaseStatus.DRAFT:
        raise InputError(_("this request was not sent yet; answer the request's questions instead"))
    allowed = patient_reportable(kb)
    refused = {
        k: f"'{k}' is a {kb.findings[k].group} result that only the clinic records"
        for k in answers
        if k in kb.findings and k not in allowed
    }
    if refused:
        names = ", ".join(sorted(refused))
        raise PatientFindingError(
            f"a patient's link can send answers about history and symptoms only, not {names}",
            refused,
        )
    answers = {k: v for k, v in answers.items() if v.strip()}
    if answers:
        record_findings(s, kb, case.id, answers, source="patient", actor="patient")
    return sorted(answers)


def clean_draft(kb: KnowledgeBase, raw: Mapping[str, Any]) -> dict[str, str]:
    """Keep only known fields, as typed (strings, bounded length)."""
    known = forms.all_fields(kb)
    return {k: str(v)[: forms.TEXT_MAX] for k, v in raw.items() if k in known and v is not None}


def save_draft(
    s: Session, kb: KnowledgeBase, case_id: int, raw: Mapping[str, Any]
) -> dict[str, str]:
    """Save partial answers exactly as typed, without judging them (nothing is lost);
    returns the whole draft as saved."""
    case = repo.get_case(s, case_id)
    if case.status != CaseStatus.DRAFT:
        raise InputError(_("this request was already sent; use the follow-up questions instead"))
    case.draft = {**(case.draft or {}), **clean_draft(kb, raw)}
    return dict(case.draft)


def visible(field: forms.Field, answers: Mapping[str, str]) -> bool:
    return field.show_if is None or answers.get(field.show_if[0]) == field.show_if[1]


def validate_answers(
    kb: KnowledgeBase, raw: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(findings, free-text extras, errors by field) for the visible answered questions."""
    findings: dict[str, str] = {}
    extras: dict[str, str] = {}
    errors: dict[str, str] = {}
    for fld in forms.all_fields(kb).values():
        value = str(raw.get(fld.key, "")).strip()
        if not value or not visible(fld, raw):
            continue
        if not fld.is_finding:
            extras[fld.key] = value[: forms.TEXT_MAX]
            continue
        try:
            stored = stored_value(kb, fld.key, value)
        except InputError:
            errors[fld.key] = _plain(fld, value)
            continue
        if stored != "unknown":
            findings[fld.key] = stored
    if not errors:
        try:
            parse_case(kb, findings)
        except ContradictionError as exc:
            errors[exc.field or "_form"] = _contradiction(str(exc))
        except InputError:
            errors["_form"] = forms.error("contradiction")
    return findings, extras, errors


def _plain(fld: forms.Field, value: str) -> str:
    """What is wrong with an answer, in the patient's words (never the internal key)."""
    if fld.kind != "numeric":
        return forms.error("choice")
    try:
        float(value)
    except ValueError:
        return forms.error("number")
    low, high = fld.value_range or (0, 0)
    return forms.error("range", low=f"{low:g}", high=f"{high:g}")


def _contradiction(message: str) -> str:
    if "present_in_sleep" in message:
        return forms.error("sleep_or_voluntary")
    if "laterality" in message:
        return forms.error("one_side_both")
    return forms.error("contradiction")


def submit(s: Session, kb: KnowledgeBase, case_id: int) -> StoredAssessment:
    """Turn the saved draft into findings and a first assessment, all or nothing."""
    case = repo.get_case(s, case_id)
    if case.status != CaseStatus.DRAFT:
        raise InputError(_("this request was already sent"))
    findings, extras, errors = validate_answers(kb, case.draft or {})
    if errors:
        raise FormError(errors)
    for key, value in findings.items():
        s.add(
            t.Finding(
                case_id=case.id,
                finding_id=key,
                value=value,
                source="patient",
                recorded_by="patient",
            )
        )
    case.extras = extras
    case.status = CaseStatus.NEW.value
    case.submitted_at = t.utcnow()
    repo.audit(s, "patient", "request.submit", case.id, findings=sorted(findings))
    s.flush()
    return stored_assessment(reassess(s, kb, case, "consultation request submitted"))


def follow_ups(
    kb: KnowledgeBase, setting: str, values: Mapping[str, str]
) -> tuple[workup.Question, ...]:
    """The few open history questions that would help most (the clinic's follow-ups)."""
    state = workup.WorkupState(setting, dict(values), frozenset())
    return tuple(workup.ranked_questions(kb, state)[:MAX_FOLLOW_UPS])


def patient_home(s: Session, kb: KnowledgeBase, token: str) -> PatientHome:
    """What the patient sees on their private link: status, follow-ups, their videos."""
    case = _case_row(s, token)
    draft = case.status == CaseStatus.DRAFT
    values = {} if draft else effective_findings(kb, repo.findings_of(s, case.id)).values
    videos = tuple(
        PatientVideo(
            v.video.filename,
            v.job.status if v.job else "stored",
            v.job.progress if v.job else 1.0,
            v.job.error if v.job else None,
            v.analysis is not None,
        )
        for v in repo.videos_of(s, case.id)
    )
    flags = [] if draft else _red_flags(s, case.id)
    return PatientHome(
        case.id,
        case.patient_name,
        CaseStatus(case.status),
        dict(case.draft or {}) if draft else {},
        () if draft else follow_ups(kb, case.setting, values),
        videos,
        reference=mail.reference(case.id),
        triage=patients.triage(flags),
        steps=patients.steps(CaseStatus(case.status), booking.stage(s, case.id)),
        video_consent=case.video_consent_at is not None,
        asked=tuple(r.kind for r in patients.requests_of(s, case.id) if r.handled_at is None),
    )


def _red_flags(s: Session, case_id: int) -> list[dict[str, Any]]:
    latest = repo.latest_assessment(s, case_id)
    return list(latest.result.get("red_flags", [])) if latest else []
