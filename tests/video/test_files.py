"""Files as phones make them, and files that are not usable videos."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from hemifacial.errors import VideoInputError
from hemifacial.video import analyze_video, compare_visits, render_timeline_png
from hemifacial.video.decode import iter_frames, probe
from hemifacial.video.encode import write_h264
from hemifacial_synth.pasted import SpasmSpec, make_clip

SPECS = [
    SpasmSpec(2.0, 0.3, "right", "clonic", 0.9, True, False),
    SpasmSpec(5.0, 1.5, "right", "tonic", 0.9, True, False),
    SpasmSpec(8.5, 0.3, "right", "clonic", 0.9, True, False),
]


@pytest.fixture(scope="module")
def twin_clip(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("v") / "twin.mp4"
    make_clip(path, SPECS, source="blank", duration_s=10, markers=True, motion=0, noise=0)
    return path


def _sides(a):
    return [(e.side, e.kind) for e in a.one_sided_events]


def test_twin_clip_round_trip_single_and_two_workers(twin_clip):
    for jobs in (1, 2):
        a = analyze_video(twin_clip, landmarker="synthetic", jobs=jobs)
        assert _sides(a) == [("right", "clonic"), ("right", "tonic"), ("right", "clonic")]
        for e, s in zip(a.one_sided_events, SPECS, strict=True):
            assert abs(e.start_s - s.start_s) < 0.15
        assert a.findings["side"] == "right"


def test_rotation_metadata_is_applied(tmp_path):
    path = tmp_path / "rot.mp4"
    make_clip(path, SPECS, source="blank", duration_s=10, markers=True, motion=0, rotation=90)
    info = probe(path)
    assert info.rotation == 90
    frame = next(iter(iter_frames(path)))
    assert frame.rgb[:8, :8].mean() > 200  # the face marker is back in the top-left corner
    a = analyze_video(path, landmarker="synthetic", jobs=1)
    assert _sides(a)[1] == ("right", "tonic")


def test_vfr_hevc_mov(tmp_path):
    path = tmp_path / "vfr.mov"
    make_clip(path, SPECS, source="blank", duration_s=10, markers=True, vfr=True, codec="libx265")
    assert probe(path).codec == "hevc"
    a = analyze_video(path, landmarker="synthetic", jobs=1)
    gaps = a.inputs["frame_interval_s"]
    assert gaps["max"] / gaps["min"] > 1.5
    tonic = [e for e in a.one_sided_events if e.kind == "tonic"]
    assert len(tonic) == 1 and abs(tonic[0].duration_s - 1.5) < 0.15


@pytest.mark.parametrize(
    ("suffix", "codec", "probed"),
    [("webm", "libvpx-vp9", "vp9"), ("avi", "mpeg4", "mpeg4"), ("mkv", "libx264", "h264")],
)
def test_other_containers_and_codecs(tmp_path, suffix, codec, probed):
    """WebM/VP9 (Android, browsers), AVI/MPEG-4 part 2 (old cameras), Matroska/H.264; two
    workers, so each container's seeking to a segment start is exercised too."""
    path = tmp_path / f"clip.{suffix}"
    make_clip(path, SPECS, source="blank", duration_s=10, markers=True, motion=0, codec=codec)
    assert probe(path).codec == probed
    a = analyze_video(path, landmarker="synthetic", jobs=2)
    assert _sides(a) == [("right", "clonic"), ("right", "tonic"), ("right", "clonic")]
    for e, spec in zip(a.one_sided_events, SPECS, strict=True):
        assert abs(e.start_s - spec.start_s) < 0.15
    assert a.quality.n_frames == 300


def test_4k_clip_is_scaled_in_the_decoder_and_measured(tmp_path):
    """A 3840×2160 phone clip: frames are shrunk before FaceMesh, the face is measured in
    the source's pixels, and a left-sided spasm is still found on the left."""

    small = tmp_path / "astro.mp4"
    make_clip(
        small,
        [  # two: HFS repeats, a single one-sided closure is not counted as spasm
            SpasmSpec(1.0, 1.4, "left", "tonic", 0.95, True, False),
            SpasmSpec(3.2, 0.3, "left", "clonic", 0.95, True, False),
        ],
        source="astronaut",
        duration_s=4.5,
        seed=3,
        motion=0,
    )

    def four_k(rgb: np.ndarray) -> np.ndarray:
        canvas = np.full((2160, 3840, 3), 90, np.uint8)
        canvas[120:2040, 960:2880] = np.repeat(np.repeat(rgb, 4, axis=0), 4, axis=1)  # 1920²
        return canvas

    path = _recompose(small, tmp_path / "astro_4k.mp4", four_k)
    small_a = analyze_video(small, jobs=1)
    a = analyze_video(path, jobs=2)
    assert a.inputs["width"] == 3840 and a.inputs["height"] == 2160
    assert a.quality.usable_fraction > 0.9
    ratio = a.quality.median_face_px / small_a.quality.median_face_px
    assert 3.6 < ratio < 4.4  # face size in source pixels, whatever the decode scale
    assert [e.side for e in a.one_sided_events] == ["left", "left"]
    assert a.one_sided_events[0].kind == "tonic"


