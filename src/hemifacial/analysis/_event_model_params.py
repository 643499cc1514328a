"""Fitted weights of the event model (written by ``benchmarks/fit_event_model.py``).

Fitted on the warp family only; the other family is held out.
Command: benchmarks/fit_event_model.py --family warp --clips 20 --seconds 12 --write
"""

FITTED: dict[str, object] = {
    "features": [
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
    ],
    "weights": [
        -0.790864,
        0.0,
        0.359968,
        0.275753,
        0.0,
        0.712991,
        0.0,
        -0.137955,
        2.147864,
        0.0,
        0.4334,
    ],
    "bias": -2.864784,
    "mean": [
        0.091533,
        0.475952,
        -0.431041,
        1.459419,
        0.858768,
        0.419695,
        0.03018,
        0.027948,
        0.834942,
        0.055449,
        0.727273,
    ],
    "scale": [
        0.184771,
        0.266432,
        0.443144,
        0.419821,
        0.326904,
        0.170867,
        0.036057,
        0.05207,
        0.593302,
        0.071838,
        0.445362,
    ],
    "source": "fitted on warp family, 20 clips of 12 s, seed 0: 23 spasm / 131 other candidates",
    "threshold": 0.2,
}
