"""Domain values shared by the reasoning code and its callers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

RawValue = str | float


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
    """

    values: Mapping[str, str]
    numbers: Mapping[str, float] = field(default_factory=dict)
    implied: frozenset[str] = frozenset()
    setting: str = "referral_clinic"

    def raw(self) -> dict[str, RawValue]:
        """The findings as given (numbers as numbers), without implied ones."""
        out: dict[str, RawValue] = {k: v for k, v in self.values.items() if k not in self.implied}
        out.update(self.numbers)
        return out
