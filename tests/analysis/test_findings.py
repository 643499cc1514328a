"""Video findings: the evidence base's vocabulary, and a certainty the engine understands."""

from __future__ import annotations

import numpy as np
import pytest

from hemifacial.analysis.analyze import analyze_track
from hemifacial.analysis.findings import EMITS, MAX_CERTAINTY, video_findings, vocabulary_of
from hemifacial.domain.case import parse_case
from hemifacial.domain.types import Uncertain

from .test_events import make_track, pulse

T = np.arange(0, 30, 1 / 30)
Z = np.zeros_like(T)


def test_every_value_the_analyser_can_emit_is_a_finding_value_of_the_evidence_base(kb):
    for fid, values in EMITS.items():
        assert fid in kb.findings, fid
        for v in values:
            assert v in kb.findings[fid].accepted_values, (fid, v)
    assert set(vocabulary_of(kb)) == set(EMITS)


def _right_sided():
    c_r = pulse(T, 2, 0.3) + pulse(T, 7, 0.25) + pulse(T, 12, 1.5) + pulse(T, 20, 0.3)
    return analyze_track(make_track(T, c_r, Z, 0.08 * c_r))[0]


def test_findings_carry_a_certainty_and_feed_the_engine(kb):
    a = _right_sided()
    found = video_findings(a.events, a.metrics, vocabulary_of(kb))
    assert found["side"].value == "right" and found["laterality"].value == "unilateral"
    assert all(
        isinstance(u, Uncertain) and 0 < u.certainty <= MAX_CERTAINTY for u in found.values()
    )
    assert {k: u.value for k, u in found.items()} == a.findings
    assert a.finding_certainty == {k: u.certainty for k, u in found.items()}
    case = parse_case(kb, found)
    assert case.values["side"] == "right"
    assert 0 < case.certainty["side"] < 1  # soft evidence, not a hard override


def test_vocabulary_is_the_argument_values_outside_it_are_refused():
    a = _right_sided()
    only_side = {"side": ("left", "right", "both")}
    assert set(video_findings(a.events, a.metrics, only_side)) == {"side"}
    with pytest.raises(ValueError, match="not in the evidence base"):
        video_findings(a.events, a.metrics, {"side": ("left",)})


def test_alternating_winks_give_only_a_low_weight_bilateral_reading(kb):
    c_r = pulse(T, 2, 0.4) + pulse(T, 10, 0.4) + pulse(T, 18, 0.4)
    c_l = pulse(T, 6, 0.4) + pulse(T, 14, 0.4) + pulse(T, 22, 0.4)
    a, _ = analyze_track(make_track(T, c_r, c_l))
    assert a.findings == {}  # nothing stored as a plain (hard) finding
    found = video_findings(a.events, a.metrics, vocabulary_of(kb))
    assert found["laterality"].value == "bilateral_asynchronous"
    assert found["laterality"].certainty <= 0.3
