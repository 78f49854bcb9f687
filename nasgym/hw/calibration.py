"""Fitting the simulator's few free parameters to measured Coral latencies, and the MAC baseline it must beat.

Only the measured tables shipped in ``nasgym/hw/data/`` (sources in its README) are used: the Coral benchmark table
(``coral_latency.csv``), the USB micro-benchmarks (``coral_usb_microbench.csv``) and the Pixel 6 latencies of
MobileNetEdgeTPUV2 (``pixel6_latency.csv``). Free parameters per Coral preset: ``compute_efficiency``,
``depthwise_efficiency`` and the effective parameter-streaming bandwidth (``offchip_gbps``); on USB also
``invoke_overhead_ms`` (pinned by the cached dense-layer calls) and ``host_gbps`` (the slope of parameter-upload
time over parameter bytes). ``tensor-g1`` (Pixel 6): ``compute_efficiency`` and ``layer_overhead_cycles`` (the
per-op fixed cost; the five MobileNetEdgeTPUV2 networks run 60-90 device ops each, GC-IBN convs one op per group)
fitted to its five rows, ``depthwise_efficiency`` shared with the coral-usb fit. Residuals are log ratios (relative
errors).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

from nasgym.hw.config import HardwareConfig
from nasgym.hw.layers import LayerKey, check_layers
from nasgym.hw.simulator import simulate_layers
from nasgym.model.lowering import layer_macs, lower
from nasgym.space.reference import reference

CALIBRATION_DIR = Path(__file__).resolve().parent / "data"  # shipped with the package (package-data)
BOUNDS = {
    "layer_overhead_cycles": (0.0, 60000.0),
    "compute_efficiency": (0.05, 1.0),
    "depthwise_efficiency": (0.02, 1.0),
    "offchip_gbps": (0.05, 10.0),
    "invoke_overhead_ms": (0.0, 2.0),
}


@dataclass(frozen=True)
class Row:
    """One measured latency: a network (as validated layers) on one preset."""

    model: str
    hardware: str
    measured_ms: float
    keys: tuple[LayerKey, ...]
    names: tuple[str, ...]

    macs: int


def _read_csv(name: str, directory: Path | None = None) -> list[dict]:
    path = (directory or CALIBRATION_DIR) / name
    if not path.exists():
        raise ValueError(f"calibration file {str(path)!r} not found: expected one of the CSV files of "
                         f"{str(CALIBRATION_DIR)!r}")
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def table_rows(layers_of: Callable[[str], list[dict]], directory: Path | None = None) -> list[Row]:
    """The Coral table rows, each with the layers of its network (``layers_of(model name)``)."""
    rows = []
    for rec in _read_csv("coral_latency.csv", directory):
        layers = layers_of(rec["model"])
        names, keys = check_layers(layers)
        rows.append(Row(rec["model"], rec["hardware"], float(rec["latency_ms"]), tuple(keys), tuple(names),
                        sum(map(layer_macs, layers))))
    return rows


def pixel_rows(directory: Path | None = None) -> list[Row]:
    """The Pixel 6 rows: MobileNetEdgeTPUV2 networks (``nasgym.reference`` names, 1001 classes) on ``tensor-g1``."""
    rows = []
    for rec in _read_csv("pixel6_latency.csv", directory):
        try:
            h, w, c = (int(v) for v in rec["input"].split("x"))
        except ValueError as err:
            raise ValueError(f"pixel6_latency.csv: input={rec['input']!r} is invalid: expected HxWxC") from err
        layers = lower(reference(rec["model"]), (h, w, c), num_classes=1001)
        names, keys = check_layers(layers)
        rows.append(Row(rec["model"], rec["hardware"], float(rec["latency_ms"]), tuple(keys), tuple(names),
                        sum(map(layer_macs, layers))))
    return rows


def dense_layers(n: int) -> list[dict]:
    """A single n x n fully connected layer (the micro-benchmark networks)."""
    return [{"name": f"dense_{n}", "op": "fc", "cin": n, "cout": n, "k": 1, "stride": 1, "groups": 1,
             "h_in": 1, "w_in": 1, "h_out": 1, "w_out": 1}]


def microbench_rows(directory: Path | None = None) -> tuple[list[Row], list[tuple[float, float]]]:
    """Cached-call rows of the dense micro-benchmarks, and (param bytes, upload ms) pairs of every row with bytes."""
    cached, uploads = [], []
    for rec in _read_csv("coral_usb_microbench.csv", directory):
        if rec["param_bytes"]:
            uploads.append((float(rec["param_bytes"]), float(rec["first_call_ms_incl_param_upload"])
                            - float(rec["cached_call_ms"])))
        if rec["model"].startswith("dense_"):
            n = int(rec["model"].split("x")[-1])
            names, keys = check_layers(dense_layers(n))
            measured = float(rec["cached_call_ms"])
            cached.append(Row(rec["model"], "coral-usb", measured, tuple(keys), tuple(names), n * n))
    return cached, uploads


def upload_gbps(uploads: Sequence[tuple[float, float]]) -> float:
    """Host-link bandwidth (GB/s) from the least-squares slope (through 0) of upload ms over parameter bytes."""
    b = np.array([u[0] for u in uploads])
    t = np.array([u[1] for u in uploads])
    ms_per_byte = float(b @ t / (b @ b))
    return 1.0 / (ms_per_byte * 1e6)


def predict(rows: Sequence[Row], hw: HardwareConfig) -> np.ndarray:
    """Simulated latency (ms) of each row on ``hw``."""
    return np.array([simulate_layers(r.names, r.keys, hw).latency_ms for r in rows])


def fit(rows: Sequence[Row], hw: HardwareConfig, free: Sequence[str]) -> HardwareConfig:
    """``hw`` with the ``free`` fields set to minimize the squared log error over ``rows`` (multi-start)."""
    lo = np.array([BOUNDS[f][0] for f in free])
    hi = np.array([BOUNDS[f][1] for f in free])
    measured = np.array([r.measured_ms for r in rows])

    def residuals(x: np.ndarray) -> np.ndarray:
        return np.log(predict(rows, hw.replace(**dict(zip(free, map(float, x), strict=True)))) / measured)

    best = None
    for start in (0.2, 0.5, 0.8):
        x0 = lo + start * (hi - lo)
        result = least_squares(residuals, x0, bounds=(lo, hi), x_scale=hi - lo, diff_step=1e-3)
        if best is None or result.cost < best.cost:
            best = result
    return hw.replace(**dict(zip(free, map(float, best.x), strict=True)))


def fit_baseline(macs: Sequence[float], measured: Sequence[float]) -> tuple[float, float]:
    """(a, b) of ``latency = a + b * MACs`` (a, b >= 0) minimizing the squared relative error (its best MAPE fit)."""
    x, y = np.asarray(macs, float), np.asarray(measured, float)
    design = np.stack([1.0 / y, x / y], axis=1)
    result = least_squares(lambda p: design @ p - 1.0, [1.0, 1e-9], bounds=([0, 0], [np.inf, np.inf]),
                           x_scale=[1.0, 1e-9])
    return float(result.x[0]), float(result.x[1])


def mape(predicted: Sequence[float], measured: Sequence[float]) -> float:
    """Mean absolute percentage error, in percent."""
    p, m = np.asarray(predicted, float), np.asarray(measured, float)
    return float(np.mean(np.abs(p - m) / m) * 100)


def rank_agreement(predicted: Sequence[float], measured: Sequence[float]) -> float:
    """Kendall's tau between predicted and measured latencies."""
    n, score, pairs = len(predicted), 0, 0
    for i in range(n):
        for j in range(i + 1, n):
            pairs += 1
            score += int(math.copysign(1, (predicted[i] - predicted[j]) * (measured[i] - measured[j])))
    return score / pairs if pairs else 1.0


