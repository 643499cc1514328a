"""The project's plots, all drawn with matplotlib: the timeline of one video (PNG) and the
course over visits on the case page (inline SVG).

Figures are made with the object API (``Figure``, no ``pyplot``): no global figure state,
no GUI backend, safe in the web app's threads."""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from hemifacial.analysis.types import VideoAnalysis

_COLOURS = {
    "clonic": "#d62728",
    "tonic": "#9467bd",
    "bilateral_clonic": "#ff7f0e",
    "bilateral_tonic": "#8c564b",
    "uncertain": "#bbbbbb",
}


def _title(a: VideoAnalysis) -> str:
    m = a.metrics
    side = m.affected_side
    s = m.side(side) if side in ("right", "left") else None
    parts = [f"affected side: {side} ({100 * m.side_confidence:.0f}%)"]
    if s is not None:
        parts += [
            f"{s.events_per_min:.1f} events/min",
            f"{s.time_in_spasm_pct:.1f}% time in spasm",
            f"longest {s.longest_event_s:.1f} s",
        ]
    sev = m.severity
    parts.append(f"est. JRS {sev.jankovic_severity}+{sev.jankovic_frequency}, SMC {sev.smc_grade}")
    return " · ".join(parts)


def _clip_name(path: str) -> str:
    """The clip's file name for the plot's title; a stored upload is named by its SHA-256,
    which means nothing to a reader, so it is called what it shows."""
    name = Path(path).name
    if not name or re.fullmatch(r"[0-9a-f]{64}(\.\w+)?", name):
        return "Eye closure and mouth movement over time"
    return name


def render_timeline_png(analysis: VideoAnalysis, path: str | Path) -> None:
    """Per-side eye closure and mouth pull over time, events shaded and labelled."""
    tr = analysis.traces
    t = np.asarray(tr.times, dtype=float)
    fig = Figure(figsize=(12, 5.5), layout="constrained")
    axes = fig.subplots(2, 1, sharex=True)
    ax_eye, ax_mouth = axes
    for side, colour in (("right", "#1f77b4"), ("left", "#2ca02c")):
        c = np.asarray(getattr(tr, f"closure_{side}"), dtype=float)
        m = np.asarray(getattr(tr, f"mouth_{side}"), dtype=float)
        ax_eye.plot(t, c, color=colour, lw=1.2, label=f"patient's {side} eye")
        ax_mouth.plot(t, m, color=colour, lw=1.2, label=f"patient's {side} mouth corner")
    for e in analysis.events:
        if e.kind == "blink":
            ax_eye.axvline(e.start_s, color="#999999", lw=0.5, alpha=0.5)
            continue
        colour = _COLOURS.get(e.kind, "#bbbbbb")
        for ax in axes:
            ax.axvspan(e.start_s, e.end_s, color=colour, alpha=0.25, lw=0)
        label = e.kind.replace("_", " ") + ("" if e.side == "both" else f" {e.side[0].upper()}")
        ax_eye.text(e.start_s, 1.02, label, fontsize=7, color=colour, rotation=30, va="bottom")
    for f in analysis.quality.flags:
        ax_eye.axvspan(f.start_s, f.end_s, color="black", alpha=0.08, hatch="//", lw=0)
    ax_eye.set_ylim(-0.05, 1.25)
    ax_eye.set_ylabel("eye closure (0 open – 1 shut)")
    ax_mouth.set_ylabel("mouth corner pull (IOD)")
    ax_mouth.set_xlabel("time (s)  ·  grey lines: blinks  ·  hatched: not measurable")
    ax_eye.legend(loc="upper right", fontsize=8)
    ax_mouth.legend(loc="upper right", fontsize=8)
    name = _clip_name(str(analysis.inputs.get("path", "")))
    fig.suptitle(
        f"{name} — {_title(analysis)}\n(severity grades are estimates from video)", fontsize=9
    )
    fig.savefig(str(path), dpi=110)


Series = tuple[str, tuple[float | None, ...], str]
"""One metric of the course chart: its name, a value (or None) per measured date, its colour."""
Mark = tuple[str, str]
"""A dated mark on the course chart: ISO date and its text (a visit, a treatment)."""

# Text stays text in SVG output (searchable, escaped, in the page's font). Set once here,
# not per call with rc_context, which is not safe when web threads draw at the same time.
matplotlib.rcParams["svg.fonttype"] = "none"


