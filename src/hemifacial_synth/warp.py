"""Family "warp": one smooth displacement field of the face skin per frame, no pasted pixels.

The field follows the MediaPipe mesh of the *untouched* frame. Around the affected eye the
lids close by an image-space warp in the eye's own frame (so it follows head roll): in
every column across the eye the upper lid travels 72 % and the lower lid 28 % of the
aperture times the closure, the skin above and below is stretched to follow and the
opening between them is compressed (a partial closure leaves a narrowed slit with the iris
in it; a full one makes the lash lines meet). The cheek rises and the mouth corner is
pulled towards the outer eye corner by a Gaussian radial-basis field that interpolates
exactly: the moved points go where they are sent, nose, lips' midline, chin and the other
corner stay put. The cheek/mouth field is blurred slightly so that it is smooth.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from .sources import CHEEK, EYE_OUTER, LID_LOWER, LID_UPPER, MOUTH_CORNER, Image, Mesh

F32 = npt.NDArray[np.float32]
EYE_INNER = {"right": 133, "left": 362}
ANCHORS = (1, 4, 0, 17, 152, 14, 13, 168, 6)
"""Mesh points the lower-face field keeps still (nose, lips' midline, chin, nose bridge)."""
UPPER_TRAVEL = 0.72
CHEEK_LIFT_IOD = 0.06
MOUTH_PULL_IOD = 0.09
RBF_SIGMA_IOD = 0.22
LASH_MARGIN_IOD = 0.012
"""How far outside the mesh's lid line the lid margin (lashes) is taken."""
UPPER_SKIN_IOD = 0.13
"""Upper lid skin that stretches (lid line to about the crease; the brow stays still)."""
LOWER_SKIN_IOD = 0.16


@dataclass(frozen=True)
class SideState:
    """Per-side contraction at one instant: closure 0–1 of the aperture, cheek lift and
    mouth-corner pull 0–1 (scaled by :data:`CHEEK_LIFT_IOD` and :data:`MOUTH_PULL_IOD`)."""

    closure: float = 0.0
    cheek: float = 0.0
    mouth: float = 0.0

    @property
    def active(self) -> bool:
        """Whether anything moves."""
        return self.closure > 0 or self.cheek > 0 or self.mouth > 0


def _iod(mesh: Mesh) -> float:
    return float(np.linalg.norm(mesh[EYE_OUTER["left"]] - mesh[EYE_OUTER["right"]]))


def _lid_field(
    xx: F32, yy: F32, mesh: Mesh, side: str, closure: float, iod: float
) -> tuple[F32, F32]:
    """Backward displacement (source − output) closing one eye by ``closure``."""
    outer, inner = mesh[EYE_OUTER[side]], mesh[EYE_INNER[side]]
    centre = (outer + inner) / 2
    axis = (inner - outer) / max(float(np.linalg.norm(inner - outer)), 1e-6)
    normal = np.array([-axis[1], axis[0]])  # points down the face when upright
    if normal[1] < 0:
        normal = -normal
    rel_x, rel_y = xx - centre[0], yy - centre[1]
    u = rel_x * axis[0] + rel_y * axis[1]
    v = rel_x * normal[0] + rel_y * normal[1]
    up = (mesh[list(LID_UPPER[side])] - centre) @ np.stack([axis, normal], axis=1)
    lo = (mesh[list(LID_LOWER[side])] - centre) @ np.stack([axis, normal], axis=1)
    up, lo = up[np.argsort(up[:, 0])], lo[np.argsort(lo[:, 0])]
    uc = np.clip(u, max(up[0, 0], lo[0, 0]), min(up[-1, 0], lo[-1, 0]))
    vu = np.interp(uc, up[:, 0], up[:, 1]).astype(np.float32)
    vl = np.interp(uc, lo[:, 0], lo[:, 1]).astype(np.float32)
    vl = np.maximum(vl, vu)
    # the lids are curtains: the upper lid descends over the eye and the lower one rises,
    # hiding what they pass (the open slit between them is not compressed, so a full
    # closure shows no iris or sclera); the lid margins, taken a little outside the mesh's
    # lid line where the lashes are, meet at full closure; the lid skin up to the crease
    # (and down to the lid-cheek junction) stretches to follow
    margin = LASH_MARGIN_IOD * iod
    su, sl = vu - margin, vl + margin
    nu = su + UPPER_TRAVEL * closure * (sl - su)
    nl = sl - (1 - UPPER_TRAVEL) * closure * (sl - su)
    top, bottom = vu - UPPER_SKIN_IOD * iod, vl + LOWER_SKIN_IOD * iod
    src = v.copy()
    above = (v >= top) & (v < nu)
    src = np.where(above, top + (v - top) * (su - top) / np.maximum(nu - top, 1e-3), src)
    below = (v > nl) & (v <= bottom)
    src = np.where(
        below, bottom - (bottom - v) * (bottom - sl) / np.maximum(bottom - nl, 1e-3), src
    )
    # outside the corners the aperture is 0 and nothing moves; fade the band smoothly
    span = (up[-1, 0] - up[0, 0]) / 2
    fade = np.clip((span + 0.04 * iod - np.abs(u)) / (0.08 * iod), 0, 1).astype(np.float32)
    dv = (src - v) * fade
    return (dv * np.float32(normal[0])).astype(np.float32), (dv * np.float32(normal[1])).astype(
        np.float32
    )


def _rbf_field(xx: F32, yy: F32, ctrl: Mesh, moves: Mesh, sigma: float) -> tuple[F32, F32]:
    """Gaussian RBF interpolating ``moves`` at ``ctrl`` (rows of zeros keep a point still)."""
    d2 = ((ctrl[:, None, :] - ctrl[None, :, :]) ** 2).sum(-1)
    k = np.exp(-d2 / (2 * sigma**2)) + 1e-6 * np.eye(len(ctrl))
    w = np.linalg.solve(k, moves)
    dx = np.zeros_like(xx)
    dy = np.zeros_like(yy)
    for (cx, cy), (wx, wy) in zip(ctrl, w, strict=True):
        g = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / np.float32(2 * sigma**2))
        dx += np.float32(wx) * g
        dy += np.float32(wy) * g
    return dx, dy


