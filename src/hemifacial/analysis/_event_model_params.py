"""Fitted weights of the event model (written by ``benchmarks/fit_event_model.py``)."""

FITTED: dict[str, object] = {
    "features": [
        "depth",
        "asymmetry",
        "other_closure",
        "log_duration",
        "snr",
        "mouth_same_side",
        "mouth_both",
        "onset_rate",
        "lip_change",
        "eye_region",
    ],
    "weights": [6.0, 6.0, -8.0, 1.0, 1.0, 20.0, 0.0, 0.0, 0.0, 0.0],
    "bias": -4.0,
    "mean": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    "scale": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    "source": "hand-set prior (not fitted)",
}
