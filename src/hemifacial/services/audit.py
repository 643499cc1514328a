"""The audit trail for the entry points: record a read, verify the chain, export rows.

Changes are audited by the use cases themselves, in their own unit of work (the row joins
the chain as that transaction commits). Reads are audited here by :class:`Recorder`, in a
transaction of their own that has committed before the page or file is sent: a crash after
it loses nothing that was shown.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass

from hemifacial.db.audit import Verdict as Verdict  # re-exported for the CLI

from .admin_views import AuditRow
from .database import Client, Database

CSV_COLUMNS = ("seq", "at", "actor", "action", "case_id", "ip", "user_agent", "detail", "hash")


@dataclass(frozen=True)
class Recorder:
    """Audits reads for one request: who looked at what, from where."""

    db: Database
    client: Client

    def __call__(
        self, actor: str, action: str, case_id: int | None = None, **detail: object
    ) -> None:
        self.db.record(actor, action, case_id, client=self.client, **detail)


def verify(db: Database) -> Verdict:
    """Recompute the whole hash chain (see :func:`hemifacial.db.audit.verify`)."""
    return db.verify_audit()


def to_csv(rows: Iterable[AuditRow]) -> str:
    """The rows as CSV (one header line; detail as compact JSON)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.seq,
                r.at.isoformat(timespec="seconds"),
                _no_formula(r.actor),
                r.action,
                "" if r.case_id is None else r.case_id,
                r.ip,
                _no_formula(r.user_agent),
                _no_formula(json.dumps(r.detail, sort_keys=True, ensure_ascii=False)),
                r.hash,
            ]
        )
    return out.getvalue()


def _no_formula(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
