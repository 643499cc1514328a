"""The phrases to look for: each finding's own wording plus the curated synonym list."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import yaml

from hemifacial.domain.knowledge.model import FindingType, KnowledgeBase

SEPARATOR = "="
AGE_LABEL = f"age_at_onset{SEPARATOR}<number>"
GLUCOSE_LABEL = f"blood_glucose{SEPARATOR}<number>"
_MAX_LABEL_WORDS = 5  # longer labels are sentences, not phrases a letter repeats


@lru_cache(maxsize=1)
def synonyms() -> dict[str, dict[str, tuple[str, ...]]]:
    """``synonyms.yaml`` as finding → value → phrases."""
    text = resources.files("hemifacial.letters").joinpath("synonyms.yaml").read_text("utf-8")
    raw = yaml.safe_load(text) or {}
    return {
        str(fid): {str(v): tuple(str(p).lower() for p in ps) for v, ps in values.items()}
        for fid, values in raw.items()
    }


def label_phrase(label: str) -> str | None:
    """A finding's label as a phrase: lower case, without parentheses; None if too long."""
    phrase = re.sub(r"\s*\([^)]*\)", "", label).strip().lower()
    return phrase if 0 < len(phrase.split()) <= _MAX_LABEL_WORDS else None


def target_phrases(kb: KnowledgeBase) -> dict[str, set[str]]:
    """Target label (``finding=value``) → phrases, for every finding of ``kb``.

    Raises
    ------
    ValueError
        When ``synonyms.yaml`` names a finding or value the evidence base does not have.
    """
    targets: dict[str, set[str]] = {}
    for fid, values in synonyms().items():
        finding = kb.findings.get(fid)
        if finding is None:
            raise ValueError(f"synonyms.yaml: unknown finding '{fid}'")
        for value, phrases in values.items():
            if value not in finding.accepted_values:
                raise ValueError(f"synonyms.yaml: '{fid}' has no value '{value}'")
            targets.setdefault(f"{fid}{SEPARATOR}{value}", set()).update(phrases)
    for fid, finding in kb.findings.items():
        phrase = label_phrase(finding.label)
        if finding.type is FindingType.BOOLEAN and phrase:
            targets.setdefault(f"{fid}{SEPARATOR}yes", set()).add(phrase)
    return targets


AGE_PATTERN = [
    {"LIKE_NUM": True},
    {"TEXT": "-", "OP": "?"},
    {"LOWER": {"IN": ["year", "years", "yr"]}},
    {"TEXT": "-", "OP": "?"},
    {"LOWER": "old"},
]
GLUCOSE_PATTERN = [
    {"LOWER": {"IN": ["glucose", "sugar"]}},
    {"IS_ALPHA": True, "OP": "*"},
    {"IS_PUNCT": True, "OP": "?"},
    {"LIKE_NUM": True},
    {"LOWER": {"IN": ["mmol", "mmol/l"]}},
]
