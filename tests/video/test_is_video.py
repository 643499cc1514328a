"""Whether a file is a video is PyAV's answer alone: real clips in any container FFmpeg reads pass;
text, PDFs, images, a lone MP4 header and corrupt files do not."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from hemifacial.video.decode import is_video
from hemifacial.video.encode import write_h264
from tests.support import SHARED, require_shared, tiny_mp4

REAL_CLIP = SHARED / "data" / "videos" / "liveportrait_d18.mp4"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _webm(path: Path) -> Path:
    container = av.open(str(path), mode="w")
    stream = container.add_stream("libvpx", rate=10)
    stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
    for i in range(4):
        frame = av.VideoFrame.from_ndarray(np.full((32, 32, 3), 50 * i, np.uint8), "rgb24")
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return path


def test_real_clips_are_videos_whatever_their_name(tmp_path: Path) -> None:
    assert is_video(_write(tmp_path / "upload", tiny_mp4()))  # no suffix: content decides
    assert is_video(_write(tmp_path / "x.txt", tiny_mp4()))
    assert is_video(_webm(tmp_path / "browser.webm"))
    clip = tmp_path / "big.mp4"
    write_h264(clip, (np.zeros((48, 64, 3), np.uint8) for _ in range(5)))
    assert is_video(clip)


@pytest.mark.shared_data
def test_a_real_phone_clip_is_a_video() -> None:
    assert is_video(require_shared(REAL_CLIP))


def test_files_that_are_not_videos(tmp_path: Path) -> None:
    import cv2

    cv2.imwrite(str(tmp_path / "photo.png"), np.zeros((32, 32, 3), np.uint8))
    cv2.imwrite(str(tmp_path / "photo.jpg"), np.zeros((32, 32, 3), np.uint8))
    not_videos = [
        _write(tmp_path / "notes.mp4", b"not a video, just text renamed .mp4\n" * 20),
        _write(tmp_path / "report.mp4", b"%PDF-1.7 this is a pdf" * 3),
        _write(tmp_path / "header.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200),
        _write(tmp_path / "webm-magic.webm", b"\x1a\x45\xdf\xa3" + b"\x00" * 200),
        _write(tmp_path / "empty.mp4", b""),
        _write(tmp_path / "photo.mp4", (tmp_path / "photo.png").read_bytes()),
        tmp_path / "photo.jpg",
        tmp_path / "missing.mp4",
        tmp_path,
    ]
    assert [p.name for p in not_videos if is_video(p)] == []


def test_a_corrupt_clip_is_not_a_video(tmp_path: Path) -> None:
    data = bytearray(tiny_mp4(frames=6, size=32))
    assert not is_video(_write(tmp_path / "cut.mp4", bytes(data[: len(data) // 3])))
    for i in range(64, len(data)):  # scramble everything after the first atom header
        data[i] = (data[i] * 31 + 7) % 256
    assert not is_video(_write(tmp_path / "scrambled.mp4", bytes(data)))
