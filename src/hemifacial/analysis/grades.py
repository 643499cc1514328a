"""Scale grades **estimated from video** (Jankovic rating scale, SMC grade).

Only the published scale items are used (``../shared/reference/clinical-evidence.md`` §5):

* Jankovic frequency (§5.1): 0 none; 1 slightly more blinking; 2 lid fluttering < 1 s;
  3 lid spasm > 1 s but eyes open > 50 % of the time; 4 functionally blind (closed > 50 %).
* Jankovic severity (§5.1): 0 none; 1 minimal (only with external triggers); 2 mild,
  spontaneous fluttering, not disabling; 3 moderate, obvious spasm, mildly incapacitating;
  4 severe, incapacitating spasm of lids ± other facial muscles.
* SMC (§5.2): I periocular only; II spread to other ipsilateral muscles; III frequent tonic
  spasms interfering with vision; IV disfiguring asymmetry.

How video numbers map onto those items is **our estimate** (the cut-offs below are expert
estimates, not published): items that need a history (JRS frequency 1, severity 1 need
triggers) or a clinician's eye (SMC IV, disfigurement) are never assigned from video.
Raters agree only moderately on these scales (ICC 0.41–0.63, §5.1–5.2); so do these
estimates with a clinician.
"""

from __future__ import annotations

from collections.abc import Mapping

from .types import Event, Severity, SideMetrics

MODERATE_TIME_PCT = 5.0
"""Estimate: spasm ≥ 5 % of the time, or any tonic spasm, is 'obvious' (JRS severity 3)."""
SEVERE_TIME_PCT = 25.0
"""Estimate: spasm ≥ 25 % of the time is 'incapacitating' (JRS severity 4)."""
SPREAD_FRACTION = 0.3
"""Estimate: lower-face involvement in ≥ 30 % of events is spread (SMC II)."""
FREQUENT_TONIC_PER_MIN = 1.0
"""Estimate: ≥ 1 tonic spasm per minute closing the eye ≥ 80 % is 'frequent' (SMC III)."""
VISION_DEPTH = 0.8
MIN_GRADE_S = 20.0
"""Estimate: less usable video than this is not enough to grade (rates need time)."""
MIN_GRADE_EVENTS = 3
"""Estimate: fewer abnormal events than this are not enough to grade."""


def estimate_severity(
    events: tuple[Event, ...],
    side_metrics: Mapping[str, SideMetrics],
    affected: str,
    minutes: float,
) -> Severity:
    """Jankovic severity/frequency and SMC grade estimated from the clip's events."""
    one = [e for e in events if e.one_sided]
    bil = [e for e in events if e.kind in ("bilateral_clonic", "bilateral_tonic")]
    abnormal = one + bil
    basis: list[str] = []
    if not abnormal or minutes <= 0:
        basis.append("no one-sided or bilateral abnormal eye closure seen in the usable video")
        return Severity(0, 0, 0, 0, tuple(basis))
    if minutes * 60.0 < MIN_GRADE_S or len(abnormal) < MIN_GRADE_EVENTS:
        basis.append(
            f"not enough video to grade: {minutes * 60.0:.0f} s usable, {len(abnormal)} abnormal"
            f" events (grading needs ≥ {MIN_GRADE_S:.0f} s and ≥ {MIN_GRADE_EVENTS} events)"
        )
        return Severity(0, 0, 0, 0, tuple(basis), graded=False)
    pct = 100.0 * sum(e.duration_s for e in abnormal) / (minutes * 60.0)
    longest = max(e.duration_s for e in abnormal)
    if pct > 50.0:
        freq = 4
        basis.append(f"JRS frequency 4: eyes closed by spasm {pct:.0f}% (> 50%) of the time")
    elif longest > 1.0:
        freq = 3
        basis.append(f"JRS frequency 3: spasm longer than 1 s ({longest:.1f} s), eyes open > 50%")
    else:
        freq = 2
        basis.append(
            f"JRS frequency 2: lid contractions shorter than 1 s (longest {longest:.2f} s)"
        )
    tonic = [e for e in abnormal if e.kind in ("tonic", "bilateral_tonic")]
    lower = any(e.lower_face for e in one)
    if pct >= SEVERE_TIME_PCT:
        sev = 4
        basis.append(f"JRS severity 4 (estimate): spasm {pct:.0f}% of the time")
    elif tonic or pct >= MODERATE_TIME_PCT:
        sev = 3
        basis.append(
            f"JRS severity 3 (estimate): obvious spasm ({len(tonic)} tonic, {pct:.1f}% of time)"
        )
    else:
        sev = 2
        basis.append(f"JRS severity 2 (estimate): brief spontaneous contractions ({pct:.1f}%)")
    smc = 0
    if one:
        sides = [affected] if affected in side_metrics else list(side_metrics)
        spread = max(side_metrics[s].lower_face_involvement for s in sides)
        deep_tonic = [e for e in one if e.kind == "tonic" and e.depth >= VISION_DEPTH]
        if len(deep_tonic) / minutes >= FREQUENT_TONIC_PER_MIN:
            smc = 3
            basis.append(
                f"SMC III (estimate): {len(deep_tonic) / minutes:.1f} tonic spasms/min closing "
                "the eye (interfering with vision); grade IV needs a clinician"
            )
        elif spread >= SPREAD_FRACTION and lower:
            smc = 2
            basis.append(f"SMC II: lower face involved in {100 * spread:.0f}% of events")
        else:
            smc = 1
            basis.append("SMC I: spasm confined to the eye region")
    else:
        basis.append("SMC not graded: activity is bilateral, not hemifacial")
    return Severity(sev, freq, sev + freq, smc, tuple(basis))