def _lower_moves(mesh: Mesh, state: dict[str, SideState], iod: float) -> tuple[Mesh, Mesh]:
    """Control points of the cheek/mouth field and where each moves (pixels)."""
    ctrl: list[npt.NDArray[np.float64]] = []
    moves: list[npt.NDArray[np.float64]] = []
    up_face = mesh[10] - mesh[152]
    up_face = up_face / max(float(np.linalg.norm(up_face)), 1e-6)
    for side, st in state.items():
        for p in CHEEK[side]:
            ctrl.append(mesh[p])
            moves.append(up_face * st.cheek * CHEEK_LIFT_IOD * iod)
        corner = mesh[MOUTH_CORNER[side]]
        to_eye = mesh[EYE_OUTER[side]] - corner
        ctrl.append(corner)
        moves.append(to_eye / np.linalg.norm(to_eye) * st.mouth * MOUTH_PULL_IOD * iod)
    for p in ANCHORS:
        ctrl.append(mesh[p])
        moves.append(np.zeros(2))
    return np.array(ctrl), np.array(moves)


def warp_frame(img: Image, mesh: Mesh, state: dict[str, SideState]) -> Image:
    """``img`` with each side's closure, cheek lift and mouth pull applied by one remap."""
    if not any(s.active for s in state.values()):
        return img
    h, w = img.shape[:2]
    iod = _iod(mesh)
    x0, y0 = np.maximum(mesh.min(axis=0) - 0.3 * iod, 0).astype(int)
    x1, y1 = np.minimum(mesh.max(axis=0) + 0.3 * iod, [w, h]).astype(int)
    xx, yy = np.meshgrid(np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32))
    dx = np.zeros_like(xx)
    dy = np.zeros_like(yy)
    if any(s.cheek > 0 or s.mouth > 0 for s in state.values()):
        ctrl, moves = _lower_moves(mesh, state, iod)
        # backward map: the skin that ends at p came from p − move (small moves)
        rx, ry = _rbf_field(xx, yy, ctrl + moves, moves, RBF_SIGMA_IOD * iod)
        sig = max(0.6, 0.008 * iod)
        dx -= np.asarray(cv2.GaussianBlur(rx, (0, 0), sig), np.float32)
        dy -= np.asarray(cv2.GaussianBlur(ry, (0, 0), sig), np.float32)
    # the lid field is not blurred: blurring across the seam where the lids meet would
    # bring pixels of the hidden eye back into view
    for side, st in state.items():
        if st.closure > 0:
            lx, ly = _lid_field(xx, yy, mesh, side, st.closure, iod)
            dx += lx
            dy += ly
    roi = cv2.remap(img, xx + dx, yy + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    out = img.copy()
    out[y0:y1, x0:x1] = roi
    return out
