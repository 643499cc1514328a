"""View audit rows: written in batches, kept and retried while the database is away."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hemifacial.db import tables as t
from hemifacial.db.engine import make_engine, transaction
from hemifacial.db.viewlog import ViewLog


def _audit(factory: Any) -> list[tuple[str, str, int | None, dict[str, Any]]]:
    with transaction(factory) as s:
        rows = s.execute(
            select(
                t.AuditEvent.actor, t.AuditEvent.action, t.AuditEvent.case_id, t.AuditEvent.detail
            ).order_by(t.AuditEvent.id)
        ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def test_views_are_written_in_order_by_the_background_thread_and_on_stop(
    engine: Any, factory: Any
) -> None:
    log = ViewLog(engine, interval_s=0.05)
    log.start()
    log.record("doc", "case.view", 7)
    log.record("doc", "dashboard.view", q="tina")
    for _ in range(100):  # the thread flushes within a few intervals
        if len(_audit(factory)) == 2:
            break
        __import__("time").sleep(0.05)
    log.record("nurse", "case.view", 8)
    log.stop()  # writes what is left
    assert _audit(factory) == [
        ("doc", "case.view", 7, {}),
        ("doc", "dashboard.view", None, {"q": "tina"}),
        ("nurse", "case.view", 8, {}),
    ]


def test_rows_survive_an_unreachable_database_and_are_written_when_it_is_back(
    engine: Any, factory: Any, caplog: Any
) -> None:
    log = ViewLog(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"), max_rows=2)
    for case_id in (1, 2, 3):
        log.record("doc", "case.view", case_id)
    assert log.flush() == 0 and log.dropped == 1  # only the newest max_rows are kept
    assert "could not write 3 view audit row(s)" in caplog.text and "1 dropped" in caplog.text
    log.engine = engine  # the database is back
    assert log.flush() == 2
    assert [r[2] for r in _audit(factory)] == [2, 3]
