"""Fit the simulator's free parameters to nasgym/hw/data/ and write them into the hardware presets.

    .venv/bin/python benchmarks/calibrate.py            # fit and rewrite nasgym/hw/presets/*.yaml
    .venv/bin/python benchmarks/calibrate.py --dry-run  # print the fit only

coral-usb: invoke overhead, compute efficiency, depthwise efficiency and streaming bandwidth from its 7 table rows
plus the cached dense-layer micro-benchmarks; host bandwidth from the parameter-upload micro-benchmarks.
coral-pcie: compute efficiency, depthwise efficiency and streaming bandwidth from its 7 rows (invoke overhead taken
from the USB fit: nothing measures it on PCIe). tensor-g1: compute efficiency and the per-op fixed cost
(layer_overhead_cycles) from the five Pixel 6 rows (MobileNetEdgeTPUV2 Tiny..L, which contain GC-IBN blocks run as
one op per group), depthwise efficiency from the USB fit (same template and compiler).

On the Coral presets the per-op fixed cost is not fitted: their rows, none of which has a group conv, do not pin it
(the fit is flat between 0 and a few thousand cycles, see benchmarks/RESULTS.md); it is a template constant there.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile

import _bootstrap  # noqa: F401  (repository root on sys.path, one BLAS thread; before numpy)
import torch

from nasgym.hw.calibration import (
    PCIE_FREE,
    PIXEL_FREE,
    PIXEL_SHARED,
    USB_FREE,
    fit_pcie,
    fit_pixel,
    fit_usb,
    microbench_rows,
    pixel_rows,
    predict,
    table_rows,
)
from nasgym.hw.config import PRESET_DIR, load_hardware
from nasgym.hw.zoo import zoo_layers


def write_fields(preset: str, values: dict[str, float]) -> None:
    """Rewrite ``field: value`` lines of a preset in place (comments kept), atomically."""
    path = PRESET_DIR / f"{preset}.yaml"
    text = path.read_text()
    for field, value in values.items():
        pattern = re.compile(rf"^({field}:\s*)([^#\n]*?)(\s*#.*)?$", re.M)
        if not pattern.search(text):
            raise ValueError(f"preset {preset} has no line for field {field}")
        text = pattern.sub(lambda m, v=value: f"{m.group(1)}{v:.6g}{m.group(3) or ''}", text, count=1)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)
    load_hardware(preset)  # still valid


def calibrate() -> dict[str, dict[str, float]]:
    """The fitted fields per preset."""
    rows = table_rows(zoo_layers)
    cached, uploads = microbench_rows()
    usb_rows = [r for r in rows if r.hardware == "coral-usb"]
    pcie_rows = [r for r in rows if r.hardware == "coral-pcie"]
    usb = fit_usb(usb_rows, cached, uploads, load_hardware("coral-usb"))
    pcie = fit_pcie(pcie_rows, usb, load_hardware("coral-pcie"))
    phone = pixel_rows()
    pixel = fit_pixel(phone, usb, load_hardware("tensor-g1"))
    fitted = {
        "coral-usb": {"host_gbps": usb.host_gbps, **{f: getattr(usb, f) for f in USB_FREE}},
        "coral-pcie": {"invoke_overhead_ms": usb.invoke_overhead_ms, **{f: getattr(pcie, f) for f in PCIE_FREE}},
        "tensor-g1": {f: getattr(pixel, f) for f in (*PIXEL_SHARED, *PIXEL_FREE)},
    }
    for name, hw, subset in (("coral-usb", usb, usb_rows + cached), ("coral-pcie", pcie, pcie_rows),
                             ("tensor-g1", pixel, phone)):
        for row, sim in zip(subset, predict(subset, hw), strict=True):
            print(f"{name:<11} {row.model:<24} measured {row.measured_ms:>8.2f}  simulated {sim:>8.2f}")
    return fitted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true", help="print the fit without writing the presets")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    fitted = calibrate()
    for preset, values in fitted.items():
        print(preset, {k: round(v, 6) for k, v in values.items()})
        if not args.dry_run:
            write_fields(preset, values)
    return 0


if __name__ == "__main__":
    sys.exit(main())
