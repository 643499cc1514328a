"""The read-model cache: bounded, keyed by version, and never serving a page older than a
committed change (case revisions; the clinic-wide generation from LISTEN/NOTIFY)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.db.engine import session_factory, transaction
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.services import cases, reads, worklist
from hemifacial.services.database import Database
from hemifacial.services.readcache import ReadCache


def _counting(value: object) -> tuple[list[int], Callable[[], object]]:
    calls: list[int] = []

    def build() -> object:
        calls.append(1)
        return value

    return calls, build


def test_lru_keeps_the_most_recently_used_entries_and_evicts_the_oldest() -> None:
    cache = ReadCache(2)
    for key in ("a", "b"):
        cache.get_or_build(key, lambda k=key: k.upper())  # type: ignore[misc]
    cache.get_or_build("a", lambda: "never built")  # "a" is now the most recent
    cache.get_or_build("c", lambda: "C")  # evicts "b"
    calls, build = _counting("B again")
    assert cache.get_or_build("b", build) == "B again" and calls == [1]  # evicts "a"
    assert cache.get_or_build("c", lambda: "not rebuilt") == "C"
    assert cache.get_or_build("a", lambda: "A rebuilt") == "A rebuilt"
    assert len(cache) == 2 and (cache.hits, cache.misses) == (2, 5)


def test_a_cache_of_size_zero_builds_every_time() -> None:
    cache = ReadCache(0)
    calls, build = _counting(1)
    cache.get_or_build("k", build)
    cache.get_or_build("k", build)
    assert calls == [1, 1] and len(cache) == 0


def _wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def _case(db: Database, name: str) -> int:
    with db.unit_of_work() as s:
        row = t.Case(patient_name=name, status="new", draft={}, extras={}, search_text=name)
        s.add(row)
        s.flush()
        return row.id


def test_a_case_view_is_rebuilt_after_any_change_to_its_case(
    db_url: str, engine: object, kb: KnowledgeBase
) -> None:
    db = Database(db_url)
    cache = ReadCache(16)
    case_id = _case(db, "Ann")
    with db.reader() as s:
        first = reads.case_view_at(s, kb, case_id, reads.case_revision(s, case_id), cache)
    with db.unit_of_work() as s:
        cases.add_note(s, case_id, "seen today", "doc")
    with db.reader() as s:
        again = reads.case_view_at(s, kb, case_id, reads.case_revision(s, case_id), cache)
    assert first.notes == () and [n.text for n in again.notes] == ["seen today"]
    db.close()


def test_clinic_generation_follows_commits_here_and_in_other_processes(
    db_url: str, engine: object
) -> None:
    db = Database(db_url)
    db.changes.start()
    try:
        if not db.changes.enabled:  # SQLite: no NOTIFY, so nothing clinic-wide is cached
            assert db.cases_generation() is None
            return
        assert _wait_for(lambda: db.cases_generation() is not None)
        g0 = db.cases_generation()
        assert g0 is not None
        case_id = _case(db, "Ann")  # a commit in this process: raised before we go on
        g1 = db.cases_generation()
        assert g1 is not None and g1 > g0
        with db.unit_of_work() as s:  # a transaction that changes no case raises nothing
            repo.audit(s, "x", "noop")  # an audit row joins the chain as this commits
        assert db.cases_generation() == g1
        # Another process (here: sessions that do not know this Database) changes a case:
        # the NOTIFY reaches our listener once it commits.
        other = session_factory(engine)  # type: ignore[arg-type]
        with transaction(other) as s:
            s.get(t.Case, case_id).status = "closed"  # type: ignore[union-attr]
        assert _wait_for(lambda: (db.cases_generation() or 0) > g1)
        # A rolled-back change notifies nobody.
        g2 = db.cases_generation()
        s2 = other()
        s2.get(t.Case, case_id).status = "new"  # type: ignore[union-attr]
        s2.flush()
        s2.rollback()
        s2.close()
        time.sleep(0.3)
        assert db.cases_generation() == g2
    finally:
        db.close()


def test_the_worklist_is_never_older_than_a_committed_change(
    db_url: str, engine: object, kb: KnowledgeBase
) -> None:
    db = Database(db_url)
    db.changes.start()
    cache = ReadCache(16)
    try:
        _wait_for(lambda: db.cases_generation() is not None, 5.0 if db.changes.enabled else 0)
        case_id = _case(db, "Ann")

        def new_tab() -> list[int]:
            with db.reader() as s:
                new = worklist.parse_query(kb, {"status": "new"})
                generation = db.cases_generation()
                page = worklist.dashboard(s, kb, new, "doc", generation=generation, cache=cache)
            return [r.id for r in page.rows]

        assert new_tab() == [case_id]
        assert new_tab() == [case_id]
        if db.changes.enabled:
            assert cache.hits == 1  # the second view came from the cache
        other = session_factory(engine)  # type: ignore[arg-type]
        with transaction(other) as s:  # a change made by another process
            s.get(t.Case, case_id).status = "closed"  # type: ignore[union-attr]
        assert _wait_for(lambda: new_tab() == [])
    finally:
        db.close()


def test_while_the_listener_is_down_nothing_clinic_wide_is_cached(
    db_url: str, kb: KnowledgeBase
) -> None:
    db = Database(db_url)  # never started: as if its connection were lost
    assert db.cases_generation() is None
    cache = ReadCache(16)
    with db.reader() as s:
        for _ in range(2):
            everything = worklist.parse_query(kb, {})
            worklist.dashboard(
                s, kb, everything, "doc", generation=db.cases_generation(), cache=cache
            )
    assert len(cache) == 0 and cache.misses == 0  # read afresh, past the cache
    db.close()


def test_concurrent_misses_of_one_key_agree() -> None:
    cache = ReadCache(4)
    results: list[object] = []

    def worker() -> None:
        results.append(cache.get_or_build("k", lambda: ("view", 7)))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results == [("view", 7)] * 8 and len(cache) == 1
