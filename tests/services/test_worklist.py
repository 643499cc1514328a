"""The worklist service on SQLite and PostgreSQL: validation of its parameters, sorting and
filters in SQL, drafts and duplicates, assignment, unread marks, a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from hemifacial.db import tables as t
from hemifacial.db.engine import transaction
from hemifacial.db.seen import SeenLog
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.errors import InvalidValueError, QueryParamError
from hemifacial.services import accounts, intake, worklist

KB = load_knowledge_base()
PEOPLE = [  # name, e-mail, phone, year of birth, answers
    ("Ada", "ada@example.org", "", "1966", {"age_at_onset": "52", "side": "left", "sex": "female"}),
    (
        "Ben",
        "ben@example.org",
        "+44 20 7946 0000",
        "1990",
        {"side": "right", "other_neuro_symptoms": "yes"},
    ),
    # Ben's number as dialled at home: the same phone (its last nine digits)
    ("Cleo", "cleo@example.org", "020 7946 0000", "", {"side": "both", "sex": "female"}),
    ("Ada again", "ADA@Example.org", "", "1966", {"side": "left"}),
    ("Dan", "dan@example.org", "", "1980", {}),
]


def q(**params: str) -> Any:
    return worklist.parse_query(KB, params)


@pytest.fixture
def ids(factory: Any) -> dict[str, int]:
    out = {}
    with transaction(factory) as s:
        accounts.create_user(s, "doc", "correct horse battery", "Dr Doc")
        for name, email, phone, born, answers in PEOPLE:
            case, _ = intake.start(s, intake.Contact(name, email, phone, born, True), 7)
            intake.save_draft(s, KB, case.id, answers)
            intake.submit(s, KB, case.id)
            out[name] = case.id
        draft, _ = intake.start(s, intake.Contact("Fay", "fay@example.org", "", "", True), 7)
        out["Fay"] = draft.id
    return out


def names(factory: Any, query: Any, viewer: str = "doc", **kw: Any) -> list[str]:
    with transaction(factory) as s:
        return [r.patient_name for r in worklist.dashboard(s, KB, query, viewer, **kw).rows]


def test_the_page_ignores_values_it_does_not_know_and_the_api_names_them() -> None:
    lenient = q(sort="bogus", side="up", page="x", view="nope", order="sideways")
    assert (lenient.sort, lenient.side, lenient.page, lenient.view) == ("red", "", 1, "submitted")
    with pytest.raises(QueryParamError) as err:
        worklist.parse_query(KB, {"sort": "bogus", "side": "up", "page": "0"}, strict=True)
    assert set(err.value.fields) == {"sort", "side", "page"} and err.value.http_status == 400
    with pytest.raises(QueryParamError, match="status: must be one of new"):
        worklist.parse_query(KB, {"status": "draft"}, strict=True)
    assert q(sort="age").order == "asc" and q(sort="submitted").order == "desc"
    assert q(view="duplicates").sort == "contact"


def test_sorted_in_the_database_unknown_values_last(factory: Any, ids: dict[str, int]) -> None:
    youngest = names(factory, q(sort="age", order="asc"))
    assert youngest[:2] == ["Ben", "Dan"] and set(youngest[2:4]) == {"Ada", "Ada again"}
    assert youngest[4] == "Cleo"  # no year of birth: last either way
    assert set(names(factory, q(sort="age", order="desc"))[:2]) == {"Ada", "Ada again"}
    assert names(factory, q(sort="age", order="desc"))[-1] == "Cleo"  # no year of birth
    assert names(factory, q(sort="name", order="asc")) == sorted(p[0] for p in PEOPLE)
    assert names(factory, q())[0] == "Ben"  # the red flag first by default
    by_sex = names(factory, q(sort="sex", order="asc"))
    assert by_sex[:2] == ["Ada", "Cleo"] and set(by_sex[2:]) == {"Ben", "Ada again", "Dan"}


def test_filters(factory: Any, ids: dict[str, int]) -> None:
    assert names(factory, q(side="left", sort="id", order="asc")) == ["Ada", "Ada again"]
    assert names(factory, q(sex="female", side="both")) == ["Cleo"]
    assert names(factory, q(red="soon")) == ["Ben"] and names(factory, q(red="urgent")) == ["Ben"]
    with transaction(factory) as s:
        page = worklist.dashboard(s, KB, q(sort="id", order="asc"), "doc")
    dan = next(r for r in page.rows if r.patient_name == "Dan")
    assert dan.no_findings and not page.rows[0].no_findings  # Dan's ranking is the prior
    leading = page.rows[0].top_condition
    assert leading and "Ada" in names(factory, q(cause=leading))
    assert names(factory, q(q="CLEO")) == ["Cleo"]


def test_drafts_and_possible_duplicates(factory: Any, ids: dict[str, int]) -> None:
    assert names(factory, q(view="drafts")) == ["Fay"]
    assert "Fay" not in names(factory, q())
    assert sorted(names(factory, q(view="duplicates"))) == ["Ada", "Ada again", "Ben", "Cleo"]
    with transaction(factory) as s:
        rows = worklist.dashboard(s, KB, q(sort="id", order="asc"), "doc").rows
    assert [r.possible_duplicate for r in rows] == [True, True, True, True, False]


def test_assignment_is_stored_audited_and_filtered(factory: Any, ids: dict[str, int]) -> None:
    with transaction(factory) as s:
        assert worklist.assign(s, ids["Cleo"], "doc", "doc") == "doc"
        with pytest.raises(InvalidValueError, match="no clinician"):
            worklist.assign(s, ids["Dan"], "nobody-here", "doc")
    assert names(factory, q(assignee="me")) == ["Cleo"]
    assert "Cleo" not in names(factory, q(assignee="none"))
    assert names(factory, q(assignee="doc")) == ["Cleo"]
    with transaction(factory) as s:
        audit = s.query(t.AuditEvent).filter_by(action="case.assign").one()
        assert audit.case_id == ids["Cleo"] and audit.detail == {"old": None, "new": "doc"}
        worklist.assign(s, ids["Cleo"], "", "doc")
    assert names(factory, q(assignee="me")) == []


def test_unread_until_looked_at_and_again_after_a_change(
    factory: Any, engine: Any, ids: dict[str, int]
) -> None:
    seen = SeenLog(engine)
    with transaction(factory) as s:
        revision = s.get(t.Case, ids["Ben"]).revision
    seen.record("doc", ids["Ben"], revision)
    # not written yet: the caller's pending marks already count
    with transaction(factory) as s:
        rows = worklist.dashboard(s, KB, q(), "doc", seen.pending("doc")).rows
    assert {r.patient_name: r.unread for r in rows}["Ben"] is False
    assert seen.flush() == 1
    with transaction(factory) as s:  # written: read back from the database, per viewer
        for viewer, unread in (("doc", False), ("eve", True)):
            rows = worklist.dashboard(s, KB, q(), viewer).rows
            assert {r.patient_name: r.unread for r in rows}["Ben"] is unread
    assert "Ben" not in names(factory, q(unread="1"))
    assert "Ben" in names(factory, q(unread="1"), viewer="eve")  # per user
    with transaction(factory) as s:
        s.get(t.Case, ids["Ben"]).status = "closed"  # any change raises the revision
    assert "Ben" in names(factory, q(unread="1", status="closed"))


def test_video_status_follows_the_jobs(factory: Any, ids: dict[str, int]) -> None:
    with transaction(factory) as s:
        video = t.Video(
            case_id=ids["Ada"], sha256="0" * 64, filename="a.mp4", size=1, uploaded_by="doc"
        )
        s.add(video)
        s.flush()
        job = t.Job(kind="video_analysis", video_id=video.id, status="queued")
        s.add(job)
    assert names(factory, q(video="queued")) == ["Ada"]
    with transaction(factory) as s:
        s.get(t.Job, job.id).status = "failed"
    assert names(factory, q(video="failed")) == ["Ada"]
    assert "Ada" not in names(factory, q(video="none"))


def test_a_page_costs_the_same_queries_however_many_rows(
    factory: Any, engine: Any, ids: dict[str, int]
) -> None:
    statements: list[str] = []

    def log(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", log)
    try:
        names(factory, q(side="both"))  # one row
        one = len(statements)
        first = list(statements)
        statements.clear()
        names(factory, q(side="left"))  # two rows
        assert len(statements) == one
        if engine.dialect.name == "postgresql":
            # the one query of every view (the page itself is cached per generation): the
            # same text for any rows, so psycopg converts it once and can prepare it
            def seen(found: list[str]) -> list[str]:
                return [x for x in found if "FROM case_seen" in x]

            assert len(seen(first)) == 1 and seen(statements) == seen(first)
    finally:
        event.remove(engine, "before_cursor_execute", log)


def test_red_flags_sort_both_ways(factory: Any, ids: dict[str, int]) -> None:
    assert names(factory, q(sort="red", order="desc"))[0] == "Ben"
    assert names(factory, q(sort="red", order="asc"))[-1] == "Ben"
