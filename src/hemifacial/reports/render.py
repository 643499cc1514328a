"""The reports' Jinja environment (autoescape always on) and the HTML → PDF step.

Everything from the database reaches the HTML through autoescaped templates. The PDF is
made by WeasyPrint with the system fonts (Debian's DejaVu, WenQuanYi Micro Hei for CJK
names); the only URLs it may open are ``data:`` URLs, so a report never fetches anything.
"""

from __future__ import annotations

import functools
import math
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from hemifacial.domain.reasoning.explain import percent

TEMPLATES = Path(__file__).resolve().parent / "templates"
_LABELS = {"yes": "yes", "no": "no", "unknown": "not sure"}


def number(x: float | None, digits: int = 1) -> str:
    """A measured number, or a dash when there is none (NaN, None)."""
    if x is None or not math.isfinite(float(x)):
        return "–"
    return f"{float(x):.{digits}f}"


_CLI_ADVICE = re.compile(r"\s*\((?:use|run) --[^)]*\)")


def without_cli_advice(note: str) -> str:
    """An analysis note without its command-line advice ("(use --mirrored …)"), which means
    nothing to a physician reading a report."""
    return _CLI_ADVICE.sub("", note)


def label(value: str) -> str:
    """A stored value as words (``clonic_and_tonic`` → ``clonic and tonic``)."""
    return _LABELS.get(value, str(value).replace("_", " "))


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(pct=percent, num=number, label=label, note=without_cli_advice)
    return env


def render(template: str, **context: Any) -> str:
    """``template`` rendered with ``context`` and the report stylesheet inlined."""
    # Our own stylesheet, not data: marked safe so its quotes are not escaped inside <style>.
    css = Markup((TEMPLATES / "report.css").read_text(encoding="utf-8"))
    return environment().get_template(template).render(css=css, **context)


def html_to_pdf(html: str) -> bytes:
    """The PDF of ``html`` (A4, system fonts, no network: only ``data:`` URLs are read)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES), url_fetcher=fetcher).write_pdf()
    return pdf
