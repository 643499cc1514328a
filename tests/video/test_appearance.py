"""The appearance cue: an eye patch that closes reads as closing, a lighting change does not.

Frames are drawn (skin, sclera, iris, pupil, an upper lid of skin coming down with a lash
line at its edge), so the truth is known exactly; the pipeline test runs a drawn clip
through the real decode and worker code with the synthetic landmark twin, whose landmarks
never close: only the pixels show the closures.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hemifacial.analysis import landmark_ids as ids
from hemifacial.analysis.appearance import look_closure
from hemifacial.analysis.types import FaceTrack
from hemifacial.video.landmarks import template_points

SKIN = (196, 150, 128)
SIZE = 256


def _corners(side: str) -> tuple[np.ndarray, np.ndarray]:
    p = template_points(0, 0, 0, 0)[:, :2] * SIZE
    return p[ids.pos(ids.EYE_OUTER[side])], p[ids.pos(ids.EYE_INNER[side])]


def draw_eye(img: np.ndarray, side: str, closure: float, gaze: float = 0.0) -> None:
    """An almond eye between the template's corners; ``closure`` 0 open – 1 shut (the upper
    lid, skin, comes down to the lower lid, with a dark lash line at its edge)."""
    o, i = _corners(side)
    c = (o + i) / 2
    w = float(np.linalg.norm(i - o))
    yy, xx = np.mgrid[0 : img.shape[0], 0 : img.shape[1]]
    dx, dy = (xx - c[0]) / (w / 2), (yy - c[1]) / (0.32 * w)
    opening = dx**2 + dy**2 <= 1
    img[opening] = (236, 232, 228)
    ix = c[0] + gaze * 0.2 * w
    r2 = (xx - ix) ** 2 + (yy - c[1]) ** 2
    img[opening & (r2 <= (0.2 * w) ** 2)] = (70, 45, 30)
    img[opening & (r2 <= (0.08 * w) ** 2)] = (12, 10, 10)
    top = c[1] - 0.32 * w
    edge = top + closure * 0.62 * w  # the lid's edge, as far down as the lower lid at 1
    lid = opening & (yy < edge)
    img[lid] = SKIN
    if closure > 0:
        img[opening & (np.abs(yy - edge) < 1.0)] = (40, 30, 28)


def frame(closure_right: float, closure_left: float = 0.0, gain: float = 1.0, lift: float = 0.0):
    img = np.empty((SIZE, SIZE, 3), np.uint8)
    img[...] = SKIN
    draw_eye(img, "right", closure_right)
    draw_eye(img, "left", closure_left)
    return np.clip(img * gain + lift, 0, 255).astype(np.uint8)


def _track(frames: list[np.ndarray]) -> FaceTrack:
    """A face track of drawn frames: template landmarks, thumbnails from the worker code."""
    pytest.importorskip("cv2")
    from hemifacial.video.appearance import eye_thumbnails

    pts = template_points(0, 0, 0, 0)
    px = pts[:, :2] * SIZE
    thumbs = [eye_thumbnails(f, px) for f in frames]
    n = len(frames)
    return FaceTrack(
        times=np.arange(n) / 30.0,
        points=np.repeat((pts * (SIZE, SIZE, SIZE))[None], n, axis=0).astype(np.float64),
        face_found=np.ones(n, bool),
        brightness=np.full(n, 150.0),
        sharpness=np.full(n, 100.0),
        n_faces=np.full(n, 1.0),
        width=SIZE,
        height=SIZE,
        eye_pixels=np.array(thumbs),
    )


def test_an_eye_that_closes_looks_closed_and_the_other_does_not():
    steps = (0.0, 0.25, 0.5, 0.75, 1.0)
    frames = [frame(0.0) for _ in range(40)] + [frame(c) for c in steps]
    look = look_closure(_track(frames), np.ones(len(frames), bool))
    assert look is not None
    right, left = look["right"][40:], look["left"][40:]
    assert right[0] < 0.02
    assert (np.diff(right) >= 0).all(), right
    assert right[1] > 0.1 and right[2] > right[1] and right[-1] > 0.8
    assert left.max() < 0.02


def test_brightness_and_contrast_of_the_lamp_do_not_close_an_eye():
    """The same open eyes under a dimmer and a brighter lamp (gain and offset of every
    pixel) look as open as before; a half closure under the dim lamp still reads."""
    frames = [frame(0.0) for _ in range(40)]
    frames += [frame(0.0, gain=0.5), frame(0.0, gain=1.2, lift=-20), frame(0.0, lift=25)]
    frames += [frame(0.5, gain=0.5)]
    look = look_closure(_track(frames), np.ones(len(frames), bool))
    assert look is not None
    for side in ("right", "left"):
        assert look[side][40:43].max() < 0.05, (side, look[side][40:43])
    assert look["right"][43] > 0.2 and look["left"][43] < 0.05


def test_without_thumbnails_there_is_no_look():
    frames = [frame(0.0) for _ in range(5)]
    tr = _track(frames)
    from dataclasses import replace

    assert look_closure(replace(tr, eye_pixels=None), np.ones(5, bool)) is None


def test_the_worker_keeps_the_look_and_the_event_model_gets_it(tmp_path):
    """Through decode, the worker and the analysis, with the synthetic twin: its landmarks
    close the right eye four times; the drawn right eye closes the first three times
    only (the fourth is a landmark glitch the pixels do not show). The right eye's look
    follows the drawing, the left's stays open, and the candidates' ``look_z`` says
    which closures the pixels confirm."""
    from hemifacial.analysis.events import eye_candidates
    from hemifacial.analysis.quality import assess
    from hemifacial.analysis.signals import compute_signals, face_features
    from hemifacial.video import pipeline
    from hemifacial.video.decode import probe
    from hemifacial.video.encode import write_h264
    from hemifacial.video.landmarks import paint_markers

    fps = 30
    shut = [(2.0, 2.3), (4.0, 4.4), (6.0, 6.25), (8.0, 8.3)]
    drawn = shut[:3]

    def closure(t: float, spans: list[tuple[float, float]]) -> float:
        for a, b in spans:
            if a <= t < b:  # a smooth lid: down and up again
                return math.sin(math.pi * (t - a) / (b - a)) ** 0.5
        return 0.0

    def frames():
        for k in range(10 * fps):
            t = k / fps
            img = frame(closure(t, drawn))
            paint_markers(img, {"face": 1.0, "closure_right": 0.8 * closure(t, shut)})
            yield img

    path = tmp_path / "drawn.mp4"
    write_h264(path, frames(), fps=fps)
    info = probe(path)
    res = pipeline.process_segment(pipeline.SegmentTask(info, 0.0, math.inf, "synthetic"))
    track = pipeline.merge(info, [res])
    assert track.eye_pixels is not None and track.eye_pixels.shape[1:] == (2, 5, 12)
    feats = face_features(track)
    _q, usable = assess(track, feats.fitted, feats.yaw_deg, feats.pitch_deg)
    sig = compute_signals(track, usable, feats)
    look_r, look_l = sig.right.look, sig.left.look
    assert look_r is not None and look_l is not None
    t = track.times
    for a, b in drawn:
        assert np.nanmax(look_r[(t >= a) & (t < b)]) > 0.4
    assert np.nanmax(look_r[t >= 7.5]) < 0.1
    assert np.nanmax(look_l) < 0.1
    cands, _bilateral = eye_candidates(sig)
    right = sorted(
        (c.event.start_s, c.features["look_z"]) for c in cands if c.event.side == "right"
    )
    assert [round(s) for s, _z in right] == [2, 4, 6, 8]
    assert all(z > 0.7 for _s, z in right[:3]), right  # ≥ 4 × the clip's spread
    assert right[3][1] < 0.3, right


def test_a_mirrored_clip_swaps_the_eyes_looks_with_their_points():
    """``--mirrored`` swaps each point with its twin; the eye thumbnails follow, so the
    eye that looks closed is still the eye whose lid points close."""
    from hemifacial.analysis.signals import unmirror

    frames = [frame(0.0) for _ in range(40)] + [frame(1.0)]
    tr = _track(frames)
    flipped = unmirror(tr)
    assert flipped.eye_pixels is not None and tr.eye_pixels is not None
    assert (flipped.eye_pixels[:, 0] == tr.eye_pixels[:, 1]).all()
    look = look_closure(flipped, np.ones(len(frames), bool))
    assert look is not None
    assert look["left"][-1] > 0.8 and look["right"][-1] < 0.02
