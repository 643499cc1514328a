"""Small server-side SVG charts (no JavaScript library, no build step)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from hemifacial.services.views import CourseRow

W, H, PAD = 640, 220, 40


def course_svg(rows: Sequence[CourseRow]) -> str:
    """Spasm rate and % time in spasm per analysed video, in date order."""
    if not rows:
        return ""
    n = len(rows)
    xs = [PAD + (W - 2 * PAD) * (i / (n - 1) if n > 1 else 0.5) for i in range(n)]
    series = [
        ("events/min", [r.events_per_min for r in rows], "#b03a2e"),
        ("% time in spasm", [r.time_in_spasm_pct for r in rows], "#1f618d"),
    ]
    top = max([v for _, vals, _ in series for v in vals if v is not None] + [1.0]) * 1.15
    parts = [
        f'<svg viewBox="0 0 {W} {H}" role="img" class="chart" '
        f'aria-label="Course over visits: spasm rate and time in spasm">',
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#888"/>',
        f'<line x1="{PAD}" y1="{PAD / 2}" x2="{PAD}" y2="{H - PAD}" stroke="#888"/>',
        f'<text x="4" y="{PAD / 2 + 4}" font-size="11">{top:.0f}</text>',
        f'<text x="4" y="{H - PAD}" font-size="11">0</text>',
    ]

    def y(v: float) -> float:
        return H - PAD - (H - 1.5 * PAD) * v / top

    for k, (name, vals, colour) in enumerate(series):
        pts = [(x, y(v)) for x, v in zip(xs, vals, strict=True) if v is not None]
        if len(pts) > 1:
            path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in pts)
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>'
            )
        for x, yy in pts:
            parts.append(f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="4" fill="{colour}"/>')
        parts.append(
            f'<text x="{W - PAD - 150}" y="{16 + 14 * k}" font-size="12" '
            f'fill="{colour}">● {escape(name)}</text>'
        )
    for x, r in zip(xs, rows, strict=True):
        label = escape((r.visit or r.date)[:18])
        parts.append(
            f'<text x="{x:.1f}" y="{H - PAD + 16}" font-size="11" '
            f'text-anchor="middle">{label}</text>'
        )
        if r.treatment:
            parts.append(
                f'<text x="{x:.1f}" y="{H - PAD + 30}" font-size="10" fill="#555" '
                f'text-anchor="middle">{escape(r.treatment[:22])}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
