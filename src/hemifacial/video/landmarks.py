"""Face landmarkers behind one small interface: MediaPipe FaceMesh and a synthetic twin.

A :class:`Landmarker` takes an upright RGB frame and returns the kept points
(:data:`hemifacial.analysis.landmark_ids.KEPT`) in normalised image coordinates
(x, y in 0–1; z scaled like x), or None when no face is found. ``count_faces`` is the
sparse multi-face check.

MediaPipe 0.10.21's legacy FaceMesh ships its models inside the wheel, so nothing is
downloaded (``../shared/reference/video-analysis.md`` §1, §5.1). Tracking mode is used (the
detector runs only when the track is lost: ~1.4× faster than detecting every frame).

FaceMesh is driven through its public ``process`` by default. ``HEMIFACIAL_MEDIAPIPE_INTERNALS
=true`` (off by default) feeds its graph through private attributes instead, skipping the
per-frame result object; ``docs/video.md`` ("MediaPipe's public API") has the measurements
(no reliable gain on the 2-core machine, so it stays off).
"""

from __future__ import annotations

import os
from typing import Protocol

import numpy as np
import numpy.typing as npt

from hemifacial.analysis import landmark_ids as ids

from ._template import TEMPLATE

Points = npt.NDArray[np.float32]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 normalised


class Landmarker(Protocol):
    """Anything that finds the kept face points in an RGB frame."""

    name: str

    def process(self, rgb: npt.NDArray[np.uint8]) -> Points | None:
        """Kept points (k, 3) normalised, or None without a face."""
        ...

    def count_faces(self, rgb: npt.NDArray[np.uint8]) -> list[Box]:
        """Boxes of all faces in the frame (largest first)."""
        ...

    def reset(self) -> None:
        """Forget the face tracked so far (the next frame is not the one after the last)."""
        ...

    def close(self) -> None:
        """Free the model."""
        ...


