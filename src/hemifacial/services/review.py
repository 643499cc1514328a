"""Video review: the clinician's judgement of a video's events and affected side.

A judgement is stored (``video_reviews``), audited, and counts over the analyser's reading:
the video's findings are re-derived from the events that are left
(:func:`hemifacial.analysis.judged.judged`) and replace the ones the analyser gave, the
summary columns of the course follow, and the case is re-assessed. A side the clinician
gives is also recorded as the clinician's finding (certain), which outranks the video's
and the patient's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from hemifacial.analysis.judged import SIDE_CHOICES, Judgement, judged
from hemifacial.analysis.types import VideoAnalysis
from hemifacial.db import records
from hemifacial.db import repositories as repo
from hemifacial.db import tables as t
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.errors import InvalidValueError, NotFoundError

from .cases import reassess
from .stored import rebuild, stored_assessment
from .videos import summary_columns
from .views import ReviewView, StoredAssessment

EVENT_VERDICTS = ("wrong", "confirmed")
CLEAR = "clear"


def judgement_of(rows: Iterable[t.VideoReview]) -> Judgement:
    """The judgement the stored review rows of one video make (the latest row per target)."""
    latest: dict[int | None, str] = {}
    for r in sorted(rows, key=lambda r: r.id):
        latest[r.event_index] = r.verdict
    return Judgement(
        rejected=frozenset(i for i, v in latest.items() if i is not None and v == "wrong"),
        confirmed=frozenset(i for i, v in latest.items() if i is not None and v == "confirmed"),
        side=latest.get(None),
    )


def review_view(rows: Sequence[t.VideoReview], analysis: VideoAnalysis) -> ReviewView | None:
    """What the clinician decided about one video and the analysis that leaves (None when
    nothing was judged)."""
    if not rows:
        return None
    judgement = judgement_of(rows)
    last = max(rows, key=lambda r: r.id)
    return ReviewView(
        judgement.rejected,
        judgement.confirmed,
        judgement.side,
        last.reviewed_by,
        last.reviewed_at,
        judged(analysis, judgement),
    )


def _apply(
    s: Session, kb: KnowledgeBase, video: t.Video, actor: str, what: str
) -> StoredAssessment:
    """Re-derive the video's findings and summary from its judgement and re-assess."""
    row = repo.analysis_of(s, video.id)
    if row is None:
        raise NotFoundError(f"video {video.id} has not been analysed yet")
    judgement = judgement_of(records.reviews_of_video(s, video.id))
    result = judged(rebuild(VideoAnalysis, row.result), judgement, kb.findings)
    for column, value in summary_columns(result).items():
        setattr(row, column, value)
    records.delete_judged_findings(s, video.id)
    for key, value in result.findings.items():
        sure = result.finding_certainty.get(key, 1.0)
        s.add(
            t.Finding(
                case_id=video.case_id,
                finding_id=key,
                value=value,
                source="video",
                recorded_by="video analysis",
                video_id=video.id,
                certainty=sure if sure < 1 else None,
            )
        )
    if judgement.side is not None and "side" in kb.findings:
        s.add(
            t.Finding(
                case_id=video.case_id,
                finding_id="side",
                value=judgement.side,
                source="clinician",
                recorded_by=actor,
                video_id=video.id,
            )
        )
    s.flush()
    case = repo.get_case(s, video.case_id)
    return stored_assessment(reassess(s, kb, case, f"video {video.id} reviewed: {what}"))


def judge_event(
    s: Session, kb: KnowledgeBase, video_id: int, index: int, verdict: str, actor: str
) -> StoredAssessment:
    """Mark event ``index`` of the video wrong or confirmed (``clear``: back to the
    analyser's reading) and re-assess."""
    if verdict not in (*EVENT_VERDICTS, CLEAR):
        raise InvalidValueError(f"verdict must be wrong, confirmed or clear, got {verdict!r}")
    video = repo.get_video(s, video_id)
    row = repo.analysis_of(s, video_id)
    if row is None:
        raise NotFoundError(f"video {video_id} has not been analysed yet")
    n = len(row.result.get("events", ()))
    if not 0 <= index < n:
        raise InvalidValueError(
            f"video {video_id} has events 1 to {n}; there is no event {index + 1}"
        )
    return _judge(s, kb, video, index, verdict, actor, f"event {index + 1} {verdict}")


def judge_side(
    s: Session, kb: KnowledgeBase, video_id: int, side: str, actor: str
) -> StoredAssessment:
    """Confirm or override the affected side seen on the video (``clear``: the analyser's)."""
    if side not in (*SIDE_CHOICES, CLEAR):
        raise InvalidValueError(f"side must be right, left, both or clear, got {side!r}")
    video = repo.get_video(s, video_id)
    return _judge(s, kb, video, None, side, actor, f"side {side}")


def _judge(
    s: Session,
    kb: KnowledgeBase,
    video: t.Video,
    index: int | None,
    verdict: str,
    actor: str,
    what: str,
) -> StoredAssessment:
    records.delete_review(s, video.id, index)
    if verdict != CLEAR:
        s.add(
            t.VideoReview(
                case_id=video.case_id,
                video_id=video.id,
                event_index=index,
                verdict=verdict,
                reviewed_by=actor,
            )
        )
    repo.audit(
        s, actor, "video.review", video.case_id, video_id=video.id, event=index, verdict=verdict
    )
    s.flush()
    return _apply(s, kb, video, actor, what)
