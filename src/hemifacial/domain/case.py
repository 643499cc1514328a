"""Turn findings as people write them into a validated :class:`Case`.

Accepts booleans as yes/no/true/false, categories case-insensitively with spaces or dashes,
and numbers as numbers or numeric strings. Anything else raises an
:class:`~hemifacial.errors.InputError` naming the key, the allowed values and the nearest
valid key — never a bare ``KeyError``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from hemifacial.domain.knowledge.model import FindingType, KnowledgeBase
from hemifacial.domain.types import Case
from hemifacial.errors import ContradictionError, InvalidValueError, UnknownKeyError, nearest

UNKNOWN_WORDS = {"", "unknown", "not known", "unsure", "?", "skip", "n/a", "na"}
YES_WORDS = {"yes", "y", "true", "present", "positive"}
NO_WORDS = {"no", "n", "false", "absent", "negative"}


def parse_case(kb: KnowledgeBase, findings: Mapping[str, Any], setting: str | None = None) -> Case:
    """Validate raw findings and build a :class:`Case`.

    Raises
    ------
    UnknownKeyError
        A finding or setting that does not exist.
    InvalidValueError
        A value of the wrong type or outside the allowed set or range.
    ContradictionError
        Answers that cannot all be true (e.g. side ``left`` with synchronous bilateral spasm).
    """
    setting = setting or kb.default_setting
    if setting not in kb.settings:
        raise UnknownKeyError("setting", setting, kb.settings)
    values: dict[str, str] = {}
    numbers: dict[str, float] = {}
    for key, raw in findings.items():
        if key not in kb.findings:
            raise UnknownKeyError("finding", str(key), kb.findings)
        parsed = parse_value(kb, key, raw)
        if parsed is None:
            continue
        if isinstance(parsed, float):
            numbers[key] = parsed
            values[key] = kb.findings[key].categorise(parsed)
        else:
            values[key] = parsed
    implied = _imply(values)
    _check_contradictions(values)
    return Case(values, numbers, frozenset(implied), setting)


def parse_value(kb: KnowledgeBase, key: str, raw: Any) -> str | float | None:
    """One finding's value, normalised; ``None`` when the answer is 'unknown'."""
    finding = kb.findings[key]
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in UNKNOWN_WORDS):
        return None
    if finding.type is FindingType.NUMERIC:
        return _number(key, raw, finding.value_range, finding.unit)
    if finding.type is FindingType.BOOLEAN:
        if isinstance(raw, bool):
            return "yes" if raw else "no"
        word = str(raw).strip().lower()
        if word in YES_WORDS:
            return "yes"
        if word in NO_WORDS:
            return "no"
        raise InvalidValueError(f"'{key}' must be yes, no or unknown, got {raw!r}")
    if isinstance(raw, bool | int | float):
        raise InvalidValueError(_allowed(key, repr(raw), finding.accepted_values))
    word = str(raw).strip().lower().replace(" ", "_").replace("-", "_")
    if word not in finding.accepted_values:
        raise InvalidValueError(_allowed(key, repr(raw), finding.accepted_values))
    return word


def _allowed(key: str, got: str, allowed: tuple[str, ...]) -> str:
    hint = nearest(got.strip("'\""), allowed)
    suffix = f"; did you mean '{hint}'?" if hint else ""
    return f"'{key}' must be one of {', '.join(allowed)} (or unknown), got {got}{suffix}"


def _number(key: str, raw: Any, value_range: tuple[float, float] | None, unit: str | None) -> float:
    if isinstance(raw, bool):
        raise InvalidValueError(f"'{key}' must be a number in {unit}, got {raw!r}")
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise InvalidValueError(f"'{key}' must be a number in {unit}, got {raw!r}") from None
    if not math.isfinite(number):
        raise InvalidValueError(f"'{key}' must be a finite number, got {raw!r}")
    if value_range and not value_range[0] <= number <= value_range[1]:
        low, high = value_range
        raise InvalidValueError(
            f"'{key}' must be between {low:g} and {high:g} {unit}, got {number:g}"
        )
    return number


def _imply(values: dict[str, str]) -> set[str]:
    """Add what a side implies about laterality when laterality was not given."""
    side = values.get("side")
    if side is None or "laterality" in values:
        return set()
    values["laterality"] = "bilateral" if side == "both" else "unilateral"
    return {"laterality"}


def _check_contradictions(values: Mapping[str, str]) -> None:
    side, laterality = values.get("side"), values.get("laterality")
    if side in ("left", "right") and laterality not in (None, "unilateral"):
        raise ContradictionError(
            f"side '{side}' contradicts laterality '{laterality}': a one-sided spasm is "
            "'unilateral'; use side 'both' for bilateral spasm"
        )
    if side == "both" and laterality == "unilateral":
        raise ContradictionError(
            "side 'both' contradicts laterality 'unilateral': choose left or right, or a "
            "bilateral laterality"
        )
    if (
        values.get("only_with_voluntary_movement") == "yes"
        and values.get("present_in_sleep") == "yes"
    ):
        raise ContradictionError(
            "'only_with_voluntary_movement: yes' contradicts 'present_in_sleep: yes': "
            "movements that need voluntary movement cannot occur in sleep"
        )
