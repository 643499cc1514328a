"""The case page's patient side read with the case view: the patient's requests come with
the case's own query, and the possible duplicates are looked for only when the view's read
saw another request with the e-mail or the phone (by its key), with the same answers as
:func:`duplicates.duplicates_of` (which reads the case again)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from hemifacial.db import repositories as repo
from hemifacial.db.engine import transaction
from hemifacial.services import cases, duplicates, patients, reads

from .test_patients import BASE, KB, OUTBOX, sent


@contextmanager
def counted(s: Any) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = s.get_bind()

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _side(factory: Any, case_id: int) -> tuple[Any, tuple[Any, ...], list[str]]:
    with transaction(factory) as s:
        view = reads.case_view(s, KB, case_id)
        with counted(s) as seen:
            found = duplicates.duplicates_in_view(s, view)
        assert found == duplicates.duplicates_of(s, case_id)
        return view, found, seen


def test_no_query_for_duplicates_when_no_other_request_shares_the_contact(
    factory: Any,
) -> None:
    alone = sent(factory, {"side": "left"}, email="alone@example.org")
    sent(factory, {"side": "left"}, email="other@example.org")
    view, found, seen = _side(factory, alone)
    assert not view.contact_twin and found == () and seen == []


def test_the_same_email_whatever_its_case_or_a_matching_phone_is_found(factory: Any) -> None:
    first = sent(factory, {"side": "left"}, email="ann@example.org", phone="+44 20 7946 0958")
    second = sent(factory, {"age_at_onset": "50"}, email="ANN@example.org")
    third = sent(factory, {"side": "left"}, email="zed@example.org", phone="020 7946 0958")
    view, found, _ = _side(factory, first)
    assert view.contact_twin
    assert {d.case_id: d.reason for d in found} == {second: "e-mail", third: "phone"}
    view, found, _ = _side(factory, second)  # upper case: the query decides
    assert {d.case_id for d in found} == {first}
    view, found, seen = _side(factory, third)  # the phone alone: seen, then looked for
    assert view.contact_twin and seen and {d.case_id for d in found} == {first}


def test_a_phone_no_other_request_has_costs_no_query(factory: Any) -> None:
    """Most requests give a phone: one that matches nobody is known from the view's read."""
    alone = sent(factory, {"side": "left"}, email="dee@example.org", phone="07700 900123")
    sent(factory, {"side": "left"}, email="eve@example.org", phone="07700 900124")
    view, found, seen = _side(factory, alone)
    assert not view.contact_twin and found == () and seen == []


def test_a_merged_request_is_no_twin(factory: Any) -> None:
    keep = sent(factory, {"side": "left"}, email="bea@example.org")
    dup = sent(factory, {"side": "left"}, email="bea@example.org")
    with transaction(factory) as s:
        duplicates.merge(s, KB, keep, dup, "doc")
    view, found, seen = _side(factory, keep)
    assert not view.contact_twin and found == () and seen == []


def test_the_patients_requests_are_part_of_the_view(factory: Any) -> None:
    case_id = sent(factory, {"side": "left"}, email="cy@example.org")
    with transaction(factory) as s:
        assert reads.case_view(s, KB, case_id).patient_requests == ()
        patients.ask(s, OUTBOX, case_id, "message", "Can I come on Monday?", BASE)
    with transaction(factory) as s:
        got = reads.case_view(s, KB, case_id).patient_requests
        assert got == patients.requests_of(s, case_id)
        assert [r.message for r in got] == ["Can I come on Monday?"]


def test_the_history_reads_the_whole_result_of_the_latest_and_of_since_only(
    factory: Any,
) -> None:
    case_id = sent(factory, {"side": "left"}, email="dee@example.org")
    for value in ("yes", "no", "yes"):
        with transaction(factory) as s:
            cases.record_findings(
                s, KB, case_id, {"mri_mass_lesion": value}, source="test", actor="dr"
            )
    with transaction(factory) as s:
        full = repo.assessment_history(s, case_id)
        first, *_, before, latest = full
        rows = repo.history_of(s, case_id)
        assert [r.id for r in rows] == [a.id for a in full]
        assert [r.top for r in rows] == [a.result["ranking"][0] for a in full]
        assert [r.result is not None for r in rows] == [False, False, False, True]
        assert rows[-1].result == latest.result
        since = repo.history_of(s, case_id, since=first.id)
        assert [r.result is not None for r in since] == [True, False, False, True]
        assert since[0].result == first.result
        view = reads.case_view(s, KB, case_id, since=before.id)
        assert view.changed and view.changed == reads.changes_since(s, case_id, before.id)
        assert [h.top for h in view.history] == [a.result["ranking"][0]["name"] for a in full]
        assert view.assessment is not None and view.assessment.id == latest.id
