"""Dates people enter (visits, test results): a real day, not in the future, not before
the patient was born (when the birth year is known)."""

from __future__ import annotations

import datetime as dt

from hemifacial.errors import FormError


def today() -> dt.date:
    return dt.date.today()


def parse_day(raw: str, field: str, birth_year: int | None = None) -> dt.date:
    """The ISO date ``raw`` (``2026-03-01``), or a FormError on ``field`` saying why not."""
    text = (raw or "").strip()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        message = (
            "a date is needed" if not text else f"a date like 2026-03-01 is needed, got {text!r}"
        )
        raise FormError({field: message}) from None
    if day > today():
        raise FormError({field: f"{day.isoformat()} is in the future; enter the day it happened"})
    if birth_year is not None and day.year < birth_year:
        raise FormError({field: f"{day.isoformat()} is before the patient was born ({birth_year})"})
    return day
