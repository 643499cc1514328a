"""Robustness of the ranking to plausible changes of priors and estimated likelihoods."""

from __future__ import annotations

import json

from hemifacial.cli.casefile import example_path, load_case_file
from hemifacial.cli.render_text import render_assessment
from hemifacial.domain.case import parse_case
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.assess import assess
from hemifacial.domain.reasoning.robustness import robustness


def test_a_clear_typical_case_holds(kb: KnowledgeBase) -> None:
    case = parse_case(kb, load_case_file(example_path()).findings)
    r = robustness(kb, case.values, case.setting)
    assert r.top1_holds and r.leading_id == "primary_nvc"
    assert r.wording.startswith("holds under all plausible priors and estimates")
    must = {c for c in kb.condition_ids if kb.conditions[c].must_not_miss}
    assert {c.condition_id for c in r.conditions[1:]} == must


def test_with_no_findings_the_tumour_range_is_its_published_prior_range(kb: KnowledgeBase) -> None:
    r = robustness(kb, {}, "referral_clinic")
    tumour = next(c for c in r.conditions if c.condition_id == "structural_lesion")
    published = kb.ranges.priors[("referral_clinic", "structural_lesion")]
    # its own prior moves across the published range; the other priors move it too
    assert tumour.low <= published.low and tumour.high >= published.high - 1e-12
    assert tumour.driver.condition_id == "structural_lesion"
    assert tumour.driver.kind == "prior" and "leesh2010" in tumour.driver.basis
    assert (tumour.driver.low, tumour.driver.high) == (published.low, published.high)
    assert r.parameters == len(kb.condition_ids)  # only priors move without findings


def test_a_near_tie_names_what_it_depends_on(kb: KnowledgeBase) -> None:
    # vignette 38: MS presenting as myokymia, a near tie of myokymia and demyelination
    values = {"age_at_onset": "30_to_39", "contraction_pattern": "rippling", "known_ms": "no",
              "progression": "improving", "mri_demyelination": "yes"}  # fmt: skip
    r = robustness(kb, values, "referral_clinic")
    assert not r.top1_holds and r.flipped_by
    assert r.wording.startswith("depends on ") and "can lead" in r.wording
    assert any(p.label in r.wording for p in r.flipped_by)


def test_cited_likelihoods_do_not_move_unless_a_range_is_published(kb: KnowledgeBase) -> None:
    # other Babinski sign in primary HFS is cited: it is not among the moved numbers
    r = robustness(kb, {"other_babinski": "yes"}, "referral_clinic")
    moved = {(p.finding_id, p.condition_id) for p in r.flipped_by}
    assert ("other_babinski", "primary_nvc") not in moved
    lower = robustness(kb, {"onset_site": "lower_face"}, "referral_clinic")
    lead = lower.conditions[0]
    assert lead.low <= lead.probability <= lead.high


def test_assessment_carries_it_to_json_and_text(kb: KnowledgeBase) -> None:
    case = parse_case(kb, load_case_file(example_path()).findings)
    a = assess(kb, case)
    assert a.robustness is not None and a.robustness.leading_id == a.leading.condition_id
    data = json.loads(json.dumps(a.to_dict()))
    assert data["robustness"]["wording"] == a.robustness.wording
    assert "ROBUSTNESS: holds under all plausible priors" in render_assessment(kb, a)
