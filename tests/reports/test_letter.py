"""The patient letter: plain words (Flesch-Kincaid grade), no numbers, what to do now."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
import textstat

from hemifacial import reports
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.reports.letter import likelihood_words, plain_words

from .conftest import Seeded

NOW = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
MAX_GRADE = 9.0  # "about grade 8", with one grade of slack for the headings


def letter(seeded: Seeded, kb: KnowledgeBase, case_id: int) -> str:
    return reports.patient_letter_html(seeded.view(kb, case_id), kb, NOW)


def cases(seeded: Seeded) -> tuple[int, ...]:
    return (seeded.typical, seeded.urgent, seeded.empty)


def test_the_letters_read_at_about_grade_eight(seeded: Seeded, kb: KnowledgeBase) -> None:
    for case_id in cases(seeded):
        text = reports.plain_text(letter(seeded, kb, case_id))
        grade = textstat.flesch_kincaid_grade(text)
        words = textstat.lexicon_count(text)
        print(f"case {case_id}: Flesch-Kincaid grade {grade:.1f}, {words} words")
        assert grade <= MAX_GRADE, f"case {case_id}: grade {grade:.1f}\n{text}"


def test_every_plain_text_alone_is_easy_to_read(kb: KnowledgeBase) -> None:
    words = plain_words()
    blocks = [words["hfs"]["text"], words["limits"], words["safety"], words["soon"]]
    blocks.append(words["completing"])
    blocks += [c[k] for c in words["conditions"].values() for k in ("what", "treatment")]
    blocks += list(words["urgent"].values())
    grades = [textstat.flesch_kincaid_grade(b) for b in blocks]
    assert max(grades) <= 10.0, max(zip(grades, blocks, strict=True))


def test_the_letter_has_no_number_and_no_probability(seeded: Seeded, kb: KnowledgeBase) -> None:
    for case_id in cases(seeded):
        text = reports.plain_text(letter(seeded, kb, case_id))
        text = text.replace(NOW.strftime("%d %B %Y"), "")
        assert re.search(r"\d", text) is None, re.search(r".{30}\d.{30}", text)
        assert "%" not in text and "probab" not in text.lower()


def test_urgent_red_flags_say_what_to_do_now_first(seeded: Seeded, kb: KnowledgeBase) -> None:
    urgent = reports.plain_text(letter(seeded, kb, seeded.urgent))
    assert "What to do now" in urgent
    assert urgent.index("What to do now") < urgent.index("What is hemifacial spasm?")
    assert "Please call the clinic today" in urgent
    typical = reports.plain_text(letter(seeded, kb, seeded.typical))
    assert "What to do now" not in typical


def test_the_letter_explains_hfs_the_cause_next_steps_and_treatment(
    seeded: Seeded, kb: KnowledgeBase
) -> None:
    view = seeded.view(kb, seeded.typical)
    assert view.assessment is not None
    lead = view.assessment.result.leading.condition_id
    words = plain_words()
    text = reports.plain_text(letter(seeded, kb, seeded.typical))
    for heading in (
        "What is hemifacial spasm?",
        "What may be causing it",
        "What happens next",
        "How it can be treated",
        "What this letter cannot tell you",
    ):
        assert heading in text
    flat = " ".join(text.split())
    assert " ".join(words["conditions"][lead]["what"].split()) in flat
    assert " ".join(words["conditions"][lead]["treatment"].split()) in flat
    page = letter(seeded, kb, seeded.typical)
    assert "Dear &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Zoë 王 O&#39;Brien," in page


def test_without_findings_the_letter_does_not_guess(seeded: Seeded, kb: KnowledgeBase) -> None:
    text = reports.plain_text(letter(seeded, kb, seeded.empty))
    assert "We do not have enough answers yet" in text
    assert "How it can be treated" not in text


@pytest.mark.parametrize(
    ("p", "start"),
    [
        (0.9, "From your answers so far, this is the most"),
        (0.6, "From your answers so far, this is a likely"),
        (0.3, "Several causes are still possible"),
    ],
)
def test_certainty_is_said_in_words(p: float, start: str) -> None:
    assert likelihood_words(p).startswith(start)


def test_plain_words_cover_the_evidence_base_and_cite_it(kb: KnowledgeBase) -> None:
    words = plain_words()
    assert set(words["conditions"]) == set(kb.conditions)
    assert set(words["tests"]) == set(kb.tests)
    urgent = {f.id for f in kb.red_flags.values() if f.level == "urgent"}
    assert set(words["urgent"]) == urgent
    facts = [*words["hfs"]["facts"], *(k for c in words["conditions"].values() for k in c["facts"])]
    assert facts and set(facts) <= set(kb.references)
    assert all(c["facts"] for c in words["conditions"].values())


def test_the_letter_pdf_reads_the_same(seeded: Seeded, kb: KnowledgeBase, tmp_path: Path) -> None:
    pdf = reports.html_to_pdf(letter(seeded, kb, seeded.urgent))
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "What to do now" in text
    grade = textstat.flesch_kincaid_grade(text)
    print(f"urgent letter as printed: Flesch-Kincaid grade {grade:.1f}")
    assert grade <= MAX_GRADE
