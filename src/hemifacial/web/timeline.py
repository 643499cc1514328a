"""The video review timeline: both eyes' closure over the clip with the detected events,
an inline SVG the page sends (no script needed to see it). ``static/review.js`` makes it
interactive: a click seeks the video, a cursor follows playback (no inline script)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from hemifacial.analysis.types import Event
from hemifacial.services.views import AnalysisView

WIDTH, HEIGHT = 800, 168
LEFT, RIGHT_PAD = 74, 12
LANES = {"right": (12, 62), "left": (72, 122)}  # the patient's side → (top, bottom) in px
AXIS_Y = 132
STEPS = (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300)
KIND_WORDS = {
    "blink": "blink",
    "clonic": "clonic spasm",
    "tonic": "tonic spasm",
    "bilateral_clonic": "bilateral clonic",
    "bilateral_tonic": "bilateral tonic",
    "wink": "wink (looks voluntary)",
    "uncertain": "uncertain",
}


def _x(t: float, duration: float) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT_PAD) * (t / duration if duration > 0 else 0.0)


def _trace(times: Sequence[float], values: Sequence[float], side: str, duration: float) -> str:
    top, bottom = LANES[side]
    parts: list[str] = []
    run: list[str] = []
    for t, v in zip(times, values, strict=False):
        if not math.isfinite(v):
            if len(run) > 1:
                parts.append(" ".join(run))
            run = []
            continue
        y = bottom - (bottom - top) * min(max(v, 0.0), 1.0)
        run.append(f"{_x(t, duration):.1f},{y:.1f}")
    if len(run) > 1:
        parts.append(" ".join(run))
    return "".join(f'<polyline class="tl-trace" points="{p}"/>' for p in parts)


def _ticks(duration: float) -> str:
    step = next((s for s in STEPS if duration / s <= 10), STEPS[-1])
    out: list[str] = [
        f'<line class="tl-axis" x1="{LEFT}" y1="{AXIS_Y}" x2="{WIDTH - RIGHT_PAD}" y2="{AXIS_Y}"/>'
    ]
    n = int(duration // step)
    for i in range(n + 1):
        t = i * step
        x = _x(t, duration)
        label = f"{t:g} s"
        out.append(
            f'<line class="tl-axis" x1="{x:.1f}" y1="{AXIS_Y}" x2="{x:.1f}" y2="{AXIS_Y + 5}"/>'
        )
        out.append(f'<text class="tl-tick" x="{x:.1f}" y="{AXIS_Y + 18}">{label}</text>')
    return "".join(out)


def event_label(i: int, e: Event) -> str:
    """ "Event 3: clonic spasm, right eye, 2.6–3.5 s" (the patient's side)."""
    where = "both eyes" if e.side == "both" else f"{e.side} eye"
    if e.region == "lower_face":
        where = f"{e.side} lower face"
    kind = KIND_WORDS.get(e.kind, e.kind.replace("_", " "))
    return f"Event {i + 1}: {kind}, {where}, {e.start_s:.1f}–{e.end_s:.1f} s"


def _event(i: int, e: Event, verdict: str | None, duration: float) -> str:
    if e.side in LANES:
        top, bottom = LANES[e.side]
    else:
        top, bottom = LANES["right"][0], LANES["left"][1]
    x0, x1 = _x(e.start_s, duration), _x(e.end_s, duration)
    cls = f"tl-event k-{e.kind}" + (f" v-{verdict}" if verdict else "")
    title = escape(event_label(i, e) + (f" — marked {verdict}" if verdict else ""))
    return (
        f'<rect class="{cls}" data-index="{i}" data-start="{e.start_s:.3f}" '
        f'x="{x0:.1f}" y="{top}" width="{max(x1 - x0, 2.0):.1f}" height="{bottom - top}">'
        f"<title>{title}</title></rect>"
    )


def timeline_svg(video_id: int, view: AnalysisView) -> Markup:
    """Closure traces of both eyes, the events in their side's lane, a time axis and the
    playback cursor (moved by ``review.js``)."""
    a = view.result
    duration = max(a.quality.duration_s, a.traces.times[-1] if a.traces.times else 0.0, 0.1)
    tr = a.traces
    body = [
        f'<text class="tl-lane" x="4" y="{LANES["right"][0] + 30}">right eye</text>',
        f'<text class="tl-lane" x="4" y="{LANES["left"][0] + 30}">left eye</text>',
        *(
            f'<rect class="tl-lane-bg" x="{LEFT}" y="{top}" width="{WIDTH - LEFT - RIGHT_PAD}" '
            f'height="{bottom - top}"/>'
            for top, bottom in LANES.values()
        ),
        *(_event(i, e, view.verdict(i), duration) for i, e in enumerate(a.events)),
        _trace(tr.times, tr.closure_right, "right", duration),
        _trace(tr.times, tr.closure_left, "left", duration),
        _ticks(duration),
        f'<line class="tl-cursor" x1="{LEFT}" y1="6" x2="{LEFT}" y2="{AXIS_Y}"/>',
    ]
    label = (
        f"Timeline of video {video_id}: eyelid closure of each eye over {duration:.0f} s "
        f"with {len(a.events)} detected events; click to play from that moment"
    )
    return Markup(
        f'<svg class="timeline-svg" id="timeline-{video_id}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(label)}" data-duration="{duration:.3f}" '
        f'data-x0="{LEFT}" data-x1="{WIDTH - RIGHT_PAD}" data-video="video-{video_id}">'
        + "".join(body)
        + "</svg>"
    )
