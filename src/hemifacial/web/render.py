"""Template rendering with the request's CSRF token, the user and shared filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from hemifacial.services import forms

from .auth import csrf_token, ctx_of, current_user, set_csrf_cookie

TEMPLATES = Path(__file__).resolve().parent / "templates"


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.filters["pct"] = lambda p: "–" if p is None else f"{100 * float(p):.0f}%"
    env.filters["pct1"] = lambda p: "–" if p is None else f"{100 * float(p):.1f}%"
    env.filters["num"] = lambda x, nd=1: "–" if x is None else f"{float(x):.{nd}f}"
    env.filters["label"] = forms.label
    return templates


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
