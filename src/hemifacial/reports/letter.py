"""The plain-language letter for the patient, from the same read model as the case report.

The words come from ``plain.yaml`` (written by us from the evidence base; no numbers), so
the letter never shows a probability: the leading cause is "most likely", "likely" or "one
of several possible causes", and the letter says what the system cannot know. Urgent red
flags come first, as a plain "what to do now".
"""

from __future__ import annotations

import datetime as dt
import functools
import html.parser
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.services.views import CaseView

from .render import render

PLAIN = Path(__file__).resolve().parent / "plain.yaml"
NEXT_STEPS = 3
MOST_LIKELY = 0.8  # words only, never shown: at or above it the cause is "most likely"
LIKELY = 0.5  # at or above it "likely, but not certain"; below it one of several


@functools.cache
def plain_words() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(PLAIN.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class LetterContent:
    """What the letter says, in plain words (no numbers)."""

    name: str
    known: bool
    likelihood: str
    is_hfs_cause: bool
    what: str
    treatment: str
    now: tuple[str, ...]
    soon: bool
    next_steps: tuple[str, ...]


def likelihood_words(probability: float) -> str:
    """How sure the ranking is, as a lead-in sentence (the probability itself is not shown)."""
    if probability >= MOST_LIKELY:
        return "From your answers so far, this is the most likely cause:"
    if probability >= LIKELY:
        return "From your answers so far, this is a likely cause, but it is not certain yet:"
    return (
        "Several causes are still possible. From your answers so far, this one fits best, "
        "but it is far from certain:"
    )


def content(view: CaseView, kb: KnowledgeBase) -> LetterContent:
    """The letter's content for ``view`` (the latest assessment, if any)."""
    words = plain_words()
    stored = view.assessment
    if stored is None or stored.result.status.startswith("insufficient"):
        return LetterContent(
            name=view.case.patient_name,
            known=False,
            likelihood="",
            is_hfs_cause=False,
            what="",
            treatment="",
            now=(),
            soon=False,
            next_steps=(words["tests"]["history_exam"],),
        )
    a = stored.result
    lead = a.leading
    condition = words["conditions"][lead.condition_id]
    urgent = tuple(dict.fromkeys(words["urgent"][f.id] for f in a.red_flags if f.level == "urgent"))
    # a test done in part is not a step to take again: its report is read (said once, first)
    reading = (words["completing"],) if a.tests.to_complete else ()
    steps = reading + tuple(
        dict.fromkeys(
            words["tests"][t.test_id]
            for t in a.tests.ranked[:NEXT_STEPS]
            if t.test_id in words["tests"]
        )
    )
    return LetterContent(
        name=view.case.patient_name,
        known=True,
        likelihood=likelihood_words(lead.probability),
        is_hfs_cause=kb.conditions[lead.condition_id].kind.value == "cause",
        what=condition["what"],
        treatment=condition["treatment"],
        now=urgent,
        soon=any(f.level != "urgent" for f in a.red_flags),
        next_steps=steps,
    )


def patient_letter_html(view: CaseView, kb: KnowledgeBase, generated: dt.datetime) -> str:
    """The letter as one self-contained HTML page."""
    return render(
        "patient_letter.html",
        c=view.case,
        letter=content(view, kb),
        words=plain_words(),
        generated=generated,
    )


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self._skip += tag in ("style", "title", "head")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "title", "head")
        if tag in ("p", "li", "h1", "h2", "div"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def plain_text(page: str) -> str:
    """The text a reader sees in an HTML page (for readability checks)."""
    parser = _Text()
    parser.feed(page)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)
