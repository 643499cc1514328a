"""The case report for the referring physician, built from the case page's read model.

Pure: it takes the :class:`~hemifacial.services.views.CaseView`, the evidence base and the
timeline plots' bytes, and returns HTML. What it shows follows the case page, condensed:
red flags first and apart, the ranking with the few strongest reasons per condition, the
recommended work-up, the findings with their sources, the video metrics and the course.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.domain.reasoning.assess import LIMITS
from hemifacial.domain.reasoning.explain import Contribution
from hemifacial.domain.reasoning.next_test import completion_words
from hemifacial.services.views import CaseView, FindingView

from .render import label, render

REASONS_PER_CONDITION = 4
RANKED_SHOWN = 8
TESTS_SHOWN = 5
# A likelihood ratio inside this band "hardly changes" a condition (explain._WORDS): such a
# finding is folded into a count rather than listed as a reason.
WEAK_BAND = (0.8, 1.25)
SUMMARY_FINDINGS = ("sex", "age_at_onset", "side", "onset_site", "contraction_pattern")


@dataclass(frozen=True)
class Reasons:
    """The strongest contributions to one condition and how many weak ones were left out."""

    condition_id: str
    name: str
    probability: float
    shown: tuple[Contribution, ...]
    folded: int


@dataclass(frozen=True)
class CourseLine:
    date: str
    visit: str
    treatment: str
    side: str
    events_per_min: float | None
    time_in_spasm_pct: float | None
    severity: int | None
    measured: bool


def main_reasons(view: CaseView, limit: int = REASONS_PER_CONDITION) -> tuple[Reasons, ...]:
    """Per explained condition, the ``limit`` strongest findings that move it."""
    if view.assessment is None:
        return ()
    result = view.assessment.result
    by_id = {r.condition_id: r for r in result.ranking}
    out = []
    for cid, items in result.explanations.items():
        strong = [c for c in items if not WEAK_BAND[0] <= c.likelihood_ratio < WEAK_BAND[1]]
        ranked = by_id[cid]
        out.append(
            Reasons(
                cid,
                ranked.name,
                ranked.probability,
                tuple(strong[:limit]),
                len(items) - min(len(strong), limit),
            )
        )
    return tuple(out)


def summary_values(findings: tuple[FindingView, ...]) -> dict[str, str]:
    """The values in use of the findings that describe the presentation in one line ("" for
    those not recorded)."""
    values = dict.fromkeys(SUMMARY_FINDINGS, "")
    for f in findings:
        if f.in_use and f.finding_id in SUMMARY_FINDINGS:
            values[f.finding_id] = label(f.value)
    return values


def course_lines(view: CaseView) -> tuple[CourseLine, ...]:
    """The measured videos in date order, with the visits that have no measured video."""
    lines = [
        CourseLine(
            r.date,
            r.visit,
            r.treatment,
            r.affected_side,
            r.events_per_min,
            r.time_in_spasm_pct,
            r.severity,
            True,
        )
        for r in view.course
    ]
    for v in view.visits:
        day = v.visited_on.isoformat()
        if not any(r.date == day and r.visit == v.label for r in view.course):
            lines.append(CourseLine(day, v.label, v.treatment, "", None, None, None, False))
    return tuple(sorted(lines, key=lambda c: c.date))


def cited(view: CaseView, reasons: tuple[Reasons, ...]) -> tuple[str, ...]:
    """Reference keys the report cites (reasons, red flags), in first-use order."""
    keys: list[str] = []
    for r in reasons:
        for c in r.shown:
            keys.extend(c.sources)
    if view.assessment is not None:
        for f in view.assessment.result.red_flags:
            keys.extend(f.sources)
    return tuple(dict.fromkeys(keys))


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def case_report_html(
    view: CaseView,
    kb: KnowledgeBase,
    plots: Mapping[int, bytes],
    generated: dt.datetime,
) -> str:
    """The report as one self-contained HTML page (styles and plots inlined)."""
    reasons = main_reasons(view)
    return render(
        "case_report.html",
        v=view,
        c=view.case,
        stored=view.assessment,
        a=view.assessment.result if view.assessment else None,
        kb=kb,
        summary=summary_values(view.findings),
        reasons=reasons,
        ranked_shown=RANKED_SHOWN,
        tests_shown=TESTS_SHOWN,
        completion=lambda tv: completion_words(kb, tv),
        plots={vid: data_uri(png) for vid, png in plots.items()},
        course=course_lines(view),
        references=[
            (k, kb.references[k].cite if k in kb.references else k) for k in cited(view, reasons)
        ],
        limits=LIMITS,
        generated=generated,
    )
