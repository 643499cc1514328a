"""The API docs (Swagger UI) and the OpenAPI schema, for logged-in staff only.

Swagger UI comes from the ``swagger-ui-bundle`` package, served from ``/static/swagger`` (no
CDN: the docs work offline, and no foreign script runs on the origin that hands out CSRF
tokens). FastAPI's ``get_swagger_ui_html`` writes an inline script, which the
Content-Security-Policy forbids; the page here starts Swagger UI from ``/static/docs.js``
instead, and "Try it out" sends the session's CSRF token with every write.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ..render import render

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def api_docs(request: Request) -> Response:
    return render(request, "clinic/docs.html", {})


@router.get("/openapi.json")
async def openapi(request: Request) -> Response:
    return JSONResponse(request.app.openapi(), headers={"Cache-Control": "no-store"})
