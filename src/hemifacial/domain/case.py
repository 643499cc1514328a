"""Turn findings as people write them into a validated :class:`Case`.

Accepts booleans as yes/no/true/false, categories case-insensitively with spaces or dashes,
and numbers as numbers or numeric strings. A value may carry a graded certainty, spelled
``{value: yes, certainty: 0.6}`` (or ``certainty: suspected``) in a case file, or given as
:class:`~hemifacial.domain.types.Uncertain`. Anything else raises an
:class:`~hemifacial.errors.InputError` naming the key, the allowed values and the nearest
valid key — never a bare ``KeyError``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from hemifacial.domain.knowledge.model import FindingType, KnowledgeBase
from hemifacial.domain.types import Case, Uncertain
from hemifacial.errors import (
    ContradictionError,
    InputError,
    InvalidValueError,
    UnknownKeyError,
    nearest,
)

UNKNOWN_WORDS = {"", "unknown", "not known", "unsure", "?", "skip", "n/a", "na"}
YES_WORDS = {"yes", "y", "true", "present", "positive"}
NO_WORDS = {"no", "n", "false", "absent", "negative"}
# How sure a reporter is, as the words of a report. A convention of the case schema (expert
# estimate, no source in the reference): readers take "probable" for roughly four in five,
# "suspected" for a little over half and "possible" for well under half; give a number
# whenever the reporter gives one.
CERTAINTY_WORDS = {
    "certain": 1.0,
    "definite": 1.0,
    "confirmed": 1.0,
    "probable": 0.8,
    "likely": 0.8,
    "suspected": 0.6,
    "possible": 0.4,
}


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
    certainty: dict[str, float] = {}
    for key, given in findings.items():
        if key not in kb.findings:
            raise UnknownKeyError("finding", str(key), kb.findings)
        raw, sure = split_certainty(key, given)
        parsed = parse_value(kb, key, raw)
        if parsed is None:
            continue
        if sure < 1.0:
            certainty[key] = sure
        if isinstance(parsed, float):
            numbers[key] = parsed
            values[key] = kb.findings[key].categorise(parsed)
        else:
            values[key] = parsed
    implied = _imply(values, certainty)
    _check_contradictions({k: v for k, v in values.items() if k not in certainty})
    return Case(values, numbers, frozenset(implied), setting, certainty)


def case_problems(
    kb: KnowledgeBase, findings: Mapping[str, Any], setting: str | None = None
) -> tuple[str, ...]:
    """Every problem of raw findings, one message each; empty when :func:`parse_case` accepts
    them. :func:`parse_case` stops at the first, which costs whoever enters a case report
    one round trip per mistake."""
    problems: list[str] = []
    if setting is not None and setting not in kb.settings:
        problems.append(str(UnknownKeyError("setting", setting, kb.settings)))
        setting = None  # each finding is still checked, against the default setting
    for key, given in findings.items():
        try:
            parse_case(kb, {key: given}, setting)
        except InputError as exc:
            problems.append(str(exc))
    if not problems:
        try:
            parse_case(kb, findings, setting)
        except InputError as exc:  # answers that contradict one another
            problems.append(str(exc))
    return tuple(problems)


def split_certainty(key: str, given: Any) -> tuple[Any, float]:
    """The raw value and its certainty (1.0 unless one was given).

    Accepts :class:`Uncertain`, a mapping ``{value: ..., certainty: ...}`` and a plain value.
    """
    if isinstance(given, Uncertain):
        return given.value, parse_certainty(key, given.certainty)
    if isinstance(given, Mapping):
        if set(given) - {"value", "certainty"} or "value" not in given:
            raise InvalidValueError(
                f"'{key}': an uncertain finding is {{value: ..., certainty: ...}}, got "
                f"keys {sorted(map(str, given))}"
            )
        return given["value"], parse_certainty(key, given.get("certainty", 1.0))
    return given, 1.0


def parse_certainty(key: str, raw: Any) -> float:
    """A certainty in (0, 1], from a number or a word of :data:`CERTAINTY_WORDS`."""
    if isinstance(raw, str) and raw.strip().lower() in CERTAINTY_WORDS:
        return CERTAINTY_WORDS[raw.strip().lower()]
    words = ", ".join(CERTAINTY_WORDS)
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise InvalidValueError(f"'{key}': certainty must be a number in (0, 1] or {words}")
    try:
        number = float(raw)
    except ValueError:
        raise InvalidValueError(
            f"'{key}': certainty must be a number in (0, 1] or one of {words}, got {raw!r}"
        ) from None
    if not (math.isfinite(number) and 0 < number <= 1):
        raise InvalidValueError(f"'{key}': certainty must lie in (0, 1], got {raw!r}")
    return number


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


def stored_value(kb: KnowledgeBase, key: str, raw: Any) -> str:
    """One finding's value as stored and shown: the normalised word, a number in its
    shortest form, or 'unknown'. The one normaliser of the forms and the API."""
    parsed = parse_value(kb, key, raw)
    if parsed is None:
        return "unknown"
    return f"{parsed:g}" if isinstance(parsed, float) else parsed


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


def _imply(values: dict[str, str], certainty: dict[str, float]) -> set[str]:
    """Add what a side implies about laterality when laterality was not given.

    An uncertain side implies laterality with the same certainty.
    """
    side = values.get("side")
    if side is None or "laterality" in values:
        return set()
    values["laterality"] = "bilateral" if side == "both" else "unilateral"
    if "side" in certainty:
        certainty["laterality"] = certainty["side"]
    return {"laterality"}


def _check_contradictions(values: Mapping[str, str]) -> None:
    side, laterality = values.get("side"), values.get("laterality")
    if side in ("left", "right") and laterality not in (None, "unilateral"):
        raise ContradictionError(
            f"side '{side}' contradicts laterality '{laterality}': a one-sided spasm is "
            "'unilateral'; use side 'both' for bilateral spasm",
            field="laterality",
        )
    if side == "both" and laterality == "unilateral":
        raise ContradictionError(
            "side 'both' contradicts laterality 'unilateral': choose left or right, or a "
            "bilateral laterality",
            field="laterality",
        )
    if (
        values.get("only_with_voluntary_movement") == "yes"
        and values.get("present_in_sleep") == "yes"
    ):
        raise ContradictionError(
            "'only_with_voluntary_movement: yes' contradicts 'present_in_sleep: yes': "
            "movements that need voluntary movement cannot occur in sleep"
        )
    onset = values.get("onset_site")
    if onset in ("lower_face", "whole_side") and values.get("spread_to_lower_face") == "no":
        raise ContradictionError(
            f"onset_site '{onset}' contradicts 'spread_to_lower_face: no': that finding means "
            "the lower face involved at onset or by spread, so a spasm that started there is "
            "'yes'; correct one of the two",
            field="spread_to_lower_face",
        )
