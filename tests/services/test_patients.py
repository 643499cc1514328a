"""The patient's side as use cases: e-mails through the outbox, "continue my request",
triage and the staff alert, steps, the video consent, the patient's requests, drafts,
duplicates and merging."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from hemifacial.db import tables as t
from hemifacial.db.engine import transaction
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.domain.status import CaseStatus
from hemifacial.errors import FormError
from hemifacial.services import duplicates, intake, mail, patients
from hemifacial.settings import ClinicInfo

KB = load_knowledge_base()
OUTBOX = mail.Outbox(ClinicInfo(name="Test Clinic", alert_email="desk@clinic.test"))
URGENT = {"side": "left", "other_neuro_symptoms": "yes", "facial_weakness": "yes"}
BASE = "http://clinic.test"


def start(s: Any, email: str = "ann@example.org", phone: str = "", video: bool = False) -> int:
    contact = intake.Contact("Ann", email, phone, "", True, video)
    case, _ = intake.start(s, contact, 30)
    return case.id


def sent(factory: Any, answers: dict[str, str], **contact: Any) -> int:
    with transaction(factory) as s:
        case_id = start(s, **contact)
        intake.save_draft(s, KB, case_id, answers)
        intake.submit(s, KB, case_id)
        patients.after_submit(s, OUTBOX, case_id, BASE)
        return case_id


def outbox(factory: Any) -> list[t.OutboxMail]:
    with transaction(factory) as s:
        rows = list(s.scalars(select(t.OutboxMail).order_by(t.OutboxMail.id)))
        s.expunge_all()
        return rows


def test_receipt_and_one_staff_alert_per_new_urgent_flag(factory: Any) -> None:
    case_id = sent(factory, URGENT)
    mails = outbox(factory)
    assert [(m.kind, m.to_addr) for m in mails] == [
        ("receipt", "ann@example.org"),
        ("alert", "desk@clinic.test"),
    ]
    assert mail.reference(case_id) in mails[0].body and "5 working days" in mails[0].body
    assert "other_neurological" in mails[1].body and "structural_signs" in mails[1].body
    assert "weak" not in mails[1].body.lower()  # no health details by e-mail
    with transaction(factory) as s:
        patients.alert_if_urgent(s, OUTBOX, case_id, BASE)  # nothing new: no second alert
    assert len(outbox(factory)) == 2


def test_triage_tells_urgent_from_soon_in_the_patients_words(factory: Any) -> None:
    urgent = sent(factory, URGENT)
    soon = sent(factory, {"side": "left", "trigeminal_neuralgia": "yes"}, email="b@x.test")
    calm = sent(factory, {"side": "left"}, email="c@x.test")
    tokens = {}
    with transaction(factory) as s:
        for cid in (urgent, soon, calm):
            tokens[cid] = intake.new_link(s, cid, 30)
    with transaction(factory) as s:
        home = intake.patient_home(s, KB, tokens[urgent])
        assert home.triage is not None and home.triage.level == "urgent"
        assert any("double vision" in r for r in home.triage.reasons)
        home = intake.patient_home(s, KB, tokens[soon])
        assert home.triage is not None and home.triage.level == "soon"
        assert home.triage.reasons == ("Attacks of sharp pain in your face.",)
        assert intake.patient_home(s, KB, tokens[calm]).triage is None


def test_steps_follow_the_status() -> None:
    states = [st.state for st in patients.steps(CaseStatus.NEW)]
    assert states == ["done", "current", "todo", "todo", "todo"]
    states = [st.state for st in patients.steps(CaseStatus.AWAITING_TESTS)]
    assert states == ["done", "done", "current", "todo", "todo"]
    assert {st.state for st in patients.steps(CaseStatus.CLOSED)} == {"done"}
    states = [st.state for st in patients.steps(CaseStatus.NEW, "offered")]
    assert states == ["done", "done", "done", "current", "todo"]
    states = [st.state for st in patients.steps(CaseStatus.AWAITING_TESTS, "booked")]
    assert states == ["done", "done", "done", "done", "current"]


def test_continue_sends_a_fresh_link_only_to_a_known_address(factory: Any) -> None:
    with transaction(factory) as s:
        case_id = start(s, email="Ann@Example.org")
    with transaction(factory) as s:
        assert patients.resume(s, OUTBOX, "nobody@example.org", BASE, 30) is None
        assert patients.resume(s, OUTBOX, "  ann@example.ORG ", BASE, 30) is None
    (link,) = outbox(factory)
    assert link.kind == "link" and link.to_addr == "Ann@Example.org"
    token = link.body.split(f"{BASE}/p/")[1].split()[0]
    with transaction(factory) as s:
        assert intake.case_for_token(s, token).id == case_id
        actions = list(s.scalars(select(t.AuditEvent.action).order_by(t.AuditEvent.id)))
    assert actions[-2:] == ["link.resume_unknown", "link.resume"]
    with transaction(factory) as s:  # a few an hour, then nothing more (same answer)
        for _ in range(5):
            patients.resume(s, OUTBOX, "ann@example.org", BASE, 30)
    assert len(outbox(factory)) == patients.RESUME_PER_HOUR


def test_video_consent_is_separate_and_can_be_withdrawn(factory: Any) -> None:
    with transaction(factory) as s:
        case_id = start(s)
        with pytest.raises(FormError) as info:
            patients.require_video_consent(s, case_id, False)
        assert "tick the box" in info.value.fields["video_consent"]
        patients.require_video_consent(s, case_id, True)
        patients.require_video_consent(s, case_id, False)  # given once is enough
        patients.ask(s, OUTBOX, case_id, "withdraw_video", "", BASE)
        with pytest.raises(FormError):
            patients.require_video_consent(s, case_id, False)
        with pytest.raises(FormError) as info:
            patients.ask(s, OUTBOX, case_id, "message", "  ", BASE)
        assert info.value.fields["message"] == "Please write your message."
        patients.ask(s, OUTBOX, case_id, "delete", "", BASE)
        asked = patients.requests_of(s, case_id)
    assert [r.kind for r in asked] == ["withdraw_video", "delete"]
    assert [m.kind for m in outbox(factory)] == ["request", "request"]
    with transaction(factory) as s:
        done = patients.mark_handled(s, case_id, asked[1].id, "doc")
    assert done.handled_at is not None


def test_drafts_are_listed_for_staff(factory: Any) -> None:
    with transaction(factory) as s:
        draft = start(s)
        intake.save_draft(s, KB, draft, {"side": "left", "age_at_onset": ""})
    sent(factory, {"side": "right"}, email="z@x.test")
    with transaction(factory) as s:
        rows = patients.drafts(s)
    assert [(r.case_id, r.answered) for r in rows] == [(draft, 1)]


def test_same_email_or_phone_is_a_possible_duplicate_and_can_be_merged(factory: Any) -> None:
    first = sent(factory, {"side": "left"}, email="ann@example.org", phone="+44 20 7946 0958")
    with transaction(factory) as s:
        before = s.get(t.Case, first).revision  # type: ignore[union-attr]
    second = sent(factory, {"age_at_onset": "50"}, email="ANN@example.org")
    with transaction(factory) as s:  # its cached case page must show the new twin
        assert s.get(t.Case, first).revision > before  # type: ignore[union-attr]
    third = sent(factory, {"side": "left"}, email="other@example.org", phone="020 7946 0958")
    with transaction(factory) as s:
        found = {d.case_id: d.reason for d in duplicates.duplicates_of(s, first)}
        assert found == {second: "e-mail", third: "phone"}
        duplicates.merge(s, KB, first, second, "doc")
    with transaction(factory) as s:
        kept, gone = s.get(t.Case, first), s.get(t.Case, second)
        assert gone is not None and gone.merged_into == first and gone.status == "closed"
        values = {
            f.finding_id: f.value
            for f in s.scalars(select(t.Finding).where(t.Finding.case_id == first))
        }
        assert values["age_at_onset"] == "50" and values["side"] == "left"
        assert {d.case_id for d in duplicates.duplicates_of(s, first)} == {third}
        assert kept is not None
    with pytest.raises(Exception, match="already merged"), transaction(factory) as s:
        duplicates.merge(s, KB, first, second, "doc")
