"""Test doubles shared by the app tests: a typed video analysis and an analyser that
returns it without decoding a video (the real pipeline is tested in tests/video)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from hemifacial.analysis.findings import EMITS, derive_findings, video_findings
from hemifacial.analysis.judged import rejudged_metrics
from hemifacial.analysis.types import (
    Event,
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


def _ev(start: float, end: float, side: str, kind: Any = "clonic", conf: float = 0.8) -> Event:
    return Event(start, end, side, kind, 0.8, 2, True, False, 0.05, conf)


SPASM_EVENTS = (
    _ev(0.8, 1.7, "right"),
    _ev(2.6, 3.5, "right"),
    _ev(3.7, 4.3, "left"),  # the one the clinician will find wrong
    _ev(4.4, 5.3, "right"),
    _ev(5.5, 5.7, "both", "blink", 1.0),
)


def events_analysis(events: tuple[Event, ...] = SPASM_EVENTS) -> VideoAnalysis:
    """A 6 s clip whose events the analyser reads as both sides (three right spasms and
    one left): metrics and findings derived from the events as the pipeline does."""
    base = video_analysis(findings={})
    quality = Quality(6.0, 120, 1.0, 1.0, 320.0, 120.0, 50.0, 1, (), ())
    metrics = rejudged_metrics(base.metrics, events, 0.1, None)
    findings = derive_findings(events, metrics)
    certainty = {
        k: u.certainty for k, u in video_findings(events, metrics, EMITS).items() if k in findings
    }
    times = tuple(i / 10 for i in range(61))
    closure_r = tuple(
        0.8 if any(e.side == "right" and e.start_s <= t <= e.end_s for e in events) else 0.05
        for t in times
    )
    closure_l = tuple(
        0.8 if any(e.side == "left" and e.start_s <= t <= e.end_s for e in events) else 0.05
        for t in times
    )
    zeros = (0.0,) * len(times)
    traces = TraceSummary(times, closure_r, closure_l, zeros, zeros, zeros, zeros)
    return replace(
        base,
        quality=quality,
        events=events,
        metrics=metrics,
        findings=findings,
        finding_certainty=certainty,
        traces=traces,
    )


def events_analyzer(
    path: Path, *, mirrored: bool, progress: Any, settings: Settings
) -> VideoAnalysis:
    assert path.is_file()
    return events_analysis()
