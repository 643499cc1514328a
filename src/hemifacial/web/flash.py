"""The confirmation after a save, shown where the clinician is looking.

A write redirects to the case page with ``?saved=<what>&since=<assessment>`` (and a
fragment): the page then names what was saved (a fixed message: nothing typed in a
request reaches the page) and what moved in the ranking since that assessment, in a
region that takes the focus. No cookie, no server state.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse

MESSAGES = {
    "findings": "Findings saved.",
    "letter": "Findings from the letter saved.",
    "result": "Test result saved.",
    "result-edited": "Test result corrected.",
    "result-deleted": "Test result deleted.",
    "review": "Your review of the video is saved.",
    "conflict": "Your choice is saved; it now counts over the other sources.",
    "note-edited": "Note corrected.",
    "note-deleted": "Note deleted.",
    "visit-edited": "Visit corrected.",
    "visit-deleted": "Visit deleted.",
    "finding-edited": "Finding corrected.",
    "finding-deleted": "Finding removed.",
}


@dataclass(frozen=True)
class Flash:
    message: str
    since: int | None  # the assessment before the save
    at: str  # where it is shown: "top" or "video-<id>"


def saved(
    case_id: int, what: str, since: int | None, at: str = "top", anchor: str = "flash"
) -> RedirectResponse:
    """303 to the case page that confirms ``what`` (a key of :data:`MESSAGES`)."""
    query = {"saved": what, **({"since": str(since)} if since is not None else {})}
    if at != "top":
        query["at"] = at
    url = f"/clinic/cases/{case_id}?{urlencode(query)}#{anchor}"
    return RedirectResponse(url, status_code=303)


def flash_of(request: Request) -> Flash | None:
    """The confirmation a redirect asked for (None for a plain view of the page)."""
    q = request.query_params
    message = MESSAGES.get(q.get("saved", ""))
    if message is None:
        return None
    since = q.get("since", "")
    at = q.get("at", "top")
    if not (at == "top" or (at.startswith("video-") and at[6:].isdigit())):
        at = "top"
    return Flash(message, int(since) if since.isdigit() else None, at)
