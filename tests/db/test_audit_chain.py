"""The audit trail is one hash chain: appends from many writers never fork it, and
verification names an edited, deleted or reordered row (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from hemifacial.db import audit as chain
from hemifacial.db import tables as t
from hemifacial.db.engine import transaction


def _append(engine: Engine, n: int, actor: str = "doc") -> None:
    for i in range(n):
        with engine.begin() as conn:
            chain.append(conn, [chain.Entry(actor, "case.view", i, {"i": i})])


def _verdict(engine: Engine) -> chain.Verdict:
    with engine.connect() as conn:
        return chain.verify(conn)


def _behind_the_apps_back(engine: Engine, *statements: str) -> None:
    """What a database owner can do: lift the append-only triggers and change rows."""
    dialect = engine.dialect.name
    with engine.begin() as conn:
        for s in chain.unguard_sql(dialect):
            conn.execute(text(s))
        for s in statements:
            conn.execute(text(s))
        for s in chain.guard_sql(dialect):
            conn.execute(text(s))


def test_an_untouched_chain_verifies_and_the_head_is_its_last_row(engine: Engine) -> None:
    _append(engine, 5)
    v = _verdict(engine)
    assert v.ok and v.rows == 5 and v.head_seq == 5
    with engine.connect() as conn:
        last = conn.execute(select(t.AuditEvent.hash).where(t.AuditEvent.seq == 5)).scalar()
    assert v.head_hash == last


def test_the_database_refuses_to_update_or_delete_audit_rows(engine: Engine) -> None:
    _append(engine, 1)
    for statement in ("UPDATE audit SET actor = 'x'", "DELETE FROM audit"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    assert _verdict(engine).ok


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        ("UPDATE audit SET actor = 'mallory' WHERE seq = 3", "row 3: was changed"),
        ("UPDATE audit SET detail = '{\"i\": 99}' WHERE seq = 2", "row 2: was changed"),
        ("UPDATE audit SET at = '2020-01-01 00:00:00' WHERE seq = 4", "row 4: was changed"),
        ("DELETE FROM audit WHERE seq = 3", "row 3 is missing"),
        ("DELETE FROM audit WHERE seq = 6", "the chain ends at row 5 but its head is row 6"),
        # reordered: rows 2 and 3 swap places (their numbers), contents unchanged
        (
            "UPDATE audit SET seq = -2 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3; "
            "UPDATE audit SET seq = 3 WHERE seq = -2",
            "row 2: does not link",
        ),
    ],
    ids=["edited-actor", "edited-detail", "edited-time", "deleted", "tail-deleted", "reordered"],
)
def test_verification_names_every_kind_of_tampering(
    engine: Engine, tamper: str, expected: str
) -> None:
    _append(engine, 6)
    _behind_the_apps_back(engine, *tamper.split("; "))
    v = _verdict(engine)
    found = [f"row {p.seq}: {p.message}" if p.seq else p.message for p in v.problems]
    assert not v.ok and any(expected in f for f in found), found


def test_concurrent_writers_append_one_unbroken_chain(engine: Engine) -> None:
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            _append(engine, 15, actor=name)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    v = _verdict(engine)
    assert v.ok and v.rows == 120 and v.head_seq == 120


def test_rows_queued_by_a_unit_of_work_join_the_chain_only_if_it_commits(
    factory: Any, engine: Engine
) -> None:
    from hemifacial.db import repositories as repo

    with transaction(factory) as s:
        repo.audit(s, "doc", "note.add", 1)
        s.rollback()  # a refused form: nothing of it is kept, nor audited
        repo.audit(s, "doc", "note.add", 2)
    with pytest.raises(RuntimeError), transaction(factory) as s:
        repo.audit(s, "doc", "note.add", 3)
        raise RuntimeError("the action failed")
    with engine.connect() as conn:
        cases = conn.execute(select(t.AuditEvent.case_id).order_by(t.AuditEvent.seq)).scalars()
        assert list(cases) == [2]
    assert _verdict(engine).ok


def test_control_characters_never_reach_the_database_and_still_verify(engine: Engine) -> None:
    with engine.begin() as conn:
        entry = chain.Entry(
            "a\x00b", "login.failed", None, {"q": "x\x00y"}, chain.Client("::1", "ua\x00")
        )
        chain.append(conn, [entry])
    with engine.connect() as conn:
        row = conn.execute(select(t.AuditEvent)).one()
    assert "\x00" not in row.actor + row.user_agent + str(row.detail)
    assert _verdict(engine).ok


def test_reads_are_group_committed_each_durable_when_write_returns(engine: Engine) -> None:
    from hemifacial.db.audit_writer import AuditWriter

    writer = AuditWriter(engine)
    done: list[int] = []

    def reader(n: int) -> None:
        for i in range(10):
            writer.write(chain.Entry(f"r{n}", "case.view", i))
            with engine.connect() as conn:  # committed before write() returned
                got = conn.execute(
                    select(t.AuditEvent.seq).where(
                        t.AuditEvent.actor == f"r{n}", t.AuditEvent.case_id == i
                    )
                ).first()
            assert got is not None
            done.append(n)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(12)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    v = _verdict(engine)
    assert len(done) == 120 and v.ok and v.rows == 120


def test_a_failed_group_commit_raises_in_every_waiting_request() -> None:
    from hemifacial.db.audit_writer import AuditWriter
    from hemifacial.db.engine import make_engine

    writer = AuditWriter(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    with pytest.raises(DBAPIError):
        writer.write(chain.Entry("doc", "case.view", 1))
