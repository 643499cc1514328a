"""Video review on the case page: play a video (HTTP range requests, each view audited),
judge its events and side, and choose between sources that disagree."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, Response

from hemifacial.errors import InputError
from hemifacial.services import conflicts, results, review, videos

from ..deps import Audit, Ctx, CurrentUser, Read, Tx
from ..flash import saved
from .clinic import _refused

router = APIRouter(include_in_schema=False)


@router.get("/clinic/videos/{video_id}/media", response_class=FileResponse)
def media(
    video_id: int, request: Request, ctx: Ctx, user: CurrentUser, read: Read, audit: Audit
) -> Response:
    """The video file, in parts as the player asks (206 with Content-Range; 416 for a
    range outside the file). Every request is audited with the range it asked for."""
    found = videos.media_file(read, ctx.settings, video_id)
    audit(
        user.username,
        "video.stream",
        found.case_id,
        video_id=video_id,
        range=request.headers.get("range", "")[:100],
    )
    return FileResponse(
        found.path,
        media_type=found.media_type,
        headers={"Cache-Control": "private, no-store", "Content-Disposition": "inline"},
    )


@router.post("/clinic/videos/{video_id}/events/{index}")
def judge_event(
    video_id: int,
    index: int,
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    verdict: Annotated[str, Form()] = "",
) -> Response:
    """An event marked wrong or confirmed (``clear``: back to the analyser's reading)."""
    case_id = videos.case_of_video(tx, video_id)
    since = results.latest_assessment_id(tx, case_id)
    review.judge_event(tx, ctx.kb, video_id, index, verdict, user.username)
    return saved(case_id, "review", since, at=f"video-{video_id}", anchor=f"video-{video_id}")


@router.post("/clinic/videos/{video_id}/side")
def judge_side(
    video_id: int,
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    side: Annotated[str, Form()] = "",
) -> Response:
    """The affected side confirmed or overridden (``clear``: the analyser's side)."""
    case_id = videos.case_of_video(tx, video_id)
    since = results.latest_assessment_id(tx, case_id)
    review.judge_side(tx, ctx.kb, video_id, side, user.username)
    return saved(case_id, "review", since, at=f"video-{video_id}", anchor=f"video-{video_id}")


@router.post("/clinic/cases/{case_id}/conflicts")
def choose(
    case_id: int,
    request: Request,
    ctx: Ctx,
    user: CurrentUser,
    tx: Tx,
    finding: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
) -> Response:
    """The clinician's choice of the value that counts where the sources disagree."""
    since = results.latest_assessment_id(tx, case_id)
    try:
        conflicts.choose(tx, ctx.kb, case_id, finding, value, user.username)
    except InputError as exc:
        return _refused(request, ctx, tx, case_id, exc, {"form": "conflict"})
    return saved(case_id, "conflict", since)
