"""Where the sources disagree: findings whose patient, video, clinician and test answers
differ, named for the banner at the top of the case page, and the clinician's choice.

A disagreement is never settled silently: the engine uses one value by the source rules
(test > clinician > video > patient; certain answers before uncertain readings) and the
banner says which; the clinician's choice is stored as a clinician finding (audited) and
the conflict then shows as resolved until a source disagrees again.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.errors import InvalidValueError

from .cases import Effective, record_findings
from .views import Conflict, ConflictValue, StoredAssessment

SOURCE_ORDER = ("patient", "video", "clinician", "test")
# Sources whose answer is a judgement on the others: once given, the conflict is resolved.
DECIDING = ("clinician", "test")


def find_conflicts(
    kb: KnowledgeBase, rows: Sequence[t.Finding], eff: Effective
) -> tuple[Conflict, ...]:
    """Findings on which the latest answers of two sources differ (``unknown`` ignored)."""
    latest: dict[str, dict[str, t.Finding]] = {}
    for r in sorted(rows, key=lambda r: r.id):
        if r.finding_id in kb.findings and r.value != "unknown":
            latest.setdefault(r.finding_id, {})[r.source] = r
    out: list[Conflict] = []
    for fid, by_source in latest.items():
        if len({r.value for r in by_source.values()}) < 2:
            continue
        ordered = [by_source[s] for s in SOURCE_ORDER if s in by_source]
        values = tuple(
            ConflictValue(
                r.source,
                r.value,
                r.certainty,
                r.recorded_by,
                eff.sources.get(fid) == r.source and eff.values.get(fid) == r.value,
            )
            for r in ordered
        )
        used = next((v for v in values if v.in_use), None)
        # settled: the latest answer is a clinician's or a test's, and it is the one used
        # (a clinician's choice does not count over a test result: that stays open)
        latest_row = max(ordered, key=lambda r: r.id)
        resolved = (
            latest_row.source in DECIDING
            and used is not None
            and (used.source, used.value) == (latest_row.source, latest_row.value)
        )
        out.append(Conflict(fid, kb.findings[fid].label, values, used, resolved))
    return tuple(sorted(out, key=lambda c: (c.resolved, c.label)))


def choose(
    s: Session, kb: KnowledgeBase, case_id: int, finding_id: str, value: str, actor: str
) -> StoredAssessment:
    """The clinician's choice of the value that counts, as a clinician finding."""
    if finding_id not in kb.findings:
        raise InvalidValueError(f"there is no finding {finding_id!r} to choose a value for")
    result = record_findings(s, kb, case_id, {finding_id: value}, source="clinician", actor=actor)
    repo.audit(s, actor, "conflict.resolve", case_id, finding=finding_id, value=value)
    return result
