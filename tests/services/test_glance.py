"""The case page's reading aids and the one percent format: pure functions, no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from hemifacial.domain.case import parse_case
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.domain.knowledge.model import Reference
from hemifacial.domain.reasoning.assess import assess
from hemifacial.domain.reasoning.explain import percent
from hemifacial.reference import find_reference
from hemifacial.services import glance
from hemifacial.web.render import make_templates

KB = load_knowledge_base()
REFERENCE = find_reference() or Path("shared/reference/clinical-evidence.md")


@pytest.mark.parametrize(
    ("p", "shown"),
    [
        (0.5, "50%"),
        (0.995, "99.5%"),  # not 100%
        (0.9949, "99.5%"),
        (0.99, "99%"),
        (0.0008, "<0.1%"),
        (0.008, "0.8%"),
        (0.0104, "1%"),
        (0.9996, ">99.9%"),
        (1.0, "100%"),
        (0.0, "0%"),
        (None, "–"),
        (float("nan"), "–"),
    ],
)
def test_one_percent_format_for_pages_reports_and_sentences(p: float, shown: str) -> None:
    assert percent(p) == shown
    pct = make_templates().env.filters["pct"]
    assert pct(p) == shown and make_templates().env.filters["pct1"] is pct


def test_the_page_filter_shows_a_dash_for_what_is_not_a_number() -> None:
    pct = make_templates().env.filters["pct"]
    assert pct("abc") == "–" and pct(True) == "–"


def test_references_link_only_what_their_locator_gives() -> None:
    text = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
    linked = 0
    for ref in KB.references.values():
        url = glance.reference_url(ref)
        if url is None:
            continue
        linked += 1
        key = (
            url.removeprefix("https://doi.org/")
            .removeprefix("https://pubmed.ncbi.nlm.nih.gov/")
            .rstrip("/")
        )
        assert key in ref.locator  # nothing invented
        if text:
            assert key in text  # and it is in the compiled reference
    assert linked >= 10
    assert glance.reference_url(Reference("x", "A book", "Au WL, Tan LC 2004")) is None
    doi = glance.reference_url(Reference("x", "", "doi:10.1002/mds.23692"))
    assert doi == "https://doi.org/10.1002/mds.23692"
    assert glance.reference_url(Reference("x", "", "PMID 9843077")) == (
        "https://pubmed.ncbi.nlm.nih.gov/9843077/"
    )


def _assess(values: dict[str, str]):  # type: ignore[no-untyped-def]
    return assess(KB, parse_case(KB, values, "referral_clinic"))


def test_the_five_strongest_findings_by_log_lr_then_the_rest() -> None:
    a = _assess(
        {
            "age_at_onset": "27",
            "side": "right",
            "sex": "male",
            "other_neuro_symptoms": "yes",
            "contraction_pattern": "rippling",
            "other_babinski": "no",
            "spread_to_lower_face": "yes",
        }
    )
    items = next(iter(a.explanations.values()))
    shown, rest = glance.strongest(items)
    assert len(shown) == min(5, len(items)) and len(shown) + len(rest) == len(items)
    weakest_shown = min(abs(c.log10_lr) for c in shown)
    assert all(abs(c.log10_lr) <= weakest_shown for c in rest)


def test_next_tests_in_words_from_the_engines_numbers() -> None:
    a = _assess({"age_at_onset": "58", "side": "left", "other_babinski": "yes"})
    mri = next(t for t in a.tests.ranked if t.test_id.startswith("mri"))
    words = glance.test_words(KB, a, mri)
    assert "would settle whether tumour or other structural lesion is present" in words
    assert "bits" not in words and "bits about the cause" in glance.test_numbers(mri)
    young = _assess({"age_at_onset": "27", "side": "right", "other_neuro_symptoms": "yes"})
    urgent = [t for t in young.tests.ranked if t.urgent]
    assert urgent and glance.test_words(KB, young, urgent[0]).startswith(
        "called for by an urgent red flag"
    )


def test_short_names() -> None:
    assert glance.short_name("Tumour or other structural lesion") == (
        "tumour or other structural lesion"
    )
    assert glance.brief_name("Primary hemifacial spasm (neurovascular compression)") == (
        "Primary hemifacial spasm"
    )
    assert glance.short_name("MS work-up") == "MS work-up"


def test_a_stored_clip_is_not_titled_by_its_sha256() -> None:
    from hemifacial.video.plots import _clip_name

    assert _clip_name("/data/videos/" + "ab" * 32 + ".mp4") == (
        "Eye closure and mouth movement over time"
    )
    assert _clip_name("/home/me/left_wink.mp4") == "left_wink.mp4"


def _view(a: object):  # type: ignore[no-untyped-def]
    """A case view holding only an assessment (what glance() reads)."""
    import datetime as dt

    from hemifacial.domain.status import CaseStatus
    from hemifacial.services.views import CaseHeader, CaseView, StoredAssessment

    now = dt.datetime(2026, 12, 4, 12, 0)
    header = CaseHeader(1, CaseStatus.NEW, "P", "", "", None, "referral_clinic", now,
                        now, 1, {}, {})  # fmt: skip
    stored = StoredAssessment(1, now, "test", KB.version, KB.content_hash, a, {}, (), {})  # type: ignore[arg-type]
    return CaseView(header, (), stored, (), (), (), None, (), ())


def test_a_test_done_in_part_comes_first_in_words_of_what_to_record() -> None:
    a = _assess({"age_at_onset": "58", "side": "left", "mri_nvc_rez": "yes"})
    (mri,) = a.tests.to_complete
    words = glance.done_words(KB, mri)
    assert words.startswith("done: record what its report says about mass or structural lesion")
    assert words.endswith(
        "(recorded so far: vessel contact at the facial nerve root exit zone, symptomatic side)"
    )
    numbers = glance.test_numbers(mri)
    assert "the test itself is done" in numbers and "cost" not in numbers
    import dataclasses

    ordered = dataclasses.replace(mri, recorded_findings=())  # the same test, to be ordered
    assert "cost 4 and burden 2" in glance.test_numbers(ordered)
    tests = glance.glance(_view(a), KB).tests
    assert tests[0].test_id == "mri_protocol" and tests[0].done and tests[0].words == words
    assert [t.test_id for t in tests[1:]] == [t.test_id for t in a.tests.ranked[:5]]
    assert not any(t.done for t in tests[1:])
    assert "mri_protocol" not in {t.test_id for t in tests[1:]}


def test_an_urgent_test_done_in_part_says_so_first() -> None:
    a = _assess({"known_ms": "yes", "contraction_pattern": "rippling", "acute_onset": "yes",
                 "mri_nvc_rez": "no"})  # fmt: skip
    (mri,) = a.tests.to_complete
    assert mri.urgent
    assert glance.done_words(KB, mri).startswith(
        "called for by an urgent red flag; done: record what its report says about"
    )
