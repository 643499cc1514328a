"""What a save changed, in words for the confirmation at the top of the case page:
"Tumour or other lesion 0.08% → 21%; new red flag: …" (from two stored assessments)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MIN_POINTS = 0.01  # a change of at least one percentage point is named
MAX_NAMED = 3  # the conditions that moved most


def pct(p: float) -> str:
    """A probability for people: whole percents, two decimals below 1 %, one above 99 %."""
    x = 100.0 * p
    if x < 1:
        return f"{x:.2f}%"
    if x > 99:
        return f"{x:.1f}%"
    return f"{x:.0f}%"


def _probabilities(result: Mapping[str, Any]) -> dict[str, tuple[str, float]]:
    return {
        str(r["condition_id"]): (str(r["name"]), float(r["probability"]))
        for r in result.get("ranking", ())
    }


def _flags(result: Mapping[str, Any]) -> dict[str, str]:
    return {str(f.get("id", f["message"])): str(f["message"]) for f in result.get("red_flags", ())}


def describe_change(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    """The lines naming what moved from ``before`` to ``after`` (stored assessment JSON)."""
    old, new = _probabilities(before), _probabilities(after)
    moved = sorted(
        (
            (abs(p - old[cid][1]), name, old[cid][1], p)
            for cid, (name, p) in new.items()
            if cid in old and abs(p - old[cid][1]) >= MIN_POINTS
        ),
        reverse=True,
    )
    lines = [f"{name} {pct(a)} → {pct(b)}" for _, name, a, b in moved[:MAX_NAMED]]
    top_old = next(iter(before.get("ranking", ())), None)
    top_new = next(iter(after.get("ranking", ())), None)
    if top_old and top_new and top_old["condition_id"] != top_new["condition_id"]:
        lines.append(f"leading cause now {top_new['name']} (was {top_old['name']})")
    old_flags, new_flags = _flags(before), _flags(after)
    lines += [f"new red flag: {m}" for k, m in new_flags.items() if k not in old_flags]
    lines += [f"red flag no longer raised: {m}" for k, m in old_flags.items() if k not in new_flags]
    return tuple(lines) or ("the ranking did not change",)