def _day(iso: str) -> float:
    """An ISO date as days since 1970 (the x axis)."""
    return float(np.datetime64(iso[:10], "D").astype(np.int64))


def _plain(text: Any) -> None:
    text.set_parse_math(False)  # "$" is a dollar, not mathtext


@functools.lru_cache(maxsize=512)
def course_svg(
    dates: tuple[str, ...],
    series: tuple[Series, ...],
    unmeasured: tuple[Mark, ...] = (),
    treatments: tuple[Mark, ...] = (),
    title: str = "",
    names: tuple[Mark, ...] = (),
) -> str:
    """An inline ``<svg>`` of the course over visits: one panel per metric (each with its own
    axis and name), the measured videos as dots on a time axis, visits without a video as
    open marks on the time axis, treatments as dashed lines with their text; ``names`` label
    a date's tick under it (the visit's name). All text is
    inside the figure (constrained layout), drawn as given and XML-escaped by matplotlib.

    Cached: a case's course changes only when a video is analysed or a visit is added, and
    drawing costs far more than the rest of the case page."""
    fig = Figure(figsize=(6.4, 1.2 + 1.5 * max(1, len(series))), layout="constrained")
    axes = fig.subplots(max(1, len(series)), 1, sharex=True, squeeze=False)[:, 0]
    xs = np.array([_day(d) for d in dates], dtype=float)
    every = [*xs, *(_day(d) for d, _ in unmeasured), *(_day(d) for d, _ in treatments)]
    lo, hi = (min(every), max(every)) if every else (0.0, 1.0)
    pad = max(10.0, 0.08 * (hi - lo))
    for i, (ax, (name, values, colour)) in enumerate(zip(axes, series, strict=False)):
        pts = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
        top = max([v for _, v in pts] + [1.0])
        if pts:
            px, py = zip(*pts, strict=True)
            ax.plot(px, py, color=colour, lw=2, marker="o", ms=5, gid=f"series-{i}")
            ax.lines[-1].set_clip_on(False)  # dots at 0 drawn whole
        ax.set_ylim(0, 1.25 * top)  # no spasm at all is a flat line at 0, not noise
        _plain(ax.set_title(name, loc="left", fontsize=8.5, color=colour, pad=3))
        ax.tick_params(axis="both", labelsize=7.5)
        ax.spines[["top", "right"]].set_visible(False)
        if unmeasured:
            ux = [_day(d) for d, _ in unmeasured]
            ax.plot(
                ux,
                [0.0] * len(ux),
                ls="none",
                marker="^",
                ms=7,
                mfc="white",
                mec="#6b7580",
                gid=f"no-video-{i}",
                clip_on=False,
            )
        for k, (day, _text) in enumerate(treatments):
            ax.axvline(_day(day), color="#8a5300", lw=1.2, ls="--", gid=f"treatment-{k}-{i}")
    for k, (day, text) in enumerate(treatments):
        _plain(
            axes[0].annotate(
                text[:28],
                (_day(day), 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, -2),
                textcoords="offset points",
                fontsize=7,
                color="#8a5300",
                va="top",
                gid=f"treatment-label-{k}",
            )
        )
    ax = axes[-1]
    ax.set_xlim(lo - pad, hi + pad)
    ticks = sorted({*xs, *(_day(d) for d, _ in unmeasured)})
    named = {_day(d): text[:16] for d, text in names if text}
    labels = [str(np.datetime64(int(t), "D")) for t in ticks]
    ax.set_xticks(
        ticks, [f"{a}\n{named[t]}" if t in named else a for a, t in zip(labels, ticks, strict=True)]
    )
    for text in ax.get_xticklabels():
        _plain(text)
        text.set_fontsize(7)
    if unmeasured:
        _plain(ax.set_xlabel("▲ visit without a measured video", fontsize=7.5, color="#6b7580"))
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    return _inline(out.getvalue(), title)


def _inline(svg: str, title: str) -> str:
    """The ``<svg>`` element alone (no XML prolog, DOCTYPE or metadata), sized by CSS."""
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg[svg.index("<svg") :], flags=re.S)
    head, rest = svg.split(">", 1)
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    label = title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return f'{head} role="img" class="chart" aria-label="{label}">{rest}'.strip()
