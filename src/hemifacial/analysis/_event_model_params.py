"""Fitted weights of the event model (written by ``benchmarks/fit_event_model.py``).

Fitted on the warp family only; the other family is held out.
Command: benchmarks/fit_event_model.py --family warp --clips 20 --seconds 12 --write
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
        0.0,
        0.074628,
        -1.180054,
        0.245237,
        0.326952,
        0.250989,
        -0.488748,
        -0.268672,
        1.75166,
        0.410071,
        -0.003623,
    ],
    "bias": -2.746087,
    "mean": [
        0.425691,
        0.117853,
        0.158384,
        -0.417581,
        1.475653,
        0.873292,
        0.030581,
        0.02786,
        0.849886,
        0.053349,
        0.701299,
    ],
    "scale": [
        0.246204,
        0.112703,
        0.208773,
        0.42611,
        0.417464,
        0.316311,
        0.036715,
        0.049532,
        0.595403,
        0.072193,
        0.457689,
    ],
    "source": "fitted on warp family, 20 clips of 12 s, seed 0: 23 spasm / 131 other candidates",
    "threshold": 0.3,
}
