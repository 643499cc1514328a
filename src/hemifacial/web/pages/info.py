"""Public patient pages: what hemifacial spasm is, the privacy notice, and "continue my
request" (a fresh private link by e-mail). Access: anyone; none of them shows or reveals
patient data (the answer to "continue" is the same whether the address is known or not)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from hemifacial.services import patients

from ..deps import Ctx, Tx
from ..links import public_base
from ..render import render

router = APIRouter(include_in_schema=False)


@router.get("/about-hfs")
def about(request: Request) -> Response:
    return render(request, "patient/about.html", {})


@router.get("/privacy")
def privacy(request: Request) -> Response:
    return render(request, "patient/privacy.html", {})


@router.get("/continue")
def continue_form(request: Request) -> Response:
    sent = request.query_params.get("sent") == "1"
    return render(request, "patient/continue.html", {"sent": sent, "email": ""})


@router.post("/continue")
def continue_request(
    request: Request, ctx: Ctx, tx: Tx, email: Annotated[str, Form()] = ""
) -> Response:
    """Send a fresh link to the address if it is known; answer the same either way."""
    patients.resume(tx, ctx.outbox, email, public_base(request), ctx.settings.link_days)
    return RedirectResponse("/continue?sent=1", status_code=303)
