"""The translations as the tests read them: straight from the ``.po`` files (Babel), not
through the app, so that a test compares what the app shows with what the catalogue says."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from hemifacial.services.i18n import DEFAULT, DOMAIN, LOCALE_DIR

POT = LOCALE_DIR / f"{DOMAIN}.pot"


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalogue(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        pytest.fail(f"no catalogue for {lang!r}: {path} is missing (see docs/languages.md)")
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def translated(lang: str, msgid: str) -> str:
    """``msgid`` in ``lang`` as the catalogue has it (English: the msgid itself); a missing,
    empty or fuzzy translation fails the test."""
    if lang == DEFAULT:
        return msgid
    message = catalogue(lang).get(msgid)
    if message is None or not message.string or message.fuzzy:
        pytest.fail(f"{msgid!r} has no usable translation in {po_path(lang)}")
    return str(message.string)
