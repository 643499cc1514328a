"""Domain values shared by the reasoning code and its callers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

RawValue = str | float


@dataclass(frozen=True)
class Uncertain:
    """A finding value reported with a graded certainty (soft evidence).

    The small, stable API for anything that reports a finding it is not sure of (a test
    result reported as "suspected", a video finding with a confidence)::

        Uncertain("yes", 0.6)                       # in code
        {"value": "yes", "certainty": 0.6}          # in a case file or JSON
        {"value": "yes", "certainty": "suspected"}  # a word from CERTAINTY_WORDS

    ``certainty`` lies in (0, 1]. The engine treats it as Pearl's virtual evidence: the
    report is ``1 / (1 - certainty)`` times likelier when the value is true than when it is
    not, so ``certainty = 1`` is exactly the hard finding and ``certainty → 0`` is no
    evidence at all (see docs/reasoning.md, "Graded certainty").
    """

    value: Any
    certainty: float

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "certainty": self.certainty}


@dataclass(frozen=True)
class Case:
    """The validated findings of one patient.

    Attributes
    ----------
    values
        Categorical value of every observed finding (numbers already put in their bin).
        A finding that is absent is unobserved ("unknown"), never "no".
    numbers
        The raw numbers of numeric findings (age, glucose), for rules with thresholds.
    implied
        Findings inferred from others (e.g. ``laterality`` from ``side``), shown as such.
    setting
        Which prior applies (``referral_clinic`` or ``primary_care``).
    certainty
        Certainty in (0, 1) of the findings reported as uncertain; a finding not listed is
        certain. Certainty 1 is never stored, so a case without soft findings is exactly the
        case it was before graded certainty existed.
    """

    values: Mapping[str, str]
    numbers: Mapping[str, float] = field(default_factory=dict)
    implied: frozenset[str] = frozenset()
    setting: str = "referral_clinic"
    certainty: Mapping[str, float] = field(default_factory=dict)

    def raw(self) -> dict[str, Any]:
        """The findings as given (numbers as numbers, uncertain ones as mappings)."""
        out: dict[str, Any] = {k: v for k, v in self.values.items() if k not in self.implied}
        out.update(self.numbers)
        for key, certainty in self.certainty.items():
            if key in out:
                out[key] = {"value": out[key], "certainty": certainty}
        return out
