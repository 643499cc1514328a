"""Use case: read a referral letter, propose findings, count only what a clinician confirms.

The letter text is neither stored nor logged here; the caller decides what to keep.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from hemifacial.db import repositories as repo
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.errors import InvalidValueError, UnknownKeyError
from hemifacial.letters import Suggestion, suggest_findings
from hemifacial.letters.extract import MAX_LETTER_CHARS

from .cases import record_findings
from .views import StoredAssessment

__all__ = ["MAX_LETTER_CHARS", "LetterReading", "Suggestion", "confirmed_findings", "read_letter"]

# A letter gives the age now, not at onset: never proposed, accepted only by name or --value.
CHECK_BY_HAND = frozenset({"age_at_onset"})


@dataclass(frozen=True)
class LetterReading:
    """What a letter says, finding by finding, before anyone has confirmed it.

    ``proposed`` holds one value per finding whose every definite mention agrees;
    ``conflicts`` the findings whose mentions disagree; ``possible`` those mentioned only as
    uncertain ("possible aneurysm"). Neither of the last two is proposed: a clinician must
    decide them.
    """

    suggestions: tuple[Suggestion, ...]
    proposed: Mapping[str, str]
    conflicts: Mapping[str, tuple[str, ...]]
    possible: Mapping[str, str]

    def to_dict(self) -> dict[str, object]:
        """JSON-safe form, shared by the API and the CLI."""
        return {
            "suggestions": [s.__dict__ for s in self.suggestions],
            "proposed": dict(self.proposed),
            "conflicts": {k: list(v) for k, v in self.conflicts.items()},
            "possible": dict(self.possible),
        }


def read_letter(kb: KnowledgeBase, text: str) -> LetterReading:
    """Suggest findings from ``text`` (English free text).

    Raises
    ------
    InvalidValueError
        Empty or overlong text.
    """
    if not text.strip():
        raise InvalidValueError("the letter is empty")
    try:
        suggestions = suggest_findings(kb, text)
    except ValueError as exc:
        raise InvalidValueError(str(exc)) from exc
    definite: dict[str, set[str]] = {}
    uncertain: dict[str, str] = {}
    for s in suggestions:
        if s.certainty == "definite" and s.finding not in CHECK_BY_HAND:
            definite.setdefault(s.finding, set()).add(s.value)
        else:
            uncertain.setdefault(s.finding, s.value)
    proposed = {f: next(iter(v)) for f, v in definite.items() if len(v) == 1}
    conflicts = {f: tuple(sorted(v)) for f, v in definite.items() if len(v) > 1}
    possible = {f: v for f, v in uncertain.items() if f not in definite}
    return LetterReading(suggestions, proposed, conflicts, possible)


def confirmed_findings(
    reading: LetterReading, accept: Iterable[str], values: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The findings a clinician accepted: ``accept`` names finding ids (``"all"`` = every
    proposed one); ``values`` sets or corrects a value (needed for conflicts and possible ones).

    Raises
    ------
    UnknownKeyError
        An accepted id the letter does not mention.
    InvalidValueError
        A conflicting finding accepted without choosing its value.
    """
    chosen = dict(values or {})
    mentioned = {s.finding for s in reading.suggestions}
    result: dict[str, str] = {}
    for fid in accept:
        if fid == "all":
            result.update(reading.proposed)
            continue
        if fid not in mentioned:
            raise UnknownKeyError("finding in this letter", fid, sorted(mentioned))
        if fid in chosen:
            result[fid] = chosen[fid]
        elif fid in reading.proposed:
            result[fid] = reading.proposed[fid]
        elif fid in reading.possible:
            result[fid] = reading.possible[fid]
        else:
            options = ", ".join(reading.conflicts[fid])
            raise InvalidValueError(f"'{fid}' is mentioned as {options}: say which value counts")
    return result


def record_from_letter(
    s: Session,
    kb: KnowledgeBase,
    case_id: int,
    text: str,
    accept: Iterable[str],
    values: Mapping[str, str],
    actor: str,
) -> StoredAssessment | None:
    """Record the findings a clinician confirmed from a letter as clinician findings, and
    re-rank (None when nothing was ticked). The letter is read again here, so only what it
    mentions can be recorded; the audit row names the findings, the letter's length and
    that they came from a letter — never the text."""
    repo.get_case(s, case_id)
    reading = read_letter(kb, text)
    findings = confirmed_findings(reading, accept, values)
    if not findings:
        return None
    stored = record_findings(s, kb, case_id, findings, source="clinician", actor=actor)
    repo.audit(
        s, actor, "letters.confirm", case_id, findings=sorted(findings), chars=len(text),
        source="letter",
    )  # fmt: skip
    return stored
