"""Video spasm measurement: a face video in, per-side numbers, events and findings out.

Public API: :func:`analyze_video`, :func:`analyze_many`, :func:`compare_visits`,
:func:`render_timeline_png`; result types live in :mod:`hemifacial.analysis.types`.
"""

from __future__ import annotations

from typing import Any

from hemifacial.analysis.types import VideoAnalysis, VisitChange

from .api import analyze_many, analyze_video, compare_visits

__all__ = [
    "VideoAnalysis",
    "VisitChange",
    "analyze_many",
    "analyze_video",
    "compare_visits",
    "render_timeline_png",
]


def render_timeline_png(analysis: VideoAnalysis, path: Any) -> None:
    """Write the clinician's timeline plot of ``analysis`` to ``path`` (PNG)."""
    from .plots import render_timeline_png as _render

    _render(analysis, path)
