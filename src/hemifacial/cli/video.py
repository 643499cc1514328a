"""``hemifacial video analyze FILE... [--json] [--plot out.png] [--jobs N] [--mirrored]``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from hemifacial.analysis.types import VideoAnalysis
from hemifacial.errors import VideoInputError


@click.group()
def video() -> None:
    """Measure spasm from face videos (decision support; grades are estimates)."""


def _summary(a: VideoAnalysis) -> str:
    m = a.metrics
    lines = [
        f"{a.inputs.get('path')}: {a.quality.duration_s:.1f} s, "
        f"{100 * a.quality.usable_fraction:.0f}% usable",
        f"  affected side: {m.affected_side} (confidence {m.side_confidence:.2f})",
    ]
    for side in ("right", "left"):
        s = m.side(side)
        lines.append(
            f"  {side:5s}: {s.events_per_min:.1f} events/min, mean {s.mean_event_s:.2f} s, "
            f"longest {s.longest_event_s:.2f} s, {s.time_in_spasm_pct:.1f}% in spasm, "
            f"deepest closure {s.deepest_closure:.2f}"
        )
    sev = m.severity
    lines.append(
        f"  estimated JRS severity {sev.jankovic_severity} + frequency "
        f"{sev.jankovic_frequency} = {sev.jankovic_total}; SMC grade {sev.smc_grade} "
        "(estimates from video)"
    )
    lines.append(f"  findings: {a.findings or 'none supported by this video'}")
    lines += [f"  note: {n}" for n in a.notes]
    return "\n".join(lines)


@video.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the JSON result(s).")
@click.option("--plot", type=click.Path(path_type=Path), help="Timeline PNG (one file: as named).")
@click.option("--overlay", type=click.Path(path_type=Path), help="Annotated video (mp4).")
@click.option("--jobs", type=int, default=None, help="Worker processes (default: cores).")
@click.option("--mirrored", is_flag=True, help="Clips are mirrored front-camera recordings.")
def analyze(
    files: tuple[Path, ...],
    as_json: bool,
    plot: Path | None,
    overlay: Path | None,
    jobs: int | None,
    mirrored: bool,
) -> None:
    """Analyse one or more face videos."""
    from hemifacial.video.api import analyze_many
    from hemifacial.video.plots import render_timeline_png

    with click.progressbar(length=1000, label="analysing", file=sys.stderr) as bar:
        state = {"done": 0}

        def progress(f: float) -> None:
            n = int(f * 1000)
            bar.update(n - state["done"])
            state["done"] = n

        results = analyze_many(list(files), mirrored=mirrored, jobs=jobs, progress=progress)
    failed = 0
    out = []
    for path, res in zip(files, results, strict=True):
        if isinstance(res, VideoInputError):
            failed += 1
            click.echo(f"error: {path}: {res}", err=True)
            continue
        out.append(res.to_dict())
        if plot:
            target = plot if len(files) == 1 else plot.with_name(f"{plot.stem}_{path.stem}.png")
            render_timeline_png(res, target)
        if overlay:
            from hemifacial.video.overlay import write_overlay

            target = (
                overlay if len(files) == 1 else overlay.with_name(f"{overlay.stem}_{path.stem}.mp4")
            )
            write_overlay(path, res, target, mirrored=mirrored)
        if not as_json:
            click.echo(_summary(res))
    if as_json:
        click.echo(json.dumps(out[0] if len(files) == 1 and out else out, indent=2))
    if failed:
        raise SystemExit(2)
