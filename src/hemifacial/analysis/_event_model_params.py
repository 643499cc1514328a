"""Fitted weights of the event model (written by ``benchmarks/fit_event_model.py``).

Fitted on the warp family only; the other family is held out.
Command: benchmarks/fit_event_model.py --family warp --clips 10 --seconds 12 --write
"""

FITTED: dict[str, object] = {
    "features": [
        "depth",
        "asymmetry",
        "other_closure",
        "log_duration",
        "snr",
        "asymmetry_snr",
        "mouth_same_side",
        "mouth_both",
        "onset_rate",
        "lip_change",
        "eye_region",
    ],
    "weights": [
        -0.035243,
        0.243315,
        -1.083333,
        0.170056,
        0.435535,
        0.150771,
        -0.491327,
        -0.105139,
        1.464017,
        0.389531,
        -0.239424,
    ],
    "bias": -2.229088,
    "mean": [
        0.407616,
        0.101766,
        0.162654,
        -0.463489,
        1.45525,
        0.880047,
        0.031645,
        0.026128,
        0.867772,
        0.059701,
        0.653846,
    ],
    "scale": [
        0.263037,
        0.102202,
        0.22614,
        0.410116,
        0.446114,
        0.278484,
        0.034502,
        0.048087,
        0.560291,
        0.08336,
        0.475743,
    ],
    "source": "fitted on warp family, 10 clips of 12 s, seed 0: 14 spasm / 64 other candidates",
    "threshold": 0.35,
}
