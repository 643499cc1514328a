"""The workers' colour conversion: planes resized straight into the I420 buffer."""

from __future__ import annotations

import av
import numpy as np

from hemifacial.video.decode import _to_rgb, scaled_size


def _frame(w: int, h: int) -> av.VideoFrame:
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:h, 0:w]
    rgb = np.stack([xx * 255 // w, yy * 255 // h, (xx + yy) % 256], axis=-1).astype(np.uint8)
    rgb = np.clip(rgb + rng.integers(0, 8, rgb.shape), 0, 255).astype(np.uint8)
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")


def test_planar_shrink_matches_swscale_and_fills_every_plane():
    for w, h, scale in ((720, 1280, 0.4), (480, 480, 0.55), (640, 360, 1 / 3)):
        fr = _frame(w, h)
        sw, sh = scaled_size(w, h, scale)
        ours = _to_rgb(fr, sw, sh)
        ref = fr.to_ndarray(format="rgb24", width=sw, height=sh, interpolation="AREA")
        assert ours.shape == (sh, sw, 3) and ours.dtype == np.uint8
        # a different filter, the same picture: every channel (so every plane) was written
        diff = np.abs(ours.astype(int) - ref.astype(int))
        assert np.median(diff) <= 3 and diff.mean() < 4


def test_unscaled_frame_is_converted_whole():
    fr = _frame(64, 48)
    ref = fr.to_ndarray(format="rgb24")
    assert np.array_equal(_to_rgb(fr, 64, 48), ref)
