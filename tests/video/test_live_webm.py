"""WebM as a browser's MediaRecorder writes it: a live stream with no Duration and no Cues,
millisecond timestamps taken from the camera (uneven), keyframes seconds apart.

The browser test (tests/web/test_recording.py) uploads a real Chromium recording; this one
builds the same kind of file in code so the probe's fallback is tested everywhere.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import pytest

from hemifacial.video import analyze_video
from hemifacial.video.decode import iter_frames, probe
from hemifacial.video.segments import plan_segments
from hemifacial_synth.pasted import SpasmSpec, make_clip

SPECS = [
    SpasmSpec(2.0, 0.3, "right", "clonic", 0.9, True, False),
    SpasmSpec(5.0, 1.5, "right", "tonic", 0.9, True, False),
    SpasmSpec(8.5, 0.3, "right", "clonic", 0.9, True, False),
]
JITTER_MS = (0, 7, -5, 3)  # camera timestamps are not on a 33.3 ms grid


def _as_live_webm(src: Path, dst: Path, codec: str) -> int:
    """Re-encode ``src`` the way MediaRecorder muxes: ``live`` (no duration, no cues)."""
    out = av.open(str(dst), mode="w", format="webm", options={"live": "1"})
    stream = out.add_stream(codec, rate=30)
    stream.time_base = Fraction(1, 1000)
    stream.options = {"g": "100"}
    n = 0
    for frame in iter_frames(src):
        if n == 0:
            stream.width, stream.height = frame.rgb.shape[1], frame.rgb.shape[0]
            stream.pix_fmt = "yuv420p"
        vf = av.VideoFrame.from_ndarray(frame.rgb, format="rgb24")
        vf.pts = max(0, round(frame.t * 1000) + JITTER_MS[n % len(JITTER_MS)])
        vf.time_base = Fraction(1, 1000)
        for pkt in stream.encode(vf):
            out.mux(pkt)
        n += 1
    for pkt in stream.encode():
        out.mux(pkt)
    out.close()
    return n


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("v") / "twin.mp4"
    make_clip(path, SPECS, source="blank", duration_s=10, markers=True, motion=0, noise=0)
    return path


@pytest.mark.parametrize("codec", ["libvpx", "libvpx-vp9"])
def test_live_webm_gets_its_duration_from_the_packets(source, tmp_path, codec):
    path = tmp_path / "recording.webm"
    n = _as_live_webm(source, path, codec)
    with av.open(str(path)) as c:  # the file really states no duration
        assert c.duration is None and c.streams.video[0].duration is None
    info = probe(path)
    assert info.n_frames == n == 300
    assert info.duration_s == pytest.approx(10.0, abs=0.05)
    assert len(plan_segments(info, 2)) >= 2  # so two workers share it


def test_live_webm_is_measured_by_two_workers(source, tmp_path):
    path = tmp_path / "recording.webm"
    _as_live_webm(source, path, "libvpx")
    a = analyze_video(path, landmarker="synthetic", jobs=2)
    assert [(e.side, e.kind) for e in a.one_sided_events] == [
        ("right", "clonic"),
        ("right", "tonic"),
        ("right", "clonic"),
    ]
    for e, spec in zip(a.one_sided_events, SPECS, strict=True):
        assert abs(e.start_s - spec.start_s) < 0.15
    assert a.quality.n_frames == 300
    assert a.inputs["duration_s"] == pytest.approx(10.0, abs=0.05)
