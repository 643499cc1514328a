"""The project's plots, all drawn with matplotlib: the timeline of one video (PNG) and the
course over visits on the case page (inline SVG).

Figures are made with the object API (``Figure``, no ``pyplot``): no global figure state,
no GUI backend, safe in the web app's threads."""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path

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
"""One line of the course chart: its name, a value (or None) per visit, its colour."""

# Text stays text in SVG output (searchable, escaped, in the page's font). Set once here,
# not per call with rc_context, which is not safe when web threads draw at the same time.
matplotlib.rcParams["svg.fonttype"] = "none"


@functools.lru_cache(maxsize=512)
def course_svg(
    labels: tuple[str, ...],
    notes: tuple[str, ...],
    series: tuple[Series, ...],
    title: str = "",
) -> str:
    """An inline ``<svg>`` of values per visit: one line per series, each visit labelled
    on the x axis (with its note, e.g. the treatment, below). Labels are drawn as given
    (no mathtext, so ``$`` is a dollar) and XML-escaped by matplotlib's SVG writer.

    Cached: a case's course changes only when a video is analysed, and drawing costs
    far more than the rest of the case page."""
    fig = Figure(figsize=(6.4, 2.6))
    # fixed margins: a layout engine would draw the figure twice
    fig.subplots_adjust(left=0.07, right=0.98, top=0.86, bottom=0.22)
    ax = fig.subplots()
    xs = np.arange(len(labels), dtype=float)
    for i, (name, values, colour) in enumerate(series):
        pts = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
        if pts:
            px, py = zip(*pts, strict=True)
            ax.plot(px, py, color=colour, lw=2, marker="o", ms=5, label=name, gid=f"series-{i}")
            ax.lines[-1].set_clip_on(False)  # dots at 0 drawn whole
    ax.set_xticks(xs, [f"{a}\n{b}" if b else a for a, b in zip(labels, notes, strict=True)])
    for text in ax.get_xticklabels():
        text.set_parse_math(False)
        text.set_fontsize(8)
    ax.set_xlim(-0.5, len(labels) - 0.5)
    top = max([v for _, values, _ in series for v in values if v is not None] + [1.0])
    ax.set_ylim(0, 1.15 * top)  # no spasm at all reads as a flat line at 0, not as noise
    ax.tick_params(axis="y", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    if series:
        legend = ax.legend(
            loc="lower left", bbox_to_anchor=(0, 1), ncols=len(series), fontsize=8, frameon=False
        )
        for text in legend.get_texts():
            text.set_parse_math(False)
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
