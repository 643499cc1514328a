"""Reading a referral letter on the case page: the pasted text gives suggested findings,
each with the sentence it came from (negations shown); only the ones the clinician ticks
are recorded, as clinician findings, and the case page then says what changed.

The letter's text is not stored: the review page carries it back in its confirm form (so
that only what the letter says can be recorded), and the audit keeps the findings, the
letter's length and that they came from a letter.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from hemifacial.errors import InputError
from hemifacial.services import letters, results

from ..deps import Audit, Ctx, CurrentUser, FormFields, Read, Tx
from ..flash import saved
from ..render import render
from .clinic import _refused

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=letters.MAX_LETTER_CHARS)]


def _label(ctx: Ctx, fid: str) -> str:
    f = ctx.kb.findings.get(fid)
    return f.label if f else fid


@router.post("/clinic/cases/{case_id}/letter")
def read_letter(
    case_id: int, request: Request, ctx: Ctx, user: CurrentUser, read: Read, audit: Audit,
    text: Text = "",
) -> Response:  # fmt: skip
    """The suggestions, to tick (nothing is recorded by this request)."""
    try:
        reading = letters.read_letter(ctx.kb, text)
    except InputError as exc:
        return _refused(request, ctx, read, case_id, exc, {"form": "letter"}, field="letter")
    audit(user.username, "letters.suggest", case_id, chars=len(text))
    data = {
        "case_id": case_id,
        "text": text,
        "r": reading,
        "label": lambda fid: _label(ctx, fid),
        "by_finding": {
            fid: [s for s in reading.suggestions if s.finding == fid]
            for fid in dict.fromkeys(s.finding for s in reading.suggestions)
        },
    }
    return render(request, "clinic/letter.html", data)


@router.post("/clinic/cases/{case_id}/letter/confirm")
def confirm(
    case_id: int, request: Request, ctx: Ctx, user: CurrentUser, tx: Tx, form: FormFields
) -> Response:
    """Record the ticked findings (``accept.<id>``; ``v.<id>``: the value chosen)."""
    accept = [k[7:] for k, v in form.items() if k.startswith("accept.") and v]
    values = {k[2:]: v for k, v in form.items() if k.startswith("v.") and v and k[2:] in accept}
    since = results.latest_assessment_id(tx, case_id)
    try:
        letters.record_from_letter(
            tx, ctx.kb, case_id, form.get("text", ""), accept, values, user.username
        )
    except InputError as exc:
        return _refused(request, ctx, tx, case_id, exc, {"form": "letter"}, field="letter")
    return saved(case_id, "letter", since)
