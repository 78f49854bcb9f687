"""Size calibration of the train evaluator: the predicted reference accuracy from a short score and the size."""

import math

import pytest

import nasgym
from nasgym.quality import make_evaluator
from nasgym.quality.calibration import SizeCalibration, calibrate, size_term

TINY = {"kind": "train", "dataset": "digits", "steps": 5, "repeats": 2, "bn_images": 64}
CALIBRATION = {"intercept": 0.4, "score": 0.2, "log_macs": 0.01, "log_params": 0.005}
WEIGHTS = SizeCalibration(**CALIBRATION)


def test_calibrated_score_is_the_linear_prediction_from_score_and_size(archs):
    arch = archs[0]
    counts = nasgym.count(arch, num_classes=10)
    offset = 0.4 + 0.01 * math.log(counts.macs) + 0.005 * math.log(counts.params)
    assert size_term(WEIGHTS, arch, 10) == pytest.approx(offset, abs=1e-12)
    metrics = {"accuracy": 0.7, "accuracy_std": 0.02, "seed_accuracies": [0.69, 0.71], "curve": [0.3, 0.5]}
    out = calibrate(metrics, WEIGHTS, arch, 10, "accuracy")
    assert out["proxy_accuracy"] == 0.7
    assert out["accuracy"] == pytest.approx(offset + 0.2 * 0.7)
    assert out["seed_accuracies"] == pytest.approx([offset + 0.2 * 0.69, offset + 0.2 * 0.71])
    assert out["curve"] == pytest.approx([offset + 0.2 * 0.3, offset + 0.2 * 0.5])
    assert out["accuracy_std"] == pytest.approx(0.2 * 0.02)
    assert metrics["accuracy"] == 0.7  # the input is not modified
    clipped = calibrate(metrics, SizeCalibration(intercept=5.0, score=1.0), arch, 10, "accuracy")
    assert clipped["accuracy"] == 1.0 and clipped["seed_accuracies"] == [1.0, 1.0]


def test_evaluator_reports_the_calibrated_accuracy_and_keeps_the_measured_score(archs):
    plain = make_evaluator(TINY)
    calibrated = make_evaluator({**TINY, "calibration": CALIBRATION})
    assert calibrated.fingerprint != plain.fingerprint
    assert make_evaluator({**TINY, "calibration": None}).fingerprint == plain.fingerprint
    assert calibrated.config.calibration == WEIGHTS and hash(calibrated.config)  # a frozen, hashable config
    without_params = {k: v for k, v in CALIBRATION.items() if k != "log_params"}  # a missing term weighs 0
    assert make_evaluator({**TINY, "calibration": without_params}).fingerprint == \
        make_evaluator({**TINY, "calibration": {**without_params, "log_params": 0.0}}).fingerprint
    raw = plain.evaluate(archs[1], seed=3)
    out = calibrated.evaluate(archs[1], seed=3)
    assert out["proxy_accuracy"] == raw["accuracy"]  # the same training, bit for bit
    assert out["accuracy"] == pytest.approx(size_term(WEIGHTS, archs[1], 10) + 0.2 * raw["accuracy"])
    assert out["params"] == raw["params"] and out["train_images"] == raw["train_images"]


@pytest.mark.parametrize("calibration", [
    {"score": 0.2}, {"intercept": 0.4}, {"intercept": 0.4, "score": 0.0}, {"intercept": 0.4, "score": 0.2, "x": 1},
    {"intercept": float("nan"), "score": 0.2}, {"intercept": True, "score": 0.2}, [0.4, 0.2],
])
def test_bad_calibrations_are_named(calibration):
    with pytest.raises(ValueError, match=r"train evaluator field calibration=.* is invalid: expected null or "
                                         r"\{intercept: a, score: b > 0"):
        make_evaluator({**TINY, "calibration": calibration})
