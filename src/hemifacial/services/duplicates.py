"""Possible duplicates: another request with the same e-mail address or phone number is
flagged to staff, who can merge it into the one they keep (findings, videos, notes,
visits, links and the patient's requests move; the duplicate is closed and points to it).
"""

from __future__ import annotations

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.status import CaseStatus
from hemifacial.errors import InvalidValueError

from .cases import reassess
from .patient_views import DuplicateView
from .views import CaseView

_MOVED = (t.Finding, t.Video, t.Note, t.Visit, t.PatientLink, t.PatientRequest, t.OutboxMail)


def duplicates_of(s: Session, case_id: int) -> tuple[DuplicateView, ...]:
    """The other open requests that share this one's e-mail or phone."""
    case = repo.get_case(s, case_id)
    return _views(same_contact(s, case))


def duplicates_in_view(s: Session, view: CaseView) -> tuple[DuplicateView, ...]:
    """:func:`duplicates_of` the case of ``view``, from the contact the view holds; no query
    when the view's read found no other request with its e-mail or its phone."""
    c = view.case
    if not view.contact_twin and not _may_differ(c.email):
        return ()
    return _views(_same_contact(s, c.id, c.email, c.phone))


def _may_differ(email: str) -> bool:
    """Whether SQL's lower() of ``email`` might not be Python's ``email.strip().lower()``
    (the e-mail check of the view's read compares both sides in SQL, whose lower() follows
    the database's locale): then the query decides."""
    return email != email.strip().lower() or not email.isascii()


def _views(found: list[tuple[t.Case, str]]) -> tuple[DuplicateView, ...]:
    return tuple(
        DuplicateView(o.id, o.patient_name, CaseStatus(o.status), why, o.created_at)
        for o, why in found
    )


def flag_twins(s: Session, case_id: int) -> int:
    """Raise the revision of the requests that share this one's contact, so that their
    case pages (cached by revision) show the new possible duplicate; returns how many."""
    twins = [o.id for o, _ in same_contact(s, repo.get_case(s, case_id))]
    if twins:
        s.execute(
            update(t.Case)
            .where(t.Case.id.in_(twins))
            .values(revision=t.Case.revision + 1)
            .execution_options(synchronize_session=False)
        )
    return len(twins)


def merge(s: Session, kb: KnowledgeBase, keep_id: int, dup_id: int, actor: str) -> None:
    """Merge request ``dup_id`` into ``keep_id``: everything of it moves, it is closed."""
    if keep_id == dup_id:
        raise InvalidValueError("a request cannot be merged into itself")
    keep = repo.get_case(s, keep_id, lock=True)
    dup = repo.get_case(s, dup_id, lock=True)
    if dup.merged_into is not None or keep.merged_into is not None:
        raise InvalidValueError("one of these requests was already merged")
    for table in _MOVED:
        s.execute(update(table).where(table.case_id == dup_id).values(case_id=keep_id))
    keep.extras = {**(dup.extras or {}), **(keep.extras or {})}
    if keep.status == CaseStatus.DRAFT:
        keep.draft = {**(dup.draft or {}), **(keep.draft or {})}
    if keep.video_consent_at is None:
        keep.video_consent_at = dup.video_consent_at
    dup.status, dup.merged_into, dup.draft = CaseStatus.CLOSED.value, keep_id, {}
    dup.updated_at = keep.updated_at = t.utcnow()
    repo.audit(s, actor, "case.merge", keep_id, merged=dup_id)
    repo.audit(s, actor, "case.merged_into", dup_id, into=keep_id)
    s.flush()
    s.expire_all()
    if keep.status != CaseStatus.DRAFT:
        reassess(s, kb, repo.get_case(s, keep_id), f"merged request {dup_id}")


def same_contact(s: Session, case: t.Case) -> list[tuple[t.Case, str]]:
    """Other requests with this case's e-mail or phone, with what matched."""
    return _same_contact(s, case.id, case.email, case.phone)


def _same_contact(s: Session, case_id: int, email: str, phone: str) -> list[tuple[t.Case, str]]:
    email, key = email.strip().lower(), t.phone_key(phone)
    cond = []
    if email:
        cond.append(func.lower(t.Case.email) == email)
    if key:
        cond.append(t.Case.phone_key == key)
    if not cond:
        return []
    found: list[tuple[t.Case, str]] = []
    others = s.scalars(
        select(t.Case)
        .where(or_(*cond), t.Case.id != case_id, t.Case.merged_into.is_(None))
        .order_by(t.Case.id)
    )
    for other in others:
        why = [
            name
            for name, hit in (
                ("e-mail", bool(email) and other.email.strip().lower() == email),
                ("phone", bool(key) and other.phone_key == key),
            )
            if hit
        ]
        if why:
            found.append((other, " and ".join(why)))
    return found
