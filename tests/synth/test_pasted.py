"""The "pasted" ground-truth family: a drawn shut eye reads shut; events avoid natural blinks."""

from __future__ import annotations

import numpy as np

from hemifacial_synth.closures import aperture
from hemifacial_synth.pasted import random_schedule
from hemifacial_synth.pasted_eyes import synth_closed_eye
from hemifacial_synth.sources import EYE_OUTER, MeshFinder, astronaut_face


def test_synthesised_shut_eye_reads_shut_to_mediapipe():
    img = astronaut_face()
    finder = MeshFinder()
    try:
        mesh = finder(img)
        assert mesh is not None
        shut = img
        for side in EYE_OUTER:
            shut = synth_closed_eye(shut, mesh, side)
        finder2 = MeshFinder()
        try:
            closed = finder2(shut)
        finally:
            finder2.close()
    finally:
        finder.close()
    assert closed is not None
    for side in EYE_OUTER:
        closure = 1 - aperture(closed, side) / aperture(mesh, side)
        assert closure >= 0.7, (side, closure)
    # only the eyes change: the mouth region is untouched
    assert np.array_equal(shut[350:], img[350:])


def test_schedule_keeps_out_of_natural_closures():
    avoid = [(2.0, 6.0), (9.0, 9.8), (14.0, 22.0)]
    for seed in range(20):
        specs = random_schedule(30.0, np.random.default_rng(seed), avoid=avoid)
        assert specs
        for s in specs:
            assert all(s.end_s <= a or s.start_s >= b for a, b in avoid), (seed, s)
    # without intervals to avoid the schedule is unchanged (astronaut clips stay comparable)
    a = random_schedule(30.0, np.random.default_rng(3))
    b = random_schedule(30.0, np.random.default_rng(3), avoid=[])
    assert a == b
