"""MediaPipe is driven through its public API unless the private path is asked for, and
both paths find the same points."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from hemifacial.video import landmarks
from hemifacial.video.landmarks import INTERNALS_ENV, MediaPipeLandmarker, internals_enabled


class Recorder:
    """Stands between the landmarker and FaceMesh and records each attribute read."""

    def __init__(self, target: Any) -> None:
        self._target, self.names = target, []

    def __getattr__(self, name: str) -> Any:
        self.names.append(name)
        return getattr(self._target, name)


@pytest.fixture(scope="module")
def face() -> np.ndarray:
    from hemifacial_synth.sources import astronaut_face

    return astronaut_face(360)


def test_the_private_path_is_off_unless_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(INTERNALS_ENV, raising=False)
    assert not internals_enabled()
    assert internals_enabled({INTERNALS_ENV: "true"}) and internals_enabled({INTERNALS_ENV: "1"})
    assert not internals_enabled({INTERNALS_ENV: "false"})
    lm = landmarks.make_landmarker("mediapipe")
    assert isinstance(lm, MediaPipeLandmarker) and not lm.internals
    lm.close()
    monkeypatch.setenv(INTERNALS_ENV, "yes")
    lm = landmarks.make_landmarker("mediapipe")
    assert isinstance(lm, MediaPipeLandmarker) and lm.internals
    lm.close()


def test_the_default_reads_no_private_attribute_of_mediapipe(face: np.ndarray) -> None:
    lm = MediaPipeLandmarker()
    recorder = Recorder(lm._mesh)
    lm._mesh = recorder  # type: ignore[assignment]
    try:
        assert lm.process(face) is not None
        lm.reset()
        assert recorder.names and not [n for n in recorder.names if n.startswith("_")]
    finally:
        lm._mesh = recorder._target
        lm.close()


def test_both_paths_find_the_same_points(face: np.ndarray) -> None:
    public, private = MediaPipeLandmarker(), MediaPipeLandmarker(internals=True)
    try:
        frames = [face, np.ascontiguousarray(face[:, ::-1]), face]
        for rgb in frames:
            a, b = public.process(rgb), private.process(rgb)
            assert a is not None and b is not None
            assert a.shape == b.shape
            np.testing.assert_allclose(a, b, atol=1e-6)
        blank = np.zeros_like(face)
        assert public.process(blank) is None and private.process(blank) is None
    finally:
        public.close()
        private.close()
