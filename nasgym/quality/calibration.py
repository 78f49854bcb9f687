"""Size calibration: a long training's accuracy predicted from a short training's score and the network's size.

A short training under-rates large networks (they are further from converged than small ones), so on the `proxy`
space the size of a network says how the long reference training ranks it beyond what the short score says
(``benchmarks/RESULTS.md``, "Proxy-configuration study"). A ``calibration`` maps the measured score to the predicted
reference accuracy::

    accuracy = intercept + score * measured score + log_macs * ln(MACs) + log_params * ln(params)

MACs and params are those of the deployment network (:func:`nasgym.count` with the task's classes), so the size terms
cost microseconds. The weights are fitted by least squares on the study's choosing sample (``proxy_study.py``); the
measured score stays in the metrics as ``proxy_accuracy``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from nasgym.model import count
from nasgym.quality.config import Check
from nasgym.space.architecture import Architecture

TERMS = ("intercept", "score", "log_macs", "log_params")


@dataclass(frozen=True)
class SizeCalibration:
    """The weights of a calibration (a missing size term weighs 0)."""

    intercept: float
    score: float
    log_macs: float = 0.0
    log_params: float = 0.0


def calibration_check() -> Check:
    """None, or a dict of finite numbers with ``intercept`` and a positive ``score`` weight, optionally
    ``log_macs`` and ``log_params``."""
    def finite(v: Any) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)

    def ok(v: Any) -> bool:
        if v is None:
            return True
        if not isinstance(v, dict) or not {"intercept", "score"} <= set(v) <= set(TERMS):
            return False
        return all(finite(x) for x in v.values()) and v["score"] > 0
    return ok, ("null or {intercept: a, score: b > 0[, log_macs: c][, log_params: d]} with finite numbers "
                "(predicted accuracy = a + b * score + c * ln(MACs) + d * ln(params))")


def size_offset(calibration: SizeCalibration, log_macs: Any, log_params: Any) -> Any:
    """``intercept + log_macs * ln(MACs) + log_params * ln(params)`` from the logs of the sizes (floats or numpy
    arrays: the study fits and applies the same formula to whole samples)."""
    return calibration.intercept + calibration.log_macs * log_macs + calibration.log_params * log_params


def size_term(calibration: SizeCalibration, arch: Architecture, num_classes: int) -> float:
    """:func:`size_offset` of the deployment network."""
    counts = count(arch, num_classes=num_classes)
    return size_offset(calibration, math.log(counts.macs), math.log(counts.params))


def calibrate(metrics: dict, calibration: SizeCalibration, arch: Architecture, num_classes: int,
              metric: str) -> dict:
    """``metrics`` of a successful evaluation with ``accuracy`` (and the task's ``metric``), ``seed_accuracies`` and
    learning-curve points replaced by their calibrated values (clipped to [0, 1]), ``accuracy_std`` scaled by the
    score weight, and the measured score kept as ``proxy_accuracy``."""
    offset, weight = size_term(calibration, arch, num_classes), calibration.score

    def predicted(score: float) -> float:
        return min(1.0, max(0.0, offset + weight * score))

    out = {**metrics, "proxy_accuracy": metrics["accuracy"], "accuracy": predicted(metrics["accuracy"]),
           "accuracy_std": weight * metrics.get("accuracy_std", 0.0),
           "seed_accuracies": [predicted(s) for s in metrics.get("seed_accuracies", [metrics["accuracy"]])]}
    out[metric] = out["accuracy"]
    if "curve" in metrics:
        out["curve"] = [predicted(s) for s in metrics["curve"]]
    return out
