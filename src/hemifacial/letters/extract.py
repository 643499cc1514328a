"""Run the medspaCy pipeline over a letter and turn its matches into suggestions."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from hemifacial.domain.knowledge.model import FindingType, KnowledgeBase
from hemifacial.letters.phrases import (
    AGE_LABEL,
    AGE_PATTERN,
    GLUCOSE_LABEL,
    GLUCOSE_PATTERN,
    SEPARATOR,
    target_phrases,
)

MAX_LETTER_CHARS = 50_000  # a letter, not a chart dump; longer text is refused, not cut
# ConText rules the default set lacks, written the way clinic notes put them.
_EXTRA_CONTEXT = (
    ("absent", "NEGATED_EXISTENCE", "BACKWARD"),
    ("was normal", "NEGATED_EXISTENCE", "BACKWARD"),
    ("is normal", "NEGATED_EXISTENCE", "BACKWARD"),
    ("not seen", "NEGATED_EXISTENCE", "BACKWARD"),
    ("did not show", "NEGATED_EXISTENCE", "FORWARD"),
    ("showed no", "NEGATED_EXISTENCE", "FORWARD"),
    ("in particular no", "NEGATED_EXISTENCE", "FORWARD"),
    ("suspected", "POSSIBLE_EXISTENCE", "FORWARD"),
    ("suspicious", "POSSIBLE_EXISTENCE", "FORWARD"),
    ("presumed", "POSSIBLE_EXISTENCE", "FORWARD"),
    # the informant, not the subject: keeps "her husband says ..." from reading as family
    ("her husband says", "INFORMANT", "FORWARD"),
    ("his wife says", "INFORMANT", "FORWARD"),
    ("her husband reports", "INFORMANT", "FORWARD"),
    ("his wife reports", "INFORMANT", "FORWARD"),
)
_PIPELINES: dict[str, Any] = {}


@dataclass(frozen=True)
class Suggestion:
    """One finding read from one sentence; a clinician confirms it before it counts."""

    finding: str
    value: str
    phrase: str
    sentence: str
    start: int  # character offsets of the phrase in the letter
    end: int
    negated: bool
    certainty: str  # "definite" or "possible" (ConText uncertainty)


def suggest_findings(kb: KnowledgeBase, text: str) -> tuple[Suggestion, ...]:
    """Every finding mentioned in ``text``, in reading order, with its sentence.

    Negated boolean mentions become ``no``; negated categorical or numeric mentions, family
    and hypothetical mentions are dropped (they say nothing about this patient's value).
    """
    if len(text) > MAX_LETTER_CHARS:
        raise ValueError(f"letter too long: {len(text)} characters (at most {MAX_LETTER_CHARS})")
    doc = _pipeline(kb)(normalise(text))
    found = (_suggestion(kb, ent) for ent in doc.ents)
    return tuple(s for s in found if s is not None)


def normalise(text: str) -> str:
    """Lines of a paragraph joined with single spaces (letters wrap lines mid-phrase);
    blank lines between paragraphs kept. Offsets of a :class:`Suggestion` refer to this text."""
    paragraphs = text.replace("\r\n", "\n").split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _suggestion(kb: KnowledgeBase, ent: Any) -> Suggestion | None:
    if ent._.is_family or ent._.is_hypothetical:
        return None
    fid, value = str(ent.label_).split(SEPARATOR, 1)
    finding = kb.findings[fid]
    negated = bool(ent._.is_negated)
    if value == "<number>":
        if negated:
            return None
        value = _number(ent)
    elif negated:
        if finding.type is not FindingType.BOOLEAN:
            return None
        value = "no" if value == "yes" else "yes"
    return Suggestion(
        finding=fid,
        value=value,
        phrase=ent.text,
        sentence=ent.sent.text.strip(),
        start=ent.start_char,
        end=ent.end_char,
        negated=negated,
        certainty="possible" if ent._.is_uncertain else "definite",
    )


def _number(ent: Any) -> str:
    numbers = [t.text for t in ent if t.like_num]
    return numbers[-1] if numbers else ""


def _pipeline(kb: KnowledgeBase) -> Any:
    """The spaCy pipeline for this evidence base (built once per content hash)."""
    nlp = _PIPELINES.get(kb.content_hash)
    if nlp is None:
        nlp = _build(kb)
        _PIPELINES[kb.content_hash] = nlp
    return nlp


def _build(kb: KnowledgeBase) -> Any:
    with warnings.catch_warnings():
        # spaCy 3.7's CLI layer (typer) imports a click helper click 8.5 deprecates; not ours.
        warnings.simplefilter("ignore", DeprecationWarning)
        import spacy
        from medspacy.context import ConTextRule
        from medspacy.target_matcher import TargetRule
    from loguru import logger

    logger.disable("PyRuSH")  # its per-token debug log would flood the user's terminal
    nlp = spacy.blank("en")
    nlp.add_pipe("medspacy_pyrush")
    matcher: Any = nlp.add_pipe("medspacy_target_matcher")
    context: Any = nlp.add_pipe("medspacy_context")
    rules = [
        TargetRule(phrase, label)
        for label, phrases in sorted(target_phrases(kb).items())
        for phrase in sorted(phrases)
    ]
    rules.append(TargetRule("age", AGE_LABEL, pattern=AGE_PATTERN))
    rules.append(TargetRule("glucose", GLUCOSE_LABEL, pattern=GLUCOSE_PATTERN))
    matcher.add(rules)
    context.add([ConTextRule(lit, cat, direction=d) for lit, cat, d in _EXTRA_CONTEXT])
    return nlp
