"""The appearance cue: how closed each eye *looks*, relative to the clip itself.

The workers keep a small luma thumbnail of each eye per frame (``FaceTrack.eye_pixels``,
:mod:`hemifacial.video.appearance`: sampled between the eye's corners, never from the lid
points). An open eye shows the dark iris and pupil between bright sclera; as the lid comes
down they go behind lid skin and a lash line. The eye's **likeness** in a frame is the
correlation of its thumbnail with its own usual look in this clip, the median of its
standardised thumbnails (the eye is open most of the time); both are standardised (zero
mean, unit SD), so a brighter or dimmer lamp, a gain or an offset of the luma, changes
nothing. Its ``look`` closure is ``1 − likeness / the eye's median likeness``, 0–1: 0
while it looks as it usually does, rising as the iris and sclera go.

Everything is relative to the clip, as the landmark closure is: faces, glasses, light and
resolution change how an open eye looks and how noisy the likeness is, and the analysis
uses the look only through the clip's own spread of the side difference
(:func:`~.measures.clip_spread`, the event model's ``look_z``). A blink changes both eyes'
look; only one eye's changing alone is one-sided. Gaze moves both irises together.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .types import SIDES, BoolArray, FaceTrack, FloatArray, Side

CHUNK = 4096
"""Frames correlated at a time (temporaries of ~2 MB whatever the clip length)."""
TEMPLATE_FRAMES = 900
"""The open look is the median of at most this many evenly spaced usable frames."""


def _standardised(pix: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """(n, m) thumbnails as zero-mean, unit-SD rows (a brighter or dimmer lamp, a gain or an
    offset of the luma, leaves them unchanged); a flat (or missing) thumbnail is all zero."""
    v = pix.reshape(len(pix), -1).astype(np.float32)
    v -= v.mean(axis=1, keepdims=True)
    sd = v.std(axis=1, keepdims=True)
    out: npt.NDArray[np.float32] = np.divide(v, sd, out=np.zeros_like(v), where=sd > 0.5)
    return out


def likeness(eye_pixels: npt.NDArray[np.uint8], usable: BoolArray) -> FloatArray | None:
    """(n, 2): how much each eye looks like its usual self in this clip, per frame: the
    correlation of its thumbnail with the median of its standardised thumbnails over the
    usable frames (its open look: the eye is open most of the time); NaN outside them."""
    n = len(eye_pixels)
    if n != len(usable) or usable.sum() < 3:
        return None
    step = max(1, int(usable.sum()) // TEMPLATE_FRAMES)
    ref_idx = np.flatnonzero(usable)[::step]
    out = np.full((n, 2), np.nan)
    for k in range(2):
        t = np.median(_standardised(eye_pixels[ref_idx, k]), axis=0)
        sd = float(t.std())
        if sd <= 0:
            return None
        t = ((t - t.mean()) / sd).astype(np.float32)
        for a in range(0, n, CHUNK):
            out[a : a + CHUNK, k] = _standardised(eye_pixels[a : a + CHUNK, k]) @ t / t.size
    out[~usable] = np.nan
    return out


def look_closure(track: FaceTrack, usable: BoolArray) -> dict[Side, FloatArray] | None:
    """Per side: how closed the eye looks, 1 − likeness / its median likeness in this clip,
    0–1 (NaN outside the usable frames); None when the track has no eye thumbnails."""
    if track.eye_pixels is None:
        return None
    like = likeness(track.eye_pixels, usable)
    if like is None:
        return None
    out: dict[Side, FloatArray] = {}
    for j, side in enumerate(SIDES):
        ref = float(np.nanmedian(like[:, j]))
        if not ref > 0.1:
            return None
        out[side] = np.clip(1.0 - like[:, j] / ref, 0.0, 1.0)
    return out
