"""The audit trail: append-only rows, each chained to the one before by SHA-256.

A row's ``hash`` is SHA-256 over the canonical JSON of its content and the previous row's
hash (:func:`row_hash`); the newest position and hash are kept in the one-row table
``audit_head``. Appending takes that row's lock first (``UPDATE audit_head ... RETURNING``,
on PostgreSQL a row lock and on SQLite the database's write lock), so concurrent writers
in any number of processes append one after the other and never fork the chain. The lock is
held only from the append to the commit: a unit of work collects its rows and appends them
all just before it commits (:func:`install`), and a read is audited by a transaction of its
own (:func:`append_now`).

:func:`verify` recomputes the chain: an edited row changes its hash, a deleted or moved row
breaks the link to its neighbour or the numbering, a deleted tail leaves the head ahead.
Triggers refuse UPDATE and DELETE on ``audit`` (:func:`guard_sql`); they stop mistakes, not
a database owner, who is caught by :func:`verify` instead (up to a complete rewrite of the
chain, which the head hash printed by ``hemifacial audit verify`` and kept elsewhere exposes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, Connection, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from . import tables as t

GENESIS = "0" * 64
PENDING = "hemifacial_audit_pending"
CLIENT = "hemifacial_client"


@dataclass(frozen=True)
class Client:
    """Where a request came from (empty for the command line and the job runner)."""

    ip: str = ""
    user_agent: str = ""


@dataclass
class Entry:
    actor: str
    action: str
    case_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    client: Client = Client()
    at: dt.datetime = field(default_factory=t.utcnow)


def _clean(text: str, limit: int) -> str:
    """No NUL or other control characters (PostgreSQL refuses NUL), at most ``limit``."""
    if text.isprintable():  # the usual case: nothing to replace (control characters are not)
        return text[:limit]
    return "".join(
        "\ufffd" if unicodedata.category(ch) == "Cc" and ch not in "\t" else ch for ch in text
    )[:limit]


def canonical(value: Any) -> str:
    """The one serialisation hashed: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def row_content(
    seq: int, entry_at: dt.datetime, actor: str, action: str, case_id: int | None,
    detail: Mapping[str, Any], ip: str, user_agent: str,
) -> dict[str, Any]:  # fmt: skip
    return {
        "seq": seq,
        "at": entry_at.isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "case_id": case_id,
        "detail": detail,
        "ip": ip,
        "user_agent": user_agent,
    }


def row_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + "\n" + canonical(content)).encode()).hexdigest()


def _rows(entries: list[Entry], seq0: int, prev: str) -> tuple[list[dict[str, Any]], str]:
    out = []
    for n, e in enumerate(entries, start=1):
        detail = json.loads(canonical(_clean_detail(e.detail)))
        values = row_content(
            seq0 + n,
            e.at.replace(tzinfo=None),
            _clean(e.actor, 120) or "?",
            _clean(e.action, 60),
            e.case_id,
            detail,
            _clean(e.client.ip, 64),
            _clean(e.client.user_agent, 300),
        )
        digest = row_hash(prev, values)
        out.append({**values, "at": e.at.replace(tzinfo=None), "prev_hash": prev, "hash": digest})
        prev = digest
    return out, prev