class MediaPipeLandmarker:
    """MediaPipe 0.10.21 legacy FaceMesh, tracking mode, iris refinement on, one face.

    ``internals=True`` uses the private graph path of :meth:`_faces_from_graph`."""

    name = "mediapipe-facemesh"

    def __init__(self, *, refine: bool = True, internals: bool = False) -> None:
        import mediapipe as mp  # imported here: only worker processes pay for it
        from mediapipe.framework.formats import landmark_pb2

        self.version = str(mp.__version__)
        self._mesh = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=False,
            refine_landmarks=refine,
            max_num_faces=1,
            min_detection_confidence=0.5,
            min_tracking_confidence=0.5,
        )
        self._detector = mp.solutions.face_detection.FaceDetection(
            model_selection=1, min_detection_confidence=0.5
        )
        self._kept = list(ids.KEPT)
        self._landmark_list = landmark_pb2.NormalizedLandmarkList
        self._kept_arr = np.array(self._kept)
        self._used = False
        self._blank = np.zeros((64, 64, 3), np.uint8)
        self.internals = internals
        if internals:
            from mediapipe.python._framework_bindings import _packet_getter

            self._serialized = _packet_getter._get_serialized_proto_list

    def _faces(self, rgb: npt.NDArray[np.uint8]) -> list[bytes]:
        """The serialised ``NormalizedLandmarkList`` of each face in one frame (the kept
        points are then read from the bytes, ~15 µs instead of ~100 µs point by point)."""
        self._used = True
        if self.internals:
            faces = self._faces_from_graph(rgb)
            if faces is not None:
                return faces
        found = self._mesh.process(rgb).multi_face_landmarks or []
        return [face.SerializeToString() for face in found]

    def _faces_from_graph(self, rgb: npt.NDArray[np.uint8]) -> list[bytes] | None:
        """The same through private attributes: the steps of ``SolutionBase.process``
        without building a namedtuple class per frame or parsing the landmarks into Python
        messages; None (use ``process``) if MediaPipe's internals differ from 0.10.21's."""
        m = self._mesh
        try:
            m._graph_outputs.clear()
            m._simulated_timestamp += 33333
            packet = m._make_packet(m._input_stream_type_info["image"], rgb).at(
                m._simulated_timestamp
            )
            m._graph.add_packet_to_input_stream(stream="image", packet=packet)
            m._graph.wait_until_idle()
            out = m._graph_outputs.get("multi_face_landmarks")
            if out is None or out.is_empty():
                return []
            return list(self._serialized(out))
        except (AttributeError, KeyError, TypeError):  # pragma: no cover - other versions
            self.internals = False
            return None

    def process(self, rgb: npt.NDArray[np.uint8]) -> Points | None:
        faces = self._faces(rgb)
        if not faces:
            return None
        pts = _kept_from_wire(faces[0], self._kept_arr)
        if pts is not None:
            return pts
        lm = self._landmark_list.FromString(faces[0]).landmark
        return np.array([(lm[i].x, lm[i].y, lm[i].z) for i in self._kept], dtype=np.float32)

    def count_faces(self, rgb: npt.NDArray[np.uint8]) -> list[Box]:
        res = self._detector.process(rgb)
        boxes: list[Box] = []
        for d in res.detections or []:
            b = d.location_data.relative_bounding_box
            boxes.append((b.xmin, b.ymin, b.xmin + b.width, b.ymin + b.height))
        return sorted(boxes, key=lambda b: -(b[2] - b[0]) * (b[3] - b[1]))

    def reset(self) -> None:
        """Make the next frame find its face afresh (unless nothing was tracked yet).

        In tracking mode FaceMesh takes each frame's face box from the frame before; at the
        start of a segment that box came from another segment or clip, and the first
        landmarks were measured off up to ~10 % of the frame (then drifted back over ~5
        frames). One blank frame makes the tracker lose the face (~3 ms); restarting the
        graph instead cost 5–20 ms and ~3 MB of worker memory per restart."""
        if self._used:
            if self._faces(self._blank):
                self._mesh.reset()
            self._used = False

    def close(self) -> None:
        self._mesh.close()
        self._detector.close()


_WIRE_RECORD = 17
"""Bytes of one landmark in a serialised ``NormalizedLandmarkList`` when x, y and z are all
set and nothing else is: field tag + length, then three (tag, little-endian float32)."""
_WIRE_TAGS = ((0, 0x0A), (1, 0x0F), (2, 0x0D), (7, 0x15), (12, 0x1D))
"""(byte offset in a record, expected byte): message field 1 length-delimited, its length
15, then x (field 1), y (field 2) and z (field 3), each a 32-bit fixed field."""


def _kept_from_wire(data: bytes, kept: npt.NDArray[np.intp]) -> Points | None:
    """The kept points read straight from the serialised landmark list (~15 µs instead of
    ~100 µs for attribute access point by point), or None when any record is not the plain
    17-byte x/y/z layout (a field unset, or visibility/presence set)."""
    n, rest = divmod(len(data), _WIRE_RECORD)
    if rest or n <= kept.max():
        return None
    for offset, tag in _WIRE_TAGS:  # strided byte slices: a few µs for all 478 records
        if data[offset::_WIRE_RECORD] != bytes((tag,)) * n:
            return None
    # x, y, z of every record: little-endian float32 at bytes 3, 8 and 13
    xyz: npt.NDArray[np.float32] = np.ndarray((n, 3), "<f4", data, 3, (_WIRE_RECORD, 5))
    return np.asarray(xyz[kept], dtype=np.float32)


# --- synthetic twin ---------------------------------------------------------------------

MARKER_PX = 16
"""Side of each marker block painted in the frame's top-left corner by synthetic clips."""
_MARKERS = ("face", "closure_right", "closure_left", "mouth_right", "mouth_left")
MOUTH_FULL_SCALE = 0.2
"""Mouth pull (IOD) encoded by a white mouth marker."""


