"""Template rendering with the request's CSRF token, the user and shared filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Undefined
from starlette.responses import Response

from hemifacial.services import forms

from .auth import csrf_token, ctx_of, current_user, set_csrf_cookie

TEMPLATES = Path(__file__).resolve().parent / "templates"


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
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


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    ctx = ctx_of(request)
    path = request.url.path
    user = current_user(request) if path.startswith(("/clinic", "/login")) else None
    full = {
        "request": request,
        "csrf": csrf_token(request),
        "user": user,
        "kb": ctx.kb,
        "mode": ctx.settings.mode,
        **context,
    }
    response = ctx.templates.TemplateResponse(request, template, full, status_code=status_code)
    response.headers.setdefault("Cache-Control", "no-store")
    set_csrf_cookie(request, response)
    return response
