"""The surrogate learns the residual of the target's size calibration and adds the exact size term back."""

from __future__ import annotations

import math

import numpy as np
import pytest
from surrogate_helpers import TINY_SPEC, synthetic_rows

import nasgym
from nasgym.quality import make_evaluator
from nasgym.quality.calibration import SizeCalibration, size_term
from nasgym.surrogate.dataset import load_table, write_rows
from nasgym.surrogate.features import NUM_CLASSES
from nasgym.surrogate.fit import fit_table

CALIBRATION = {"intercept": 0.5, "score": 0.125, "log_macs": 0.009, "log_params": 0.008}
CALIBRATED_SPEC = {**TINY_SPEC, "calibration": CALIBRATION}


def offset_rows(n: int, fingerprint: str, constant: float) -> list[dict]:
    """Rows whose accuracy is exactly the calibration's size term plus ``constant``."""
    rows = synthetic_rows(n, fingerprint)
    calibration = SizeCalibration(**CALIBRATION)
    for row in rows:
        row["accuracy"] = repr(size_term(calibration, nasgym.Architecture.parse(row["arch_string"]), NUM_CLASSES)
                               + constant)
    return rows


@pytest.fixture(scope="module")
def calibrated_data(tmp_path_factory) -> tuple:
    fingerprint = make_evaluator(CALIBRATED_SPEC).fingerprint
    path = tmp_path_factory.mktemp("residual") / "offset.csv.gz"
    write_rows(path, offset_rows(120, fingerprint, 0.01))
    return path, fingerprint


def test_residual_fit_reproduces_the_exact_size_term(calibrated_data):
    path, fingerprint = calibrated_data
    table = load_table(path, fingerprint)
    truth = table.mean
    calibration = SizeCalibration(**CALIBRATION)
    residual = fit_table(table, np.arange(100), "hgb", members=2, calibration=calibration)
    predicted, spread = residual.predict(list(table.archs))
    assert np.abs(predicted - truth).max() < 1e-9  # the residual is the constant 0.01: trees fit it exactly
    assert np.abs(spread).max() < 1e-12
    for i in (0, 50, 110):  # the compiled one-architecture path adds the same term
        mean, _ = residual.predict_one(table.archs[i])
        assert math.isclose(mean, truth[i], abs_tol=1e-9)
    direct = fit_table(table, np.arange(100), "hgb", members=2)
    assert np.abs(direct.predict(list(table.archs[100:]))[0] - truth[100:]).max() > 1e-4  # must learn the logs


def test_evaluator_uses_the_targets_calibration(calibrated_data):
    path, _ = calibrated_data
    spec = {"kind": "surrogate", "target": CALIBRATED_SPEC, "data": str(path), "members": 2}
    on, off = make_evaluator(spec), make_evaluator({**spec, "residual": False})
    assert on.calibration == SizeCalibration(**CALIBRATION) and off.calibration is None
    assert on.fingerprint != off.fingerprint
    arch = load_table(path).archs[-1]
    assert on.surrogate.calibration is not None and off.surrogate.calibration is None
    assert abs(on.evaluate(arch, 0)["accuracy"] - load_table(path).mean[-1]) < 1e-9


def test_residual_is_a_no_op_for_an_uncalibrated_target(tmp_path):
    target = {**TINY_SPEC, "calibration": None}
    path = tmp_path / "raw.csv.gz"
    write_rows(path, synthetic_rows(60, make_evaluator(target).fingerprint))
    spec = {"kind": "surrogate", "target": target, "data": str(path), "members": 2}
    on, off = make_evaluator(spec), make_evaluator({**spec, "residual": False})
    assert on.calibration is None and on.fingerprint == off.fingerprint


def test_residual_field_is_checked(synthetic_data):
    with pytest.raises(ValueError, match="residual"):
        make_evaluator({"kind": "surrogate", "target": TINY_SPEC, "data": str(synthetic_data), "residual": "yes"})