def paint_markers(rgb: npt.NDArray[np.uint8], values: dict[str, float]) -> None:
    """Paint the twin's marker blocks (values 0–1; mouth in IOD up to 0.2) into ``rgb``."""
    for i, key in enumerate(_MARKERS):
        v = values.get(key, 0.0)
        if key.startswith("mouth"):
            v = v / MOUTH_FULL_SCALE
        level = round(255 * min(max(v, 0.0), 1.0))
        rgb[:MARKER_PX, i * MARKER_PX : (i + 1) * MARKER_PX] = level


def read_markers(rgb: npt.NDArray[np.uint8]) -> dict[str, float]:
    """Decode the marker blocks (centre pixels, robust to compression)."""
    m = MARKER_PX // 4
    out: dict[str, float] = {}
    for i, key in enumerate(_MARKERS):
        block = rgb[m : MARKER_PX - m, i * MARKER_PX + m : (i + 1) * MARKER_PX - m]
        v = float(block.mean()) / 255.0
        out[key] = v * MOUTH_FULL_SCALE if key.startswith("mouth") else v
    return out


def template_points(closure_r: float, closure_l: float, mouth_r: float, mouth_l: float) -> Points:
    """The neutral template with lids closed and mouth corners pulled by the given amounts."""
    pts = np.array(TEMPLATE, dtype=np.float64)
    eo = {s: pts[ids.pos(ids.EYE_OUTER[s])] for s in ("right", "left")}
    iod = float(np.linalg.norm(eo["left"][:2] - eo["right"][:2]))
    for side, c, m in (("right", closure_r, mouth_r), ("left", closure_l, mouth_l)):
        for u, lo in zip(ids.LID_UPPER[side], ids.LID_LOWER[side], strict=True):
            pu, pl = ids.pos(u), ids.pos(lo)
            pts[pu, :2] += c * 0.9 * (pts[pl, :2] - pts[pu, :2])
        mc = ids.pos(ids.MOUTH_CORNER[side])
        d = eo[side][:2] - pts[mc, :2]
        pts[mc, :2] += m * iod * d / np.linalg.norm(d)
    return pts.astype(np.float32)


class SyntheticLandmarker:
    """Twin for tests: reads the state painted by :func:`paint_markers` into the frame.

    A frame whose face marker is dark has no face; otherwise the template face is returned
    with the painted eyelid closure and mouth pull. Runs anywhere, instantly, exactly.
    """

    name = "synthetic-twin"
    version = "1"

    def process(self, rgb: npt.NDArray[np.uint8]) -> Points | None:
        v = read_markers(rgb)
        if v["face"] < 0.5:
            return None
        return template_points(
            v["closure_right"], v["closure_left"], v["mouth_right"], v["mouth_left"]
        )

    def count_faces(self, rgb: npt.NDArray[np.uint8]) -> list[Box]:
        return [(0.3, 0.2, 0.7, 0.8)] if read_markers(rgb)["face"] >= 0.5 else []

    def reset(self) -> None:
        return None

    def close(self) -> None:
        return None


INTERNALS_ENV = "HEMIFACIAL_MEDIAPIPE_INTERNALS"
"""Opt-in to MediaPipe's private graph path (read in each worker: workers inherit it)."""


def internals_enabled(env: dict[str, str] | None = None) -> bool:
    """Whether :data:`INTERNALS_ENV` asks for the private path (``1``/``true``/``yes``/``on``)."""
    value = (os.environ if env is None else env).get(INTERNALS_ENV, "")
    return value.strip().lower() in ("1", "t", "true", "y", "yes", "on")  # as pydantic reads it


def make_landmarker(kind: str) -> Landmarker:
    """``"mediapipe"`` or ``"synthetic"``."""
    if kind == "synthetic":
        return SyntheticLandmarker()
    if kind == "mediapipe":
        return MediaPipeLandmarker(internals=internals_enabled())
    raise ValueError(f"unknown landmarker '{kind}'; use 'mediapipe' or 'synthetic'")