USB_FREE = ("invoke_overhead_ms", "compute_efficiency", "depthwise_efficiency", "offchip_gbps")
PCIE_FREE = ("compute_efficiency", "depthwise_efficiency", "offchip_gbps")
PIXEL_FREE = ("compute_efficiency", "layer_overhead_cycles")
PIXEL_SHARED = ("depthwise_efficiency",)  # taken from the coral-usb fit (same template and compiler)


def fit_usb(rows: Sequence[Row], cached: Sequence[Row], uploads: Sequence[tuple[float, float]],
            base: HardwareConfig) -> HardwareConfig:
    """coral-usb: host bandwidth from the uploads, then :data:`USB_FREE` on its table rows plus the cached calls."""
    return fit(list(rows) + list(cached), base.replace(host_gbps=upload_gbps(uploads)), USB_FREE)


def fit_pcie(rows: Sequence[Row], usb: HardwareConfig, base: HardwareConfig) -> HardwareConfig:
    """coral-pcie: :data:`PCIE_FREE` on its table rows; the invoke overhead comes from the USB fit."""
    return fit(rows, base.replace(invoke_overhead_ms=usb.invoke_overhead_ms), PCIE_FREE)


def fit_pixel(rows: Sequence[Row], usb: HardwareConfig, base: HardwareConfig) -> HardwareConfig:
    """tensor-g1: :data:`PIXEL_SHARED` from the coral-usb fit, then :data:`PIXEL_FREE` on the Pixel 6 rows."""
    return fit(rows, base.replace(**{f: getattr(usb, f) for f in PIXEL_SHARED}), PIXEL_FREE)