def _clean_detail(value: Any) -> Any:
    if isinstance(value, str):
        return _clean(value, 500)
    if isinstance(value, Mapping):
        return {str(k): _clean_detail(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return [_clean_detail(v) for v in items]
    return value


# Built once: every page view appends (a statement's construction cost more than its run)
_INSERT = insert(t.AuditEvent)
_SET_HEAD_HASH = update(t.AuditHead).where(t.AuditHead.id == 1).values(hash=bindparam("last"))
_CLAIM = (
    update(t.AuditHead)
    .where(t.AuditHead.id == 1)
    .values(seq=t.AuditHead.seq + bindparam("n", type_=BigInteger))
    .returning(t.AuditHead.seq, t.AuditHead.hash)
)


def _claim(conn: Connection | Session, n: int) -> tuple[int, str]:
    """Lock the chain head and move it ``n`` places on; returns the old (seq, hash)."""
    got = conn.execute(_CLAIM, {"n": n}).first()
    if got is None:  # a new (or wiped) database: start the chain
        dialect = conn.get_bind().dialect.name if isinstance(conn, Session) else conn.dialect.name
        ins = pg_insert if dialect == "postgresql" else sqlite_insert
        conn.execute(ins(t.AuditHead).values(id=1, seq=0, hash=GENESIS).on_conflict_do_nothing())
        got = conn.execute(_CLAIM, {"n": n}).one()
    return int(got[0]) - n, str(got[1])


def append(conn: Connection | Session, entries: list[Entry]) -> None:
    """Append ``entries`` to the chain inside the caller's transaction."""
    if not entries:
        return
    seq0, prev = _claim(conn, len(entries))
    rows, last = _rows(entries, seq0, prev)
    conn.execute(_INSERT, rows)
    conn.execute(_SET_HEAD_HASH, {"last": last})


def add(s: Session, entry: Entry) -> None:
    """Queue ``entry`` on the unit of work ``s``; appended right before it commits."""
    if entry.client == Client():
        entry.client = s.info.get(CLIENT, Client())
    if not s.in_transaction():
        s.begin()  # no round trip; a rollback of ``s`` now reaches discard_pending
    s.info.setdefault(PENDING, []).append(entry)


def flush_pending(s: Session) -> None:
    """The before-commit hook: append what the unit of work queued (rolled back with it)."""
    pending: list[Entry] = s.info.pop(PENDING, [])
    if pending:
        append(s, pending)


def discard_pending(s: Session) -> None:
    s.info.pop(PENDING, None)


@dataclass(frozen=True)
class Problem:
    seq: int | None
    message: str


@dataclass(frozen=True)
class Verdict:
    rows: int
    head_seq: int
    head_hash: str
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _stored(conn: Connection, batch: int = 5000) -> Iterator[Any]:
    last = -1
    a = t.AuditEvent
    cols = (a.seq, a.at, a.actor, a.action, a.case_id, a.detail, a.ip, a.user_agent)
    while True:
        rows = conn.execute(
            select(*cols, a.prev_hash, a.hash).where(a.seq > last).order_by(a.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify(conn: Connection, *, max_problems: int = 20) -> Verdict:
    """Recompute the whole chain; every break found (up to ``max_problems``)."""
    problems: list[Problem] = []
    prev, expected, count = GENESIS, 1, 0
    for r in _stored(conn):
        count += 1
        if r.seq != expected:
            problems.append(Problem(r.seq, f"row {expected} is missing (next is {r.seq})"))
        if r.prev_hash != prev:
            problems.append(Problem(r.seq, "does not link to the row before it"))
        content = row_content(
            r.seq, r.at, r.actor, r.action, r.case_id, r.detail, r.ip, r.user_agent
        )
        if row_hash(r.prev_hash, content) != r.hash:
            problems.append(Problem(r.seq, "was changed after it was written"))
        prev, expected = r.hash, r.seq + 1
        if len(problems) >= max_problems:
            break
    head = conn.execute(select(t.AuditHead.seq, t.AuditHead.hash)).first()
    head_seq, head_hash = (int(head[0]), str(head[1])) if head else (0, GENESIS)
    if len(problems) < max_problems and (head_seq != expected - 1 or head_hash != prev):
        problems.append(
            Problem(None, f"the chain ends at row {expected - 1} but its head is row {head_seq}")
        )
    return Verdict(count, head_seq, head_hash, tuple(problems))


# Append-only, stated to the database too (the hash chain is what proves it).
GUARDS = {
    "postgresql": [
        """CREATE OR REPLACE FUNCTION hemifacial_audit_append_only() RETURNS trigger
           LANGUAGE plpgsql AS $$ BEGIN
             RAISE EXCEPTION 'audit rows are append-only';
           END $$""",
        "DROP TRIGGER IF EXISTS audit_append_only ON audit",
        """CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
           FOR EACH ROW EXECUTE FUNCTION hemifacial_audit_append_only()""",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_no_update",
        "DROP TRIGGER IF EXISTS audit_no_delete",
        """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
           BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END""",
        """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
           BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END""",
    ],
}
UNGUARD = {
    "postgresql": ["DROP TRIGGER IF EXISTS audit_append_only ON audit"],
    "sqlite": ["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"],
}


def guard_sql(dialect: str) -> list[str]:
    return GUARDS.get(dialect, [])


def unguard_sql(dialect: str) -> list[str]:
    return UNGUARD.get(dialect, [])


def search(
    s: Session,
    *,
    actor: str | None = None,
    case_id: int | None = None,
    action: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    before_seq: int | None = None,
    limit: int = 100,
) -> list[t.AuditEvent]:
    """Rows matching every given filter, newest first (``before_seq`` pages back)."""
    stmt = select(t.AuditEvent).order_by(t.AuditEvent.seq.desc()).limit(limit)
    if actor:
        stmt = stmt.where(t.AuditEvent.actor == actor)
    if case_id is not None:
        stmt = stmt.where(t.AuditEvent.case_id == case_id)
    if action:
        stmt = stmt.where(t.AuditEvent.action.startswith(action, autoescape=True))
    if since is not None:
        stmt = stmt.where(t.AuditEvent.at >= since)
    if until is not None:
        stmt = stmt.where(t.AuditEvent.at < until)
    if before_seq is not None:
        stmt = stmt.where(t.AuditEvent.seq < before_seq)
    return list(s.scalars(stmt))