def _recompose(src: Path, dst: Path, compose: Callable[[np.ndarray], np.ndarray]) -> Path:
    """Write ``dst`` (H.264, 30 fps) from ``src``'s frames passed through ``compose``."""
    frames = (compose(fr.rgb) for fr in iter_frames(src))
    write_h264(dst, frames, options={"preset": "ultrafast", "crf": "18"})
    return dst


def test_zero_byte_file(tmp_path):
    p = tmp_path / "empty.mp4"
    p.write_bytes(b"")
    with pytest.raises(VideoInputError, match="empty"):
        analyze_video(p)


def test_png_renamed_mp4(tmp_path):
    import cv2
    from skimage import data

    p = tmp_path / "image.png"
    cv2.imwrite(str(p), data.astronaut())
    fake = tmp_path / "image.mp4"
    shutil.copy(p, fake)
    with pytest.raises(VideoInputError):
        analyze_video(fake, landmarker="synthetic", jobs=1)


def test_text_file_and_missing_file(tmp_path):
    p = tmp_path / "notes.mp4"
    p.write_text("not a video")
    with pytest.raises(VideoInputError):
        analyze_video(p)
    with pytest.raises(VideoInputError, match="not found"):
        analyze_video(tmp_path / "nope.mp4")


def test_truncated_file_is_analysed_up_to_the_break(tmp_path, twin_clip):
    data = twin_clip.read_bytes()
    p = tmp_path / "cut.mp4"
    p.write_bytes(data[: len(data) // 2])
    try:
        a = analyze_video(p, landmarker="synthetic", jobs=1)
    except VideoInputError as exc:  # a cut moov atom makes the file unreadable: said plainly
        assert "cannot be read" in str(exc) or "damaged" in str(exc)
    else:
        assert a.quality.duration_s < 10


def test_astronaut_with_mediapipe_end_to_end(tmp_path):
    path = tmp_path / "astro.mp4"
    specs = [
        SpasmSpec(1.5, 0.3, "left", "clonic", 0.95, True, False),
        SpasmSpec(4.0, 1.5, "left", "tonic", 0.95, True, False),
    ]
    make_clip(path, specs, source="astronaut", duration_s=7, seed=1)
    a = analyze_video(path, jobs=1)
    assert _sides(a) == [("left", "clonic"), ("left", "tonic")]
    assert a.findings["side"] == "left"
    png = tmp_path / "t.png"
    render_timeline_png(a, png)
    assert png.stat().st_size > 10_000
    change = compare_visits(a, a)
    assert change.changes["events_per_min"] == 0.0
    json.dumps(change.to_dict(), allow_nan=False)
    mirrored = analyze_video(path, jobs=1, mirrored=True)
    assert {e.side for e in mirrored.one_sided_events} == {"right"}
    assert np.isfinite(a.metrics.left.mean_aperture)


def test_several_faces_the_largest_is_analysed_and_said(tmp_path):
    """A big astronaut with left-sided spasms beside a small still astronaut (no spasm)."""

    from hemifacial_synth.sources import astronaut_face

    big = tmp_path / "big.mp4"
    specs = [
        SpasmSpec(1.5, 0.3, "left", "clonic", 0.95, True, False),
        SpasmSpec(3.5, 1.5, "left", "tonic", 0.95, True, False),
    ]
    make_clip(big, specs, source="astronaut", duration_s=6, seed=2, motion=0.3)
    small = astronaut_face(200)

    def beside(rgb: np.ndarray) -> np.ndarray:
        canvas = np.full((480, 800, 3), 120, np.uint8)
        canvas[:, :480] = rgb
        canvas[140:340, 560:760] = small
        return canvas

    path = _recompose(big, tmp_path / "two_faces.mp4", beside)
    a = analyze_video(path, jobs=2)
    assert a.quality.max_faces >= 2
    assert any("faces seen; the largest face was analysed" in n for n in a.notes)
    assert _sides(a) == [("left", "clonic"), ("left", "tonic")]
    # the big face (IOD ~122 px) was measured, not the small one (~51 px)
    assert a.quality.median_face_px > 90


def test_annotated_video_has_every_frame_of_the_clip(twin_clip, tmp_path):
    from hemifacial.video.overlay import write_overlay

    a = analyze_video(twin_clip, landmarker="synthetic", jobs=1)
    out = tmp_path / "overlay.mp4"
    write_overlay(twin_clip, a, out)
    info = probe(out)
    assert info.codec == "h264" and info.width % 2 == 0 and info.height % 2 == 0
    assert sum(1 for _ in iter_frames(out)) == sum(1 for _ in iter_frames(twin_clip)) == 300


def test_written_clip_keeps_frames_and_evens_odd_sizes(tmp_path):
    from hemifacial.video.encode import write_h264
    from hemifacial_synth.sources import loop_clip

    frames = [np.full((61, 81, 3), 10 * i, np.uint8) for i in range(12)]
    path = tmp_path / "odd.mp4"
    assert write_h264(path, iter(frames), fps=24) == 12
    info = probe(path)
    assert (info.width, info.height) == (80, 60) and round(info.avg_fps or 0) == 24
    means = [float(f.rgb.mean()) for f in iter_frames(path)]
    assert np.allclose(means, [10 * i for i in range(12)], atol=3)
    looped = tmp_path / "loop.mp4"
    assert loop_clip(path, looped, 1.0, fps=24) == 24
    assert probe(looped).duration_s == pytest.approx(1.0, abs=0.05)
