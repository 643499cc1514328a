"""Letters API: suggest findings from a pasted referral letter (login needed; nothing stored).

Access policy: any logged-in clinic user, CSRF-checked like every API write. The letter text is
not stored or logged — the audit line records who asked and the letter's length only. The
reply only proposes: findings count once the clinician records them on a case.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from hemifacial.services import letters

from ..deps import Audit, Ctx, CurrentUser

router = APIRouter(prefix="/api/v1", tags=["letters"])


class LetterRequest(BaseModel):
    text: str = Field(min_length=1, max_length=letters.MAX_LETTER_CHARS)


@router.post("/letters/suggest")
def suggest(body: LetterRequest, ctx: Ctx, user: CurrentUser, audit: Audit) -> dict[str, Any]:
    """Suggested findings, each with the sentence it came from; none is counted."""
    reading = letters.read_letter(ctx.kb, body.text)
    audit(user.username, "letters.suggest", chars=len(body.text))
    return {**reading.to_dict(), "counted": False}
