"""Test doubles shared by the app tests: a typed video analysis and an analyser that
returns it without decoding a video (the real pipeline is tested in tests/video)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hemifacial.analysis.types import (
    Metrics,
    Quality,
    Severity,
    SideMetrics,
    TraceSummary,
    VideoAnalysis,
)
from hemifacial.settings import Settings

FINDINGS = {"side": "right", "laterality": "unilateral", "other_babinski": "yes"}


def _side(events_per_min: float, time_in_spasm_pct: float) -> SideMetrics:
    return SideMetrics(events_per_min, 1.2, 2.0, time_in_spasm_pct, 0.9, 0.5, 0.3)


def video_analysis(
    findings: dict[str, str] | None = None, certainty: dict[str, float] | None = None
) -> VideoAnalysis:
    """A right-sided analysis: 12 events/min, 8.5 % of the time, Jankovic 4."""
    severity = Severity(2, 2, 4, 2, ("estimated from 60 s of video",))
    metrics = Metrics(
        "right", 0.9, _side(12.0, 8.5), _side(0.0, 0.0), 0, 15.0, 0.2, 0.1, 0.1, 0.4, 0.0, severity
    )
    quality = Quality(60.0, 1800, 0.98, 1.0, 320.0, 120.0, 50.0, 1, (), ())
    traces = TraceSummary(
        (0.0, 0.1), (0.0, 0.5), (0.0, 0.0), (0.0, 0.2), (0.0, 0.0), (0.0,) * 2, (0.0,) * 2
    )
    return VideoAnalysis(
        inputs={"fps": 30.0},
        quality=quality,
        events=(),
        metrics=metrics,
        findings=dict(FINDINGS if findings is None else findings),
        traces=traces,
        software={"hemifacial": "test double"},
        mirrored=False,
        finding_certainty=dict(certainty or {}),
    )


def fake_analyzer(
    path: Path, *, mirrored: bool, progress: Any, settings: Settings
) -> VideoAnalysis:
    assert path.is_file()
    progress(0.5)
    return video_analysis()
