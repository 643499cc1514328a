"""Numbers that belong to the clinic's population rather than to the literature.

The only ancestry figures (Wu 2010) are for "Asian" patients in one US city: 10.61% of 132
HFS patients against 5.48% of the Houston population. What transfers to another clinic is the
*odds ratio* between the two, not the percentages, so :func:`for_population` keeps the odds
ratio and replaces Houston's 5.48% with the clinic's own share: conditions without a known link
to ancestry occur at that share, primary and post-paralytic HFS at the share raised by the
published odds ratio.
"""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np

from hemifacial.domain.knowledge.model import Finding, KnowledgeBase, Likelihood
from hemifacial.errors import InputError

ANCESTRY = "east_asian_ancestry"
HOUSTON_SHARE = 0.0548  # "5.48% Asians in the Houston population" (Wu 2010)


def odds(p: float) -> float:
    return p / (1.0 - p)


def from_odds(o: float) -> float:
    return o / (1.0 + o)


def for_population(kb: KnowledgeBase, asian_share: float) -> KnowledgeBase:
    """The evidence base for a clinic whose population is ``asian_share`` Asian (0–1).

    Every P(Asian | condition) is moved so that its odds ratio to the population keeps the
    value it had against Houston's 5.48%; the rest of the base is unchanged. The content hash
    changes with the share, so two populations never share a hash.
    """
    if not 0 < asian_share < 1:
        raise InputError(
            f"the population's Asian share must lie strictly between 0 and 1, got {asian_share:g}"
        )
    finding = kb.findings[ANCESTRY]
    likelihoods = {cid: _moved(lk, asian_share, cid) for cid, lk in finding.likelihoods.items()}
    moved: Finding = dataclasses.replace(finding, likelihoods=likelihoods)
    table = {
        "yes": np.log(np.array([likelihoods[c].probabilities["yes"] for c in kb.condition_ids])),
        "no": np.log(np.array([likelihoods[c].probabilities["no"] for c in kb.condition_ids])),
    }
    return dataclasses.replace(
        kb,
        findings={**kb.findings, ANCESTRY: moved},
        log_likelihood={**kb.log_likelihood, ANCESTRY: table},
        content_hash=hashlib.sha256(
            f"{kb.content_hash} asian {asian_share!r}".encode()
        ).hexdigest()[:16],
    )


def _moved(lk: Likelihood, share: float, cid: str) -> Likelihood:
    """One likelihood moved to the clinic's share: derived (arithmetic shown) unless it was
    an estimate to begin with."""
    odds_ratio = odds(lk.probabilities["yes"]) / odds(HOUSTON_SHARE)
    p = from_odds(odds(share) * odds_ratio)
    arithmetic = (
        f"odds ratio against Houston (0.0548) = {odds_ratio:.3f}; with the clinic's Asian "
        f"share {share:g}: {odds(share):.4f} × {odds_ratio:.3f} = {odds(share) * odds_ratio:.4f}"
        f" as odds, {p:.4f} as a probability ({cid})"
    )
    provenance = dataclasses.replace(lk.provenance, arithmetic=arithmetic)
    return Likelihood({"yes": p, "no": 1.0 - p}, provenance, lk.is_default)
