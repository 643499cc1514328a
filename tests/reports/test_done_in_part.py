"""A test done in part in the case report (first, with what is left to record from its
report) and in the patient letter (never again a step to take; its report is read)."""

from __future__ import annotations

import datetime as dt

from hemifacial import reports
from hemifacial.domain.case import parse_case
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.assess import assess
from hemifacial.domain.status import CaseStatus
from hemifacial.reports.letter import content, plain_words
from hemifacial.services.views import CaseHeader, CaseView, StoredAssessment

NOW = dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.UTC)
TYPICAL = {"age_at_onset": "58", "side": "left", "other_babinski": "yes"}
MRI = "MRI brain with and without contrast"


def _view(kb: KnowledgeBase, values: dict[str, str]) -> CaseView:
    """A case view holding only an assessment of ``values`` (no database)."""
    a = assess(kb, parse_case(kb, values, "referral_clinic"))
    header = CaseHeader(1, CaseStatus.NEW, "Pat", "", "", 1968, "referral_clinic", NOW, NOW, 1,
                        {}, {})  # fmt: skip
    stored = StoredAssessment(1, NOW, "test", kb.version, kb.content_hash, a, {}, (), {})
    return CaseView(header, (), stored, (), (), (), None, (), ())


def _work_up(page: str) -> str:
    return page[
        page.index('<section id="work-up">') : page.index(
            "</section>", page.index('<section id="work-up">')
        )
    ]


def test_the_report_lists_the_mri_done_in_part_first_and_not_as_a_test_to_order(
    kb: KnowledgeBase,
) -> None:
    before = _work_up(reports.case_report_html(_view(kb, TYPICAL), kb, {}, NOW))
    assert MRI in before and '<ul class="done">' not in before
    page = reports.case_report_html(_view(kb, {**TYPICAL, "mri_nvc_rez": "yes"}), kb, {}, NOW)
    section = _work_up(page)
    done = section[section.index('<ul class="done">') : section.index("</ul>")]
    ordered = section[section.index("<ol>") : section.index("</ol>")]
    assert MRI in done and MRI not in ordered
    assert "done: record what its report says about mass or structural lesion" in done
    assert "(recorded so far: vessel contact at the facial nerve root exit zone" in done
    assert section.index('<ul class="done">') < section.index("<ol>")


def test_the_letter_never_asks_for_a_test_already_done(kb: KnowledgeBase) -> None:
    words = plain_words()
    before = content(_view(kb, TYPICAL), kb)
    assert words["tests"]["mri_protocol"] in before.next_steps
    assert words["completing"] not in before.next_steps
    after = content(_view(kb, {**TYPICAL, "mri_nvc_rez": "yes"}), kb)
    assert words["tests"]["mri_protocol"] not in after.next_steps
    assert after.next_steps[0] == words["completing"]
    text = reports.plain_text(
        reports.patient_letter_html(_view(kb, {**TYPICAL, "mri_nvc_rez": "yes"}), kb, NOW)
    )
    assert "An MRI scan of the head" not in text
    assert "report of a test you have already had" in " ".join(text.split())
