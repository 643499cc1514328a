"""No template carries script the Content-Security-Policy would block (inline script,
``on…=`` handlers, ``javascript:`` URLs): a page's behaviour lives in /static/*.js."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hemifacial.web.render import TEMPLATES

PAGES = sorted(TEMPLATES.rglob("*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"javascript:", re.I)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_a_template_has_no_inline_script(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to /static"
    assert not HANDLER.search(text), "an on…= handler: add a listener in /static/app.js"
    assert not JS_URL.search(text), "a javascript: URL: add a listener in /static/app.js"


def test_every_template_is_checked() -> None:
    assert len(PAGES) > 20 and any(p.name == "case.html" for p in PAGES)
