"""Posterior probability of each condition given a case (Bayes' rule, in log space).

The model assumes exactly one condition explains the presentation. Findings are
independent given the condition except where the evidence base declares a dependence; the
likelihood of the findings (with graded certainty and declared dependence) comes from
:mod:`.evidence`. Unobserved findings are simply left out, which is exact marginalisation
under the model. Working in log space with a log-sum-exp normalisation keeps the result finite
and accurate even when dozens of strong findings push probabilities to 1e-30.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.evidence import Certainty, log_evidence

Vector = NDArray[np.float64]


def log_normalise(log_weights: Vector) -> Vector:
    """Log probabilities from unnormalised log weights along the last axis.

    Log-sum-exp with the maximum subtracted first, so nothing overflows; works on one vector
    or on a matrix of them (one row per simulated test result).
    """
    top = np.max(log_weights, axis=-1, keepdims=True)
    shifted = log_weights - top
    result: Vector = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    return result


def log_posterior(
    kb: KnowledgeBase, values: Mapping[str, str], setting: str, certainty: Certainty = None
) -> Vector:
    """Normalised log posterior over ``kb.condition_ids``.

    ``certainty`` maps findings reported with a graded certainty to it (soft evidence).
    """
    return log_normalise(kb.log_prior(setting) + log_evidence(kb, values, certainty))


def posterior(
    kb: KnowledgeBase, values: Mapping[str, str], setting: str, certainty: Certainty = None
) -> dict[str, float]:
    """Posterior probability of each condition, keyed by condition id."""
    probs = np.exp(log_posterior(kb, values, setting, certainty))
    return dict(zip(kb.condition_ids, probs.tolist(), strict=True))


def entropy_bits(probs: Vector) -> float:
    """Shannon entropy in bits (0·log 0 taken as 0)."""
    nz = probs[probs > 0]
    return float(-np.sum(nz * np.log2(nz)))
