"""Template rendering with the request's CSRF token, the user and shared filters; ETags."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Undefined
from markupsafe import Markup
from starlette.responses import Response

from hemifacial import __version__
from hemifacial.domain.reasoning.explain import percent
from hemifacial.reports.render import without_cli_advice
from hemifacial.services import forms, glance, i18n

from .auth import ctx_of, current_user
from .csrf import csrf_token, set_nonce_cookie
from .js_strings import js_strings

TEMPLATES = Path(__file__).resolve().parent / "templates"


class _Undefined(Undefined):
    """What a missing value or an inline ``if`` without ``else`` gives: empty, as Jinja's own,
    but with ``__html__``, so autoescaping takes it as is; Jinja's looked the method up
    through its failing attribute access, an exception per use (3 % of a case page)."""

    __slots__ = ()

    def __html__(self) -> str:
        return ""


def make_templates(*, auto_reload: bool = False) -> Jinja2Templates:
    """The templates; ``auto_reload`` re-reads edited files (dev mode: a stat per render)."""
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.auto_reload = auto_reload
    env.undefined = _Undefined
    env.add_extension("jinja2.ext.i18n")  # the patient's pages: {% trans %} and _()
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["html_lang"] = i18n.html_lang
    env.globals["current_lang"] = i18n.current
    env.globals["languages"] = i18n.LANGUAGES
    env.globals["lang_url"] = lang_url
    env.globals["js_strings"] = js_strings  # the scripts' words (<body data-i18n>)
    env.globals["js_strings_attr"] = _js_strings_attr(templates)
    env.filters["t"] = i18n.gettext  # a patient wording held as data (patient_words.yaml)
    # one format for every probability (whole %, one decimal below 1 % and above 99 %)
    env.filters["pct"] = _percent
    env.filters["pct1"] = _percent  # the old name of the same filter (templates of before)
    env.filters["note"] = without_cli_advice  # an analysis note, without "(use --mirrored …)"
    env.filters["num"] = lambda x, nd=1: _fmt(x, 1, nd, "")
    env.filters["label"] = forms.label
    env.filters["brief"] = glance.brief_name  # a condition's name without its parentheses
    env.filters["ref_url"] = glance.reference_url  # a reference's DOI / PubMed link, if any
    return templates


def compile_templates(templates: Jinja2Templates) -> int:
    """Compile every template now; returns how many. Jinja compiles a template on its first
    use and does not lock while it does, so the first requests of a fresh process all
    compiled the case page's templates at once (20–90 ms of CPU each, the slowest page views
    of a load run's first second; docs/web.md, "Warm-up"). The serving process calls it once
    before its first request (web/app.py, ``prepare_to_serve``)."""
    names = templates.env.list_templates(extensions=["html"])
    for name in names:
        templates.env.get_template(name)
    return len(names)


def _js_strings_attr(templates: Jinja2Templates) -> Callable[[], Markup]:
    """``js_strings() | tojson | forceescape`` (every page's ``data-i18n``), rendered once
    per language in this process: the words depend on the language alone (the catalogues
    are read once, services.i18n.translations)."""
    expression = templates.env.from_string("{{ js_strings() | tojson | forceescape }}")
    done: dict[str, Markup] = {}

    def attr() -> Markup:
        lang = i18n.current()
        got = done.get(lang)
        if got is None:
            got = done[lang] = Markup(expression.render())
        return got

    return attr


def lang_url(request: Request, lang: str) -> str:
    """This page in ``lang`` (the switcher's links). A page shown after a form was sent
    links to the page of the request it belongs to (``POST``-only addresses have no page)."""
    path = request.url.path
    if request.method != "GET":
        parts = path.split("/")
        path = f"/p/{parts[2]}" if len(parts) > 2 and parts[1] == "p" else "/"
        return f"{path}?lang={lang}"
    return str(request.url.include_query_params(lang=lang).replace(scheme="", netloc=""))


def _percent(value: Any) -> str:
    """A probability (0–1) as :func:`percent` shows it; a dash for anything else."""
    if value is None or isinstance(value, Undefined | str | bool):
        return "–"
    try:
        return percent(float(value))
    except (TypeError, ValueError):
        return "–"


def _fmt(value: Any, scale: float, digits: int, suffix: str) -> str:
    """A number for people; a missing or non-numeric value shows as a dash."""
    if value is None or isinstance(value, Undefined):
        return "–"
    try:
        number = scale * float(value)
    except (TypeError, ValueError):
        return "–"
    return f"{number:.{digits}f}{suffix}" if math.isfinite(number) else "–"


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
    *,
    etag: str | None = None,
) -> Response:
    """The page; with ``etag`` the browser may keep it and ask again with If-None-Match."""
    ctx = ctx_of(request)
    path = request.url.path
    user = current_user(request) if path.startswith(("/clinic", "/login")) else None
    full = {
        "request": request,
        "csrf": csrf_token(request),
        "kb": ctx.kb,
        "mode": ctx.settings.mode,
        "clinic": ctx.settings.clinic,
        "user": user,
        **context,
    }
    response = ctx.templates.TemplateResponse(request, template, full, status_code=status_code)
    if etag:
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = "private, no-cache"
    else:
        response.headers.setdefault("Cache-Control", "no-store")
    set_nonce_cookie(request, response)
    return response


def page_etag(request: Request, *parts: object) -> str:
    """A weak ETag for a page built from ``parts`` (e.g. a case and its revision) for this
    viewer: the viewer's CSRF token, the evidence-base version and the templates are part
    of the page."""
    ctx = ctx_of(request)
    looks = ctx.cache.get("templates_hash")
    if looks is None:  # a deployment with changed templates must not be served stale pages
        looks = ctx.cache["templates_hash"] = _templates_hash()
    key = "\0".join(
        map(str, (*parts, ctx.kb.content_hash, __version__, looks, csrf_token(request)))
    )
    return 'W/"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def _templates_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(TEMPLATES.rglob("*.html")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def not_modified(request: Request, etag: str) -> Response | None:
    """A 304 when the browser already holds the page tagged ``etag``."""
    given = request.headers.get("if-none-match", "")
    if etag in (tag.strip() for tag in given.split(",")):
        response = Response(status_code=304, headers={"ETag": etag})
        response.headers["Cache-Control"] = "private, no-cache"
        return response
    return None


def revalidated_json(
    request: Request, kind: str, case_id: int, revision: int, body: Callable[[], str]
) -> Response:
    """An API read of a case at ``revision``: 304 while the client holds it, else the JSON
    ``body()`` (built only then) tagged for the next If-None-Match."""
    etag = page_etag(request, kind, case_id, revision)
    unchanged = not_modified(request, etag)
    if unchanged is not None:
        return unchanged
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    return Response(body(), media_type="application/json", headers=headers)
