"""Video review and conflicts API: the clinician's judgement of a video's events and side,
and the choice of what counts where sources disagree — the JSON side of
``pages/review.py``, through the same services (judgements stored, audited, counted over
the analyser's reading)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hemifacial.services import conflicts, reads, results, review, videos
from hemifacial.services.database import UnitOfWork

from .. import schemas_records as sr
from ..deps import Audit, Ctx, CurrentUser, Read, Tx
from ..render import revalidated_json

router = APIRouter(prefix="/api/v1", tags=["review"])


def _review(
    s: UnitOfWork, ctx: Ctx, video_id: int, case_id: int, since: int | None
) -> sr.ReviewPublic:
    view = reads.case_view(s, ctx.kb, case_id)
    found = next((v for v in view.videos if v.video.id == video_id), None)
    judged = found.analysis.review if found and found.analysis else None
    now = results.latest_assessment_id(s, case_id)
    return sr.review_public(case_id, video_id, judged, now, reads.changes_since(s, case_id, since))


@router.put("/videos/{video_id}/events/{index}", response_model=sr.ReviewPublic)
def judge_event(
    video_id: int, index: int, body: sr.EventJudgement, ctx: Ctx, user: CurrentUser, tx: Tx
) -> sr.ReviewPublic:
    """Mark event ``index`` (from 0, as in the analysis's ``events``) wrong or confirmed,
    or ``clear`` it; the video's findings are re-derived and the case re-ranked."""
    case_id = videos.case_of_video(tx, video_id)
    since = results.latest_assessment_id(tx, case_id)
    review.judge_event(tx, ctx.kb, video_id, index, body.verdict, user.username)
    return _review(tx, ctx, video_id, case_id, since)


@router.put("/videos/{video_id}/side", response_model=sr.ReviewPublic)
def judge_side(
    video_id: int, body: sr.SideJudgement, ctx: Ctx, user: CurrentUser, tx: Tx
) -> sr.ReviewPublic:
    """Confirm or override the affected side seen on the video (``clear``: the
    analyser's); the side is also recorded as the clinician's finding."""
    case_id = videos.case_of_video(tx, video_id)
    since = results.latest_assessment_id(tx, case_id)
    review.judge_side(tx, ctx.kb, video_id, body.side, user.username)
    return _review(tx, ctx, video_id, case_id, since)


@router.get("/cases/{case_id}/conflicts", response_model=list[sr.ConflictPublic])
def list_conflicts(
    case_id: int, request: Request, ctx: Ctx, user: CurrentUser, read: Read, audit: Audit
) -> Response:
    """Findings on which the sources disagree (open ones first), each with every source's
    answer and the one in use; with If-None-Match, 304 while the case is unchanged."""
    audit(user.username, "conflicts.view", case_id, via="api")
    revision = reads.case_revision(read, case_id)

    def body() -> str:
        view = reads.case_view_at(read, ctx.kb, case_id, revision, ctx.views)
        return json.dumps([sr.conflict_public(c).model_dump() for c in view.conflicts])

    return revalidated_json(request, "api-conflicts", case_id, revision, body)


@router.put("/cases/{case_id}/conflicts/{finding_id}", response_model=sr.ConflictSaved)
def choose(
    case_id: int, finding_id: str, body: sr.ConflictChoice, ctx: Ctx, user: CurrentUser, tx: Tx
) -> sr.ConflictSaved:
    """The value that counts for ``finding_id``, stored as the clinician's finding (audited
    as ``conflict.resolve``); re-ranked."""
    since = results.latest_assessment_id(tx, case_id)
    conflicts.choose(tx, ctx.kb, case_id, finding_id, body.value, user.username)
    view = reads.case_view(tx, ctx.kb, case_id, since=since)
    return sr.ConflictSaved(
        case_id=case_id,
        assessment_id=view.assessment.id if view.assessment else None,
        changed=list(view.changed),
        conflicts=[sr.conflict_public(c) for c in view.conflicts],
    )
