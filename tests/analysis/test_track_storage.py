"""Compact face tracks: int16 quantised points, chunked head-pose fit, same results."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from hemifacial.analysis import signals
from hemifacial.analysis.analyze import analyze_track
from hemifacial.analysis.signals import unmirror
from hemifacial.analysis.types import POINT_MISSING, FaceTrack, quantise_points

from .test_events import make_track, pulse

T = np.arange(0, 40, 1 / 30)  # 1200 frames: more than one fitting chunk


def _quantised(track: FaceTrack) -> FaceTrack:
    size = np.array([track.width, track.height, track.width], dtype=float)
    q = quantise_points((track.points / size).astype(np.float32))
    return replace(track, points=q, quantised=True)


def _events(a):
    return [(e.kind, e.side, round(e.start_s, 2), round(e.end_s, 2)) for e in a.events]


@pytest.fixture(scope="module")
def track() -> FaceTrack:
    c_r = pulse(T, 3, 0.3) + pulse(T, 12, 1.8) + pulse(T, 31, 0.25)
    c_l = pulse(T, 20, 0.2) + pulse(T, 33, 0.25)
    found = np.ones(len(T), bool)
    found[600:640] = False
    return make_track(T, c_r, c_l, mouth_r=0.06 * pulse(T, 12, 1.8), found=found)


def test_quantised_points_round_trip_within_a_tenth_of_a_pixel(track):
    q = _quantised(track)
    assert q.points.dtype == np.int16 and q.points.nbytes * 4 == track.points.nbytes
    assert (q.points[600:640] == POINT_MISSING).all()
    px = q.pixels()
    assert np.isnan(px[600:640]).all()
    ok = track.face_found
    assert np.nanmax(np.abs(px[ok] - track.points[ok])) < 0.1
    assert np.allclose(q.pixels(5, 9, cols=[0, 3]), px[5:9][:, [0, 3]], equal_nan=True)


def test_quantised_track_gives_the_same_events(track):
    a, _ = analyze_track(track)
    b, _ = analyze_track(_quantised(track))
    assert _events(a) == _events(b)
    assert a.quality.flags == b.quality.flags


def test_unmirror_of_a_quantised_track_matches_the_float_one(track):
    a = unmirror(_quantised(track)).pixels()
    b = unmirror(track).points
    assert np.nanmax(np.abs(a - b)) < 0.1
    assert np.isnan(a[600:640]).all()


def test_chunk_and_template_sizes_do_not_change_the_result(track, monkeypatch):
    a, sig_a = analyze_track(track)
    monkeypatch.setattr(signals, "CHUNK_FRAMES", 100)
    monkeypatch.setattr(signals, "TEMPLATE_FRAMES", 400)
    b, sig_b = analyze_track(track)
    assert _events(a) == _events(b)
    assert np.nanmax(np.abs(sig_a.right.closure - sig_b.right.closure)) < 0.01
