"""Template rendering with the request's CSRF token, the user and shared filters."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Undefined
from markupsafe import Markup
from starlette.responses import Response

from hemifacial.services import forms

from .auth import csrf_token, ctx_of, current_user, set_csrf_cookie

TEMPLATES = Path(__file__).resolve().parent / "templates"
# The blocks a cached page keeps; the header (user, logout form) is rendered per request.
CACHED_BLOCKS = ("title", "bodyclass", "main")
# Stands for the CSRF token in cached blocks; random, so no page content can contain it.
_CSRF_PLACEHOLDER = secrets.token_hex(16)


def make_templates(*, auto_reload: bool = False) -> Jinja2Templates:
    """The templates; ``auto_reload`` re-reads edited files (dev mode: a stat per render)."""
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.auto_reload = auto_reload
    env.filters["pct"] = lambda p: _fmt(p, 100, 0, "%")
    env.filters["pct1"] = lambda p: _fmt(p, 100, 1, "%")
    env.filters["num"] = lambda x, nd=1: _fmt(x, 1, nd, "")
    env.filters["label"] = forms.label
    return templates


def _fmt(value: Any, scale: float, digits: int, suffix: str) -> str:
    """A number for people; a missing or non-numeric value shows as a dash."""
    if value is None or isinstance(value, Undefined):
        return "–"
    try:
        return f"{scale * float(value):.{digits}f}{suffix}"
    except (TypeError, ValueError):
        return "–"


def _base_context(request: Request, csrf: str) -> dict[str, Any]:
    ctx = ctx_of(request)
    return {"request": request, "csrf": csrf, "kb": ctx.kb, "mode": ctx.settings.mode}


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    path = request.url.path
    user = current_user(request) if path.startswith(("/clinic", "/login")) else None
    full = {**_base_context(request, csrf_token(request)), "user": user, **context}
    ctx = ctx_of(request)
    response = ctx.templates.TemplateResponse(request, template, full, status_code=status_code)
    response.headers.setdefault("Cache-Control", "no-store")
    set_csrf_cookie(request, response)
    return response


def render_cached(
    request: Request,
    template: str,
    *,
    key: str,
    revision: int,
    context: Callable[[], dict[str, Any]],
    shared: bool = False,
) -> Response:
    """:func:`render`, reusing the page's blocks while ``revision`` is unchanged.

    ``context`` is called (and the database read) only when the cache has no page for this
    ``key`` at this ``revision``. The blocks must not depend on the user; the CSRF token is
    put in per request. ``shared`` pages are offered to the other worker processes (for keys
    of bounded number, such as one per case).
    """
    ctx = ctx_of(request)

    def blocks_of_page() -> dict[str, str]:
        tmpl = ctx.templates.env.get_template(template)
        jinja_ctx = tmpl.new_context({**_base_context(request, _CSRF_PLACEHOLDER), **context()})
        return {
            name: "".join(tmpl.blocks[name](jinja_ctx))
            for name in CACHED_BLOCKS
            if name in tmpl.blocks
        }

    page = ctx.pages.fetch(key, revision, blocks_of_page, shared=shared)
    token = csrf_token(request)
    blocks = {
        name: Markup(text.replace(_CSRF_PLACEHOLDER, token)) for name, text in page.blocks.items()
    }
    return render(request, "_cached.html", {"blocks": blocks})
