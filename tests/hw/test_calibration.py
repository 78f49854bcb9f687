"""Calibration: the data, the fitting procedure on synthetic truth, and the committed presets vs the MAC baseline."""

import dataclasses

import numpy as np
import pytest
import torch

from nasgym.hw import load_hardware
from nasgym.hw.calibration import (
    fit,
    fit_baseline,
    mape,
    microbench_rows,
    pixel_rows,
    predict,
    rank_agreement,
    table_rows,
    upload_gbps,
)
from nasgym.hw.zoo import zoo_layers, zoo_model, zoo_names

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def rows():
    return table_rows(zoo_layers)


def test_zoo_matches_published_sizes():
    assert set(zoo_names()) == {"MobileNet v1", "MobileNet v2", "Inception v1", "ResNet-50 V1", "SqueezeNet",
                                "VGG16", "EfficientNet-EdgeTpu-S"}
    for name, params in (("ResNet-50 V1", 25_557_032), ("VGG16", 138_357_544)):
        module, _ = zoo_model(name)
        assert sum(p.numel() for p in module.parameters()) == params
    with pytest.raises(ValueError, match="unknown zoo model 'AlexNet'"):
        zoo_model("AlexNet")


def test_calibration_rows(rows):
    assert len(rows) == 14
    assert {r.hardware for r in rows} == {"coral-usb", "coral-pcie"}
    resnet = next(r for r in rows if r.model == "ResNet-50 V1")
    assert resnet.keys[0].h_in == 299 and resnet.macs > 7e9
    cached, uploads = microbench_rows()
    assert [r.model for r in cached] == ["dense_256x256", "dense_1024x1024", "dense_2048x2048"]
    assert len(uploads) == 4


def test_pixel_rows_are_the_mobilenet_edgetpu_v2_family():
    rows = pixel_rows()
    assert [r.model for r in rows] == [f"mobilenet_edgetpu_v2_{v}" for v in ("tiny", "xs", "s", "m", "l")]
    assert [r.measured_ms for r in rows] == [0.78, 0.82, 1.03, 1.35, 1.64]
    assert {r.hardware for r in rows} == {"tensor-g1"}
    assert rows[0].keys[0].h_in == 224 and rows[0].keys[-1].cout == 1001
    assert rows[-1].macs == pytest.approx(2.531e9, rel=1e-3)
    assert all(any(k.op == "conv" and 1 < k.groups < k.cin for k in r.keys) for r in rows)  # GC-IBN in every net


def test_committed_tensor_g1_fits_the_pixel6_rows_and_beats_the_mac_baseline():
    rows = pixel_rows()
    measured = [r.measured_ms for r in rows]
    sim = predict(rows, load_hardware("tensor-g1"))
    a, b = fit_baseline([r.macs for r in rows], measured)
    baseline = [a + b * r.macs for r in rows]
    assert mape(sim, measured) < 1.5 < mape(baseline, measured)
    assert list(sim) == sorted(sim)  # right order
    assert np.all(np.abs(sim / np.array(measured) - 1) < 0.03)


def test_small_fitting_helpers():
    assert upload_gbps([(1e6, 3.0), (2e6, 6.0)]) == pytest.approx(1 / 3)
    a, b = fit_baseline([1e9, 2e9, 4e9], [1.5, 2.5, 4.5])
    assert (a, b) == (pytest.approx(0.5, rel=1e-6), pytest.approx(1e-9, rel=1e-6))
    assert mape([110, 90], [100, 100]) == pytest.approx(10)
    assert rank_agreement([1, 2, 3], [10, 20, 30]) == 1 and rank_agreement([3, 2, 1], [10, 20, 30]) == -1


def test_fit_recovers_known_parameters(rows):
    usb = [r for r in rows if r.hardware == "coral-usb"]
    truth = load_hardware("coral-usb", compute_efficiency=0.6, depthwise_efficiency=0.15)
    synthetic = [dataclasses.replace(r, measured_ms=float(ms)) for r, ms in zip(usb, predict(usb, truth), strict=True)]
    start = load_hardware("coral-usb", compute_efficiency=0.3, depthwise_efficiency=0.5)
    fitted = fit(synthetic, start, ("compute_efficiency", "depthwise_efficiency"))
    assert fitted.compute_efficiency == pytest.approx(0.6, rel=0.01)
    assert fitted.depthwise_efficiency == pytest.approx(0.15, rel=0.01)


def test_committed_presets_beat_the_mac_baseline(rows):
    for preset in ("coral-usb", "coral-pcie"):
        subset = [r for r in rows if r.hardware == preset]
        measured = [r.measured_ms for r in subset]
        sim = predict(subset, load_hardware(preset))
        a, b = fit_baseline([r.macs for r in subset], measured)
        baseline = [a + b * r.macs for r in subset]
        assert mape(sim, measured) < 15 < mape(baseline, measured)
        assert rank_agreement(sim, measured) > rank_agreement(baseline, measured)
    cached, _ = microbench_rows()
    sim = predict(cached, load_hardware("coral-usb"))
    assert np.all(np.abs(sim / [r.measured_ms for r in cached] - 1) < 0.1)


@pytest.mark.slow
def test_presets_are_the_calibration_output(rows):
    """The fitted fields in the committed presets are what benchmarks/calibrate.py computes (nothing hand-tuned)."""
    from nasgym.hw.calibration import PCIE_FREE, PIXEL_FREE, PIXEL_SHARED, USB_FREE, fit_pcie, fit_pixel, fit_usb

    cached, uploads = microbench_rows()
    usb = fit_usb([r for r in rows if r.hardware == "coral-usb"], cached, uploads, load_hardware("coral-usb"))
    pcie = fit_pcie([r for r in rows if r.hardware == "coral-pcie"], usb, load_hardware("coral-pcie"))
    pixel = fit_pixel(pixel_rows(), usb, load_hardware("tensor-g1"))
    expected = {
        "coral-usb": {f: getattr(usb, f) for f in ("host_gbps", *USB_FREE)},
        "coral-pcie": {"invoke_overhead_ms": usb.invoke_overhead_ms, **{f: getattr(pcie, f) for f in PCIE_FREE}},
        "tensor-g1": {f: getattr(pixel, f) for f in (*PIXEL_SHARED, *PIXEL_FREE)},
    }
    for preset, fields in expected.items():
        hw = load_hardware(preset)
        for field, value in fields.items():
            assert getattr(hw, field) == pytest.approx(value, rel=1e-4), (preset, field)
