"""Write RGB frames as an H.264 mp4 (annotated videos, re-encoded and generated clips)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt


def write_h264(
    dst: str | Path,
    frames: Iterable[npt.NDArray[np.uint8]],
    *,
    fps: float = 30.0,
    options: Mapping[str, str] | None = None,
) -> int:
    """Encode ``frames`` (RGB, all one size; odd sizes lose their last row or column, as
    4:2:0 needs even sizes) at a constant ``fps``; returns the number of frames written.

    ``frames`` may be a generator: each frame is encoded as it comes, nothing is held."""
    n = 0
    container = av.open(str(dst), mode="w")
    try:
        stream: Any = None
        for img in frames:
            h, w = img.shape[0] - img.shape[0] % 2, img.shape[1] - img.shape[1] % 2
            if stream is None:
                stream = container.add_stream("libx264", rate=round(fps))
                stream.width, stream.height = w, h
                stream.pix_fmt = "yuv420p"
                if options:
                    stream.options = dict(options)
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img[:h, :w]), format="rgb24")
            for pkt in stream.encode(frame):
                container.mux(pkt)
            n += 1
        if stream is not None:
            for pkt in stream.encode():
                container.mux(pkt)
    finally:
        container.close()
    return n
