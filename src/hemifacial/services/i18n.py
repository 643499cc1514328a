"""The patient's language: gettext catalogues (Babel ``.po`` files in ``hemifacial/locale``)
and the language of the current request.

The ``.po`` files are the source; they are compiled in memory on first use (Babel's
``write_mo``; no ``.mo`` file is committed, nothing is downloaded). A fuzzy or empty entry
is not used: the English text shows instead, and ``tests/test_i18n.py`` fails on it.

The language of a request is held in a context variable set by the web layer
(``web/language.py``); the services' patient wordings (``forms``, ``patients``) and the
templates read it through :func:`gettext`. ``using(lang)`` renders in a given language
and ``speaking(lang)`` in a patient's stored language (e-mails sent outside the patient's
request: ``cases.language``, see docs/languages.md).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import gettext as _gettext
import io
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
DEFAULT = "en"
# code → (html lang attribute, the language's name in itself)
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("en", "English"),
    "es": ("es", "Español"),
    "ko": ("ko", "한국어"),
    "zh_Hans": ("zh-Hans", "简体中文"),
}
_current: contextvars.ContextVar[str] = contextvars.ContextVar("hemifacial_lang", default=DEFAULT)


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English: no catalogue, the msgids themselves)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == DEFAULT or not po.exists():
        return _gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


def current() -> str:
    return _current.get()


def html_lang(lang: str | None = None) -> str:
    """The BCP 47 tag of ``lang`` (default: the current language), e.g. ``zh-Hans``."""
    return LANGUAGES.get(lang or current(), LANGUAGES[DEFAULT])[0]


def known(lang: str | None) -> str | None:
    """``lang`` if it is one of :data:`LANGUAGES`, else ``None`` (a stored or asked value)."""
    return lang if lang in LANGUAGES else None


def N_(message: str) -> str:
    """Marks ``message`` for extraction only; it is translated where it is shown."""
    return message


def set_current(lang: str) -> contextvars.Token[str]:
    return _current.set(lang if lang in LANGUAGES else DEFAULT)


@contextmanager
def using(lang: str | None) -> Iterator[None]:
    token = set_current(lang or DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def speaking(lang: str | None) -> AbstractContextManager[None]:
    """Render in a patient's stored language (``lang``); when it is not known, in the
    current language (the patient's own request: their choice; staff's: English)."""
    return using(known(lang) or current())


def gettext(message: str) -> str:
    if not message:
        return message
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current()).ngettext(singular, plural, n)


def long_date(day: dt.date) -> str:
    """A day for the patient, in the current language (``Tuesday 8 December 2026``)."""
    lang = current()
    if lang == DEFAULT:
        return f"{day:%A} {day.day} {day:%B %Y}"
    return str(format_date(day, "full", locale=lang))


def choose(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The language: asked for in the URL, else remembered, else the browser's first
    supported language (Accept-Language is only the first default), else English."""
    for given in (query, cookie):
        if given in LANGUAGES:
            return str(given)
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        traditional = any(x in tag for x in ("hant", "-tw", "-hk", "-mo"))
        if tag.startswith("zh") and "zh_Hans" in LANGUAGES and not traditional:
            return "zh_Hans"
        base = tag.split("-")[0]
        if base in LANGUAGES:
            return base
    return DEFAULT


# -- extraction of the patient wordings of patient_words.yaml (babel.cfg) -------------
# not words: a face diagram's name; the request kinds are the clinic's e-mail (English)
_NOT_WORDS = {"picture", "request_kinds"}


def extract_yaml(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """A Babel extractor: every non-empty string value of a YAML file, keyed by its path."""
    import yaml

    data = yaml.safe_load(fileobj.read().decode("utf-8"))

    def walk(node: Any, path: str) -> Iterator[tuple[int, str | None, str, list[str]]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if str(key) not in _NOT_WORDS:
                    yield from walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, str) and node.strip():
            yield 0, None, node, [path]

    yield from walk(data, "")
