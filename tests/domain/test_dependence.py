"""Declared dependence (issue 10 §2): no datum counted twice, marginals kept, incoherent
distributions rejected by the loader, graded certainty still exact inside a tree."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from hemifacial.domain.knowledge.coherence import check_coherence
from hemifacial.domain.knowledge.dependence import Dependence, DependenceNetwork
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.evidence import log_evidence, log_terms
from tests.domain.kb_edits import edit, problems

KB = load_knowledge_base()
IDS = KB.condition_ids


def _lr(values: dict[str, str], a: str, b: str) -> float:
    le = log_evidence(KB, values)
    return math.exp(le[IDS.index(a)] - le[IDS.index(b)])


def _independent_lr(values: dict[str, str], a: str, b: str) -> float:
    """What naive Bayes multiplies: the product of the marginal likelihood ratios."""
    return math.prod(
        math.exp(KB.log_likelihood[f][v][IDS.index(a)] - KB.log_likelihood[f][v][IDS.index(b)])
        for f, v in values.items()
    )


def test_whole_side_onset_counts_once() -> None:
    """Whole-side onset implies lower-face involvement: the pair weighs what the onset weighs."""
    pair = {"onset_site": "whole_side", "spread_to_lower_face": "yes"}
    onset = _lr({"onset_site": "whole_side"}, "primary_nvc", "eyelid_myokymia")
    assert _lr(pair, "primary_nvc", "eyelid_myokymia") == pytest.approx(onset, rel=1e-9)
    assert 10 < onset < 25  # the coherent ~16, not the 742 of the independent product
    assert _independent_lr(pair, "primary_nvc", "eyelid_myokymia") > 20 * onset


@pytest.mark.parametrize(
    ("values", "a", "b"),
    [
        (
            {"prior_bells_palsy": "yes", "facial_weakness": "yes",
             "emg_synkinetic_blink_reflex": "yes", "only_with_voluntary_movement": "yes"},
            "postparalytic_synkinesis", "primary_nvc",
        ),
        (
            {"known_ms": "yes", "mri_demyelination": "yes", "csf_oligoclonal_bands": "yes"},
            "demyelination", "primary_nvc",
        ),
        ({"onset_site": "lower_face", "lip_pulled_down": "yes"}, "functional_spasm", "primary_nvc"),
    ],
)  # fmt: skip
def test_correlated_clusters_no_longer_multiply_up(values: dict[str, str], a: str, b: str) -> None:
    joint, naive = _lr(values, a, b), _independent_lr(values, a, b)
    assert joint > 1  # still evidence for the condition the cluster describes
    assert joint < naive / 4  # but far less than the product of the marginals


def test_each_finding_alone_keeps_its_published_marginal() -> None:
    for child, dep in KB.network.dependences.items():
        for fid in (child, dep.parent):
            for value in KB.findings[fid].values:
                assert np.allclose(
                    log_evidence(KB, {fid: value}), KB.log_likelihood[fid][value], atol=1e-12
                ), (fid, value)


def test_factors_of_a_tree_add_up_to_its_evidence() -> None:
    values = {"onset_site": "eyelid", "spread_to_lower_face": "yes", "lip_pulled_down": "no",
              "prior_bells_palsy": "yes", "facial_weakness": "yes"}  # fmt: skip
    total = sum(log_terms(KB, values).values())
    assert np.allclose(total, log_evidence(KB, values), atol=1e-12)


def test_certainty_inside_a_tree_is_exact_at_both_ends() -> None:
    hard = {"onset_site": "whole_side", "spread_to_lower_face": "yes"}
    sure = log_evidence(KB, hard, {"spread_to_lower_face": 1.0})
    assert np.allclose(sure, log_evidence(KB, hard), atol=1e-12)
    vague = log_evidence(KB, hard, {"spread_to_lower_face": 1e-9})
    assert np.allclose(vague, log_evidence(KB, {"onset_site": "whole_side"}), atol=1e-6)
    half = log_evidence(KB, {"spread_to_lower_face": "yes"}, {"spread_to_lower_face": 0.5})
    m = np.exp(KB.log_likelihood["spread_to_lower_face"]["yes"])
    assert np.allclose(np.exp(half), 0.5 * m + 0.5, atol=1e-12)


# --- the loader rejects incoherent edits ----------------------------------------------------


def test_lower_face_involvement_rarer_than_its_onset_is_rejected(data_copy: Path) -> None:
    def spoil(data):  # type: ignore[no-untyped-def]
        data["spread_to_lower_face"]["likelihood"]["facial_myokymia"]["p"] = 0.6

    edit(data_copy, "findings_history.yaml", spoil)
    message = problems(data_copy)
    assert "'spread_to_lower_face' on 'onset_site' given 'facial_myokymia'" in message
    assert "P(spread_to_lower_face) = 0.6" in message


def test_a_derived_certainty_no_source_claims_is_rejected(data_copy: Path) -> None:
    def spoil(data):  # type: ignore[no-untyped-def]
        data["spread_to_lower_face"]["likelihood"]["eyelid_myokymia"]["p"] = 0.02

    edit(data_copy, "findings_history.yaml", spoil)
    assert "given 'eyelid_myokymia'" in problems(data_copy)


def test_unknown_parent_value_condition_or_number_is_rejected(data_copy: Path) -> None:
    def spoil(data):  # type: ignore[no-untyped-def]
        data["spread_to_lower_face"]["when"] = ["lower_face", "forehead"]
        data["mri_demyelination"]["p"] = {"default": 0.95, "no_such_condition": 0.5}
        data["csf_oligoclonal_bands"]["p"] = {"default": 1.2}

    edit(data_copy, "dependence.yaml", spoil)
    message = problems(data_copy)
    assert "'when' must name values of 'onset_site'" in message
    assert "unknown condition 'no_such_condition'" in message
    assert "strictly between 0 and 1" in message


def test_a_number_without_reasoning_is_rejected(data_copy: Path) -> None:
    edit(data_copy, "dependence.yaml", lambda d: d["csf_oligoclonal_bands"].pop("estimate"))
    assert "without a source or an expert estimate" in problems(data_copy)


def test_a_range_that_excludes_its_number_is_rejected(data_copy: Path) -> None:
    def spoil(data):  # type: ignore[no-untyped-def]
        data["priors"]["referral_clinic"]["structural_lesion"]["range"] = [0.02, 0.05]

    edit(data_copy, "ranges.yaml", spoil)
    assert "range must be [low, high]" in problems(data_copy)


def test_a_table_missing_a_parent_value_is_incoherent(kb: KnowledgeBase) -> None:
    dep = kb.network.dependences["spread_to_lower_face"]
    broken = Dependence(**{**dep.__dict__, "table": dep.table[:3]})
    network = DependenceNetwork(dependences={"spread_to_lower_face": broken})
    problems = check_coherence(kb.findings, network, kb.condition_ids)
    assert problems == [
        "dependence of 'spread_to_lower_face' on 'onset_site': needs a row for every value of "
        "'onset_site' and every condition"
    ]
