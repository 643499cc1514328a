"""How sure a one-sided candidate is a spasm: a small logistic model on event features.

A candidate (a run of one eye closing clearly more than the other, or a one-sided mouth
corner and cheek pull, found with thresholds relative to the clip's own noise) is scored
from a handful of named, physiological features. The weights are a logistic regression
(:func:`fit_event_model`): a person can read which cue pushes the score which way
(``docs/video.md``). The shipped weights (:data:`DEFAULT_MODEL`, from
``benchmarks/fit_event_model.py``) were fitted on one generated family only (their
``source`` says which); the cross-generator benchmark fits on one family and scores on
the other through the same function. Pure: no files are read here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ._event_model_params import FITTED

FEATURES: tuple[str, ...] = (
    "other_closure",
    "lead",
    "log_duration",
    "snr",
    "asymmetry_snr",
    "asymmetry_z",
    "mouth_same_side",
    "mouth_both",
    "onset_rate",
    "lip_change",
    "eye_region",
    "look_z",
)
"""Event features, in the model's order (see :func:`event_features`). The eye's own
closure enters only in forms that mean the same whatever depth MediaPipe reads: a ratio
(``lead``) or in units of the clip's own jitter (``snr``, ``asymmetry_snr``) or spread
(``asymmetry_z``); besides, the other eye beyond its own rest level (``other_closure``),
times, and mouth movement. The raw ``depth`` and ``asymmetry`` (in
closure units: a warp closure of 0.5 reads 0.16, a pasted one 0.75) are kept in the
feature dict for the rules, not fed to the model: with them, a model fitted on the
pasted family (deep closures only) found 12 % of the warp events; without them, 35 %
(``docs/video.md``)."""

ACCEPT = 0.5
"""Probability at or above which a candidate is counted as a spasm."""


@dataclass(frozen=True)
class EventModel:
    """Logistic-regression weights over :data:`FEATURES` (standardised with ``mean``/``scale``).

    ``source`` says what data the weights were fitted on (shown in reports).
    """

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    source: str
    threshold: float = ACCEPT
    """Probability at or above which a candidate counts (the fit may choose it)."""

    def probability(self, features: Mapping[str, float]) -> float:
        """P(spasm) of one candidate."""
        x = (_vector(features) - np.asarray(self.mean)) / np.asarray(self.scale)
        z = float(x @ np.asarray(self.weights) + self.bias)
        return float(1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0))))

    def to_dict(self) -> dict[str, object]:
        """JSON-safe mapping (what ``_event_model_params.py`` holds)."""
        return {
            "features": list(FEATURES),
            "weights": list(self.weights),
            "bias": self.bias,
            "mean": list(self.mean),
            "scale": list(self.scale),
            "source": self.source,
            "threshold": self.threshold,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> EventModel:
        """Inverse of :meth:`to_dict`; the feature list must match :data:`FEATURES`."""
        names: tuple[str, ...] = tuple(str(k) for k in d["features"])  # type: ignore[attr-defined]
        if any(k not in FEATURES for k in names) or len(set(names)) != len(names):
            raise ValueError(f"event model features {list(names)} not among {list(FEATURES)}")
        # a feature the file does not name (added since it was fitted) gets weight 0
        at = {k: i for i, k in enumerate(names)}

        def col(key: str, default: float) -> tuple[float, ...]:
            vals = [float(v) for v in d[key]]  # type: ignore[attr-defined]
            return tuple(vals[at[k]] if k in at else default for k in FEATURES)

        return cls(
            weights=col("weights", 0.0),
            bias=float(d["bias"]),  # type: ignore[arg-type]
            mean=col("mean", 0.0),
            scale=col("scale", 1.0),
            source=str(d["source"]),
            threshold=float(d.get("threshold", ACCEPT)),  # type: ignore[arg-type]
        )


def _vector(features: Mapping[str, float]) -> npt.NDArray[np.float64]:
    return np.array([float(features[k]) for k in FEATURES])


def event_features(
    *,
    depth: float,
    asymmetry: float,
    other_closure: float,
    duration_s: float,
    noise: float,
    mouth_same_side: float,
    eye_region: bool,
    mouth_both: float = 0.0,
    onset_rate: float = 0.0,
    lip_change: float = 0.0,
    contrast: float = 0.0,
    contrast_noise: float = 0.0,
    lead: float | None = None,
    contrast_spread: float = 0.0,
    peak_lead: float | None = None,
    look: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """The model's inputs for one candidate.

    Parameters
    ----------
    depth : float
        Deepest closure of the candidate's eye (0 open – 1 shut, relative to its own open level).
    asymmetry : float
        Median of (this eye − other eye) closure over the candidate's frames.
    other_closure : float
        Median closure of the other eye meanwhile (a spasm leaves it open; a wink or crying
        narrows it too).
    duration_s : float
        Length of the candidate.
    noise : float
        The eye's frame-to-frame jitter in this clip (:func:`~.measures.eye_noise`).
    mouth_same_side : float
        Peak same-side mouth-corner pull minus the other side's (IOD): HFS pulls one
        corner, a smile both.
    eye_region : bool
        True for an eye candidate, False for a lower-face-only one.
    mouth_both : float
        Peak pull of the *less* pulled mouth corner (IOD): a smile pulls both corners.
    onset_rate : float
        Fastest rise of the candidate's signal on its way to the peak, in peak heights per
        second: a spasm contracts within tens of milliseconds, a smile or a look down over
        hundreds.
    lip_change : float
        Range of the lip gap during the candidate (IOD): talking opens and shuts the lips.
    contrast, contrast_noise : float
        Median of (this side − other side) of the candidate's own signal (closure for an
        eye candidate, mouth-corner pull for a lower-face one) and the clip's jitter of
        that difference: how far above its own noise the one-sidedness is.
    lead : float, optional
        How much of its own depth the candidate leads the other side by (0: the other
        side does the same, 1: the other side stays at rest), whatever the depth: a
        spasm is one-sided at any depth, while MediaPipe reads partial closures far below
        their true depth (``docs/video.md``). Default: ``asymmetry / depth``.
    contrast_spread : float
        Robust spread (1.4826 × MAD) of the side difference of the candidate's signal
        over the whole clip: how much one side differs from the other in this clip when
        nothing is happening (talking, expressions, tracking). Kept as ``contrast_z``
        (``contrast`` in units of it), which :mod:`.review` uses as a veto, and as the
        model's ``asymmetry_z`` (log10(1 + that, from 0)): how unusual this
        one-sidedness is *for this clip*. Unlike the closure depth, which MediaPipe
        reads at a third to a half of a partial closure's true depth, it means the same
        in either generated family and on any face (a pasted spasm 7–18, a warp one 2–5,
        a healthy face's uneven blinks and narrowings 0–2.6).
    peak_lead : float, optional
        1 − the other side's peak beyond its rest level / this side's
        (:func:`~.measures.peak_lead`): does the other eye do the same? Kept for
        :mod:`.review` (a blink is bilateral), not a model input. Default: ``lead``.
    """
    if lead is None:
        lead = asymmetry / max(depth, 0.05)
    asym_z = float(np.log10(1.0 + max(contrast, 0.0) / max(contrast_spread, 0.005)))
    if look is not None:
        look_z = float(np.log10(1.0 + max(look["contrast"], 0.0) / max(look["spread"], 0.005)))
    else:  # no appearance cue (a track made without eye thumbnails): as the landmarks say
        look_z = asym_z
    return {
        "depth": depth,
        "asymmetry": asymmetry,
        "other_closure": other_closure,
        "lead": float(np.clip(lead, -1.0, 1.0)),
        "log_duration": float(np.log10(max(duration_s, 0.02))),
        "snr": float(np.log10(1.0 + max(depth, 0.0) / max(noise, 0.005))),
        "asymmetry_snr": float(np.log10(1.0 + max(contrast, 0.0) / max(contrast_noise, 0.005))),
        "mouth_same_side": float(np.clip(mouth_same_side, -0.2, 0.2)),
        "mouth_both": float(np.clip(mouth_both, -0.2, 0.2)),
        "onset_rate": float(np.log10(max(onset_rate, 0.1))),
        "lip_change": float(np.clip(lip_change, 0.0, 0.3)),
        "eye_region": 1.0 if eye_region else 0.0,
        "contrast_z": float(contrast / max(contrast_spread, 0.005)),
        "asymmetry_z": asym_z,
        "peak_lead": float(np.clip(lead if peak_lead is None else peak_lead, -1.0, 1.0)),
        "look_z": look_z,
    }


SIGNS: dict[str, int] = {
    "depth": 1,
    "asymmetry": 1,
    "asymmetry_snr": 1,
    "asymmetry_z": 1,
    "snr": 1,
    "other_closure": -1,
    "lead": 1,
    "onset_rate": 1,
    "mouth_same_side": 1,
    "mouth_both": -1,
    "lip_change": -1,
    "look_z": 1,
}
"""Physiological direction of a feature's effect (+1: more of it, more likely a spasm):
a deeper, more one-sided, faster closure with the other eye open is never *less* likely
a spasm, nor is a pull of the same-side mouth corner (HFS pulls it towards the eye); a
pull of both mouth corners (a smile) or lips opening and closing (talking) never more.
A fit whose weight comes out with the wrong sign (a quirk of one generated family) drops
that feature."""


def _newton(xs: npt.NDArray[np.float64], labels: npt.NDArray[np.float64], l2: float) -> Any:
    """L2-penalised logistic regression by Newton's method (last column: the bias)."""
    w = np.zeros(xs.shape[1])
    penalty = np.full(xs.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(xs @ w, -30, 30)))
        grad = xs.T @ (p - labels) + penalty * w
        hess = (xs.T * (p * (1 - p))) @ xs + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def fit_event_model(
    examples: Iterable[tuple[Mapping[str, float], bool]],
    *,
    l2: float = 1.0,
    source: str = "unspecified",
    signed: bool = True,
    use: Iterable[str] | None = None,
) -> EventModel:
    """Fit the logistic model to labelled candidates (Newton's method, L2-penalised).

    Parameters
    ----------
    examples : iterable of (features, is_spasm)
        Candidates from :func:`hemifacial.analysis.analyze.event_candidates` on clips with
        known ground truth, labelled True when they match a true event.
    l2 : float
        Ridge penalty on the standardised weights (keeps them small and readable).
    source : str
        What the examples came from (kept with the weights).
    signed : bool
        Keep the weights of :data:`SIGNS` in their physiological direction.
    use : iterable of str, optional
        Fit only these features (the others get weight 0); default all of :data:`FEATURES`.

    Raises
    ------
    ValueError
        Without at least one positive and one negative example.
    """
    rows = [(_vector(f), bool(y)) for f, y in examples]
    labels = np.array([y for _, y in rows], dtype=float)
    if len(rows) < 2 or labels.min() == labels.max():
        raise ValueError("fit_event_model needs both spasm and non-spasm examples")
    x = np.stack([v for v, _ in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    xs = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    keep = set(FEATURES if use is None else use)
    free = np.array([k in keep for k in FEATURES] + [True])
    sign = np.array([SIGNS.get(k, 0) for k in FEATURES] + [0]) if signed else np.zeros(len(free))
    for _ in range(len(FEATURES)):  # drop features whose weight has the wrong sign, refit
        w = _newton(xs[:, free], labels, l2)
        full = np.zeros(xs.shape[1])
        full[free] = w
        wrong = free & (sign * full < 0)
        if not wrong.any():
            break
        free &= ~wrong
    w = full
    return EventModel(
        weights=tuple(round(float(v), 6) for v in w[:-1]),
        bias=round(float(w[-1]), 6),
        mean=tuple(round(float(v), 6) for v in mean),
        scale=tuple(round(float(v), 6) for v in scale),
        source=source,
    )


DEFAULT_MODEL = EventModel.from_dict(FITTED)
"""The shipped weights (fitted by ``benchmarks/fit_event_model.py``; see its ``source``)."""
