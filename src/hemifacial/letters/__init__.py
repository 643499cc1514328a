"""Referral letters and clinic notes → suggested findings (an adapter around medspaCy).

Rule-based clinical NLP on a blank spaCy English pipeline — nothing is downloaded: PyRuSH
splits sentences, a target matcher finds the phrases of each finding (its label plus the
curated ``synonyms.yaml``), and ConText marks negated ("no facial weakness", "denies hearing
loss"), uncertain ("possible aneurysm"), family and hypothetical mentions. Every suggestion
keeps the sentence it came from; none counts until a clinician confirms it
(:mod:`hemifacial.services.letters`).
"""

from hemifacial.letters.extract import Suggestion, suggest_findings

__all__ = ["Suggestion", "suggest_findings"]
