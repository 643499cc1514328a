"""Timeline plot a clinician reads at a glance (matplotlib, Agg backend, no display)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

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


def render_timeline_png(analysis: VideoAnalysis, path: str | Path) -> None:
    """Per-side eye closure and mouth pull over time, events shaded and labelled."""
    tr = analysis.traces
    t = np.asarray(tr.times, dtype=float)
    fig, axes = plt.subplots(2, 1, figsize=(12, 5.5), sharex=True, constrained_layout=True)
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
    name = analysis.inputs.get("path", "video")
    fig.suptitle(
        f"{name} — {_title(analysis)}\n(severity grades are estimates from video)", fontsize=9
    )
    fig.savefig(str(path), dpi=110)
    plt.close(fig)
