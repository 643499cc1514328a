"""Which face-mesh points the analysis keeps, named by region and by the patient's side.

Numbers are MediaPipe FaceMesh (468/478-point) topology indices. In a non-mirrored frame the
patient's right eye is on the image's left and uses points 33/133/160/158/153/144; the left
eye uses 263/362/385/387/373/380 (``../shared/data/videos/MANIFEST.md``). The landmarker keeps
only :data:`KEPT` so that memory stays flat in clip length; :func:`pos` maps a mesh index
to its column in the kept array.
"""

from __future__ import annotations

from typing import Final

# Points that move little with facial expression: forehead, nose, face outline near the
# ears, inner eye corners. Used to fit the head pose.
RIGID: Final = (10, 151, 9, 8, 168, 6, 197, 195, 5, 4, 1, 234, 454, 127, 356, 133, 362)

EYE_OUTER: Final = {"right": 33, "left": 263}
EYE_INNER: Final = {"right": 133, "left": 362}
# Upper and lower lid points, paired top/bottom.
LID_UPPER: Final = {"right": (160, 159, 158), "left": (387, 386, 385)}
LID_LOWER: Final = {"right": (144, 145, 153), "left": (373, 374, 380)}
BROW: Final = {"right": (70, 63, 105, 66, 107), "left": (300, 293, 334, 296, 336)}
CHEEK: Final = {"right": (118, 50, 101), "left": (347, 280, 330)}
MOUTH_CORNER: Final = {"right": 61, "left": 291}
LIPS_MID: Final = (0, 17)


def _kept() -> tuple[int, ...]:
    ids: list[int] = list(RIGID)
    for side in ("right", "left"):
        ids += [EYE_OUTER[side], EYE_INNER[side], *LID_UPPER[side], *LID_LOWER[side]]
        ids += [*BROW[side], *CHEEK[side], MOUTH_CORNER[side]]
    ids += list(LIPS_MID)
    return tuple(dict.fromkeys(ids))


KEPT: Final = _kept()
_POS: Final = {mesh_id: i for i, mesh_id in enumerate(KEPT)}


def pos(mesh_id: int) -> int:
    """Column of mesh point ``mesh_id`` in the kept-points array."""
    return _POS[mesh_id]


def cols(mesh_ids: tuple[int, ...]) -> list[int]:
    """Columns of several mesh points."""
    return [_POS[m] for m in mesh_ids]


def mirror_sides() -> dict[int, int]:
    """Mesh index of each kept point's counterpart on the other side (self if central).

    Used when a clip is mirrored: the image's left eye then belongs to the patient's left.
    """
    pairs: dict[int, int] = {}
    for a, b in (
        (EYE_OUTER["right"], EYE_OUTER["left"]),
        (EYE_INNER["right"], EYE_INNER["left"]),
        (MOUTH_CORNER["right"], MOUTH_CORNER["left"]),
        (234, 454),
        (127, 356),
    ):
        pairs[a], pairs[b] = b, a
    for group in (LID_UPPER, LID_LOWER, BROW, CHEEK):
        for a, b in zip(group["right"], group["left"], strict=True):
            pairs[a], pairs[b] = b, a
    return {m: pairs.get(m, m) for m in KEPT}
