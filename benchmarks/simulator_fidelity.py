"""Simulator fidelity on the Coral calibration rows: simulated vs measured, next to the MAC baseline.

    .venv/bin/python benchmarks/simulator_fidelity.py [--no-loo] [--no-write]

For each Coral preset, every row of nasgym/hw/data/coral_latency.csv: the measured latency, the simulator's
(with the committed presets), and the baseline ``latency = a + b * MACs`` fitted on the same rows (least squares on
relative error, its best MAPE). In-sample numbers flatter both models, so the script also reports leave-one-out
(LOO) error: each row is predicted by a simulator refitted (benchmarks/calibrate.py procedure) and a baseline
refitted without it. LOO fits are cached in benchmarks/.cache/ (the run resumes after an interruption).
The same for ``tensor-g1`` on the Pixel 6 rows (nasgym/hw/data/pixel6_latency.csv, MobileNetEdgeTPUV2 Tiny..L).
Writes the "Simulator fidelity" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import _bootstrap  # noqa: F401  (repository root on sys.path, one BLAS thread; before numpy)
import torch
from results_md import write_section

from nasgym.hw.calibration import (
    fit_baseline,
    fit_pcie,
    fit_pixel,
    fit_usb,
    mape,
    microbench_rows,
    pixel_rows,
    predict,
    rank_agreement,
    table_rows,
)
from nasgym.hw.config import load_hardware
from nasgym.hw.simulator import SIMULATOR_VERSION, simulate
from nasgym.hw.zoo import zoo_layers
from nasgym.hw.zoo_unseen import UNSEEN, unseen_layers

CACHE = Path(__file__).parent / ".cache" / "fidelity_loo.json"
MECHANISMS = (
    "What the Coral model assumes for networks outside the calibration set (SIMULATOR_VERSION 4). Documented: the "
    "compiler caches \"a specific amount of the model's parameter data\" in the ~8 MB on-chip memory left after the "
    "inference executable and reports \"off-chip memory used for streaming uncached parameters\" beside it, so the "
    "layers fill the cache in execution order and only the rest streams (`param_streaming: excess`; the refits above "
    "prefer it to re-sending everything); TFLite keeps a batch norm that cannot fold into a conv (DenseNet's "
    "pre-activation BN-ReLU after each concat: 62 of them) as a MUL and an ADD by per-channel constants, two "
    "elementwise device ops each (torch.fx import); a concat is a copy through the activation memories; 1x7/7x1 "
    "kernels are packed im2col-style (7 taps x cin per lane tile, no padding to 7x7). Assumed: a layer's streamed "
    "weights arrive before it runs (not overlapped with its compute: a full cache leaves no room to load them while "
    "the previous layer runs; during development overlapping them within the layer gave LOO 10.1 / 14.7 % on "
    "coral-usb / coral-pcie, and overlapping all streaming with the whole network's compute 23 / 28 %, against "
    "8.7 / 13.3 % here); 4 KiB of executable per device op; 6 MiB of activation memory. Predictions for the two "
    "networks on coral-usb / coral-pcie: with the model the issue measured (SIMULATOR_VERSION 1-2) DenseNet-121 "
    "6.9 / 7.7 ms and Inception v3 50.6 / 58.0 ms; SIMULATOR_VERSION 3 (all parameters streamed once the executable "
    "share makes DenseNet miss the cache) 19.1 / 21.7 and 50.1 / 57.4 ms; now the table above. Relative to the "
    "model the issue measured, both move the way issue 10 reports (DenseNet was under-, the factorized multi-branch "
    "network over-predicted), but not by its factors "
    "(about 3x and 2x): DenseNet streams only 0.8 MiB here, and nothing documented makes it move the ~7 MB more per "
    "inference that a 3x would take; halving Inception v3 would take twice the streaming bandwidth that ResNet-50 V1 "
    "(24 MiB of parameters) and VGG16 pin. If those factors are these networks' measured latencies, expect them "
    "still to be missed by ~50 % (DenseNet, under) and ~75 % (Inception v3, over): the 20 % goal is not verified."
)


def _save(cache: dict) -> None:
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=CACHE.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        json.dump(cache, handle, indent=1)
    os.replace(tmp, CACHE)


def loo_predictions(rows: dict, cached: list, uploads: list, **overrides: object) -> dict[str, list[float]]:
    """Leave-one-out simulator predictions per preset (cached by the base presets' content), with the presets'
    fields ``overrides`` changed before fitting."""
    usb_base, pcie_base = load_hardware("coral-usb", **overrides), load_hardware("coral-pcie", **overrides)
    tag = f"sim{SIMULATOR_VERSION}:{usb_base.content_hash}:{pcie_base.content_hash}"
    cache = json.loads(CACHE.read_text()) if CACHE.exists() else {}
    cache = cache if cache.get("tag") == tag else {"tag": tag}
    usb_full = fit_usb(rows["coral-usb"], cached, uploads, usb_base)
    out: dict[str, list[float]] = {}
    for preset, preset_rows in rows.items():
        out[preset] = []
        for i, row in enumerate(preset_rows):
            key = f"{preset}:{row.model}"
            if key not in cache:
                rest = [r for j, r in enumerate(preset_rows) if j != i]
                if preset == "coral-usb":
                    hw = fit_usb(rest, cached, uploads, usb_base)
                else:
                    hw = fit_pcie(rest, usb_full, pcie_base)
                cache[key] = float(predict([row], hw)[0])
                _save(cache)
                print(f"  LOO {key}: {cache[key]:.2f} ms (measured {row.measured_ms})", flush=True)
            out[preset].append(cache[key])
    return out


def overhead_profile(rows: list, cached: list, uploads: list) -> list[tuple[float, float]]:
    """In-sample coral-usb MAPE of the fit with the per-op fixed cost pinned at several values (cached)."""
    base = load_hardware("coral-usb")
    cache = json.loads(CACHE.read_text()) if CACHE.exists() else {}
    out = []
    for cycles in (0.0, 1500.0, 3000.0, 6000.0, 12000.0):
        key = f"profile:{SIMULATOR_VERSION}:{base.content_hash}:{cycles}"
        if key not in cache:
            hw = fit_usb(rows, cached, uploads, base.replace(layer_overhead_cycles=cycles))
            cache[key] = mape(predict(rows, hw), [r.measured_ms for r in rows])
            _save(cache)
        out.append((cycles, cache[key]))
    return out


def pixel_section(cached: list, uploads: list, coral_usb_rows: list) -> tuple[list[str], str]:
    """Markdown lines of the Pixel 6 table (in sample and LOO, simulator and baseline) and a one-line summary."""
    rows = pixel_rows()
    usb = fit_usb(coral_usb_rows, cached, uploads, load_hardware("coral-usb"))
    base = load_hardware("tensor-g1")
    measured = [r.measured_ms for r in rows]
    macs = [r.macs for r in rows]
    sim = predict(rows, base).tolist()
    loo = [float(predict([row], fit_pixel(rows[:i] + rows[i + 1:], usb, base))[0]) for i, row in enumerate(rows)]
    a, b = fit_baseline(macs, measured)
    lin = [a + b * m for m in macs]
    loo_lin = []
    for i in range(len(rows)):
        ai, bi = fit_baseline(macs[:i] + macs[i + 1:], measured[:i] + measured[i + 1:])
        loo_lin.append(ai + bi * macs[i])

    def ape(p: float, m: float) -> str:
        return f"{abs(p / m - 1) * 100:.1f}"

    lines = [
        f"Pixel 6 (`tensor-g1`): measured `nasgym/hw/data/pixel6_latency.csv` (TF Model Garden, end to end, int8). "
        f"Fitted on these 5 rows: `compute_efficiency` = {base.compute_efficiency:.3f} and `layer_overhead_cycles` "
        f"= {base.layer_overhead_cycles:,.0f} (per-op fixed cost, {base.layer_overhead_cycles / base.clock_mhz:.2f} us;"
        f" each group of a GC-IBN group conv is one op); `depthwise_efficiency` = {base.depthwise_efficiency:.3f} "
        "from the coral-usb fit. Assumed (not fitted): invoke overhead "
        f"{base.invoke_overhead_ms} ms, parameter cache {base.param_cache_mib} MiB, LPDDR {base.offchip_gbps} GB/s, "
        "clock and array shape (IISWC 2022 V2 template). Baseline: `a + b*MACs` "
        f"(a = {a:.3f} ms, b = {b * 1e9:.3f} ms/GMAC) on the same 5 rows. LOO: both refitted without the row.",
        "",
        "| model | MACs (M) | measured ms | simulated ms | APE % | baseline ms | APE % | LOO sim ms | APE % | "
        "LOO baseline ms | APE % |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, row in enumerate(rows):
        lines.append(f"| {row.model} | {macs[i] / 1e6:,.0f} | {measured[i]:g} | {sim[i]:.3f} | "
                     f"{ape(sim[i], measured[i])} | {lin[i]:.3f} | {ape(lin[i], measured[i])} | {loo[i]:.3f} | "
                     f"{ape(loo[i], measured[i])} | {loo_lin[i]:.3f} | {ape(loo_lin[i], measured[i])} |")
    summary = (f"| tensor-g1 | {mape(sim, measured):.1f} | {mape(lin, measured):.1f} | {mape(loo, measured):.1f} | "
               f"{mape(loo_lin, measured):.1f} | {rank_agreement(sim, measured):.2f} | "
               f"{rank_agreement(lin, measured):.2f} |")
    print(f"tensor-g1: simulator MAPE {mape(sim, measured):.2f}%  baseline {mape(lin, measured):.2f}%  "
          f"LOO simulator {mape(loo, measured):.2f}%  LOO baseline {mape(loo_lin, measured):.2f}%")
    return lines, summary


def ablation_section(rows: dict, cached: list, uploads: list, loo: dict) -> list[str]:
    """Markdown lines: in-sample and LOO MAPE of the committed model next to the same fit with every parameter
    streamed once the network does not fit (``param_streaming: all``, the Coral model of SIMULATOR_VERSION 3)."""
    alt = loo_predictions(rows, cached, uploads, param_streaming="all")
    usb = fit_usb(rows["coral-usb"], cached, uploads, load_hardware("coral-usb", param_streaming="all"))
    fitted = {"coral-usb": usb,
              "coral-pcie": fit_pcie(rows["coral-pcie"], usb, load_hardware("coral-pcie", param_streaming="all"))}
    lines = ["| preset | streaming | MAPE % sim | LOO MAPE % sim | fitted offchip GB/s |", "|---|---|---:|---:|---:|"]
    for preset, preset_rows in rows.items():
        measured = [r.measured_ms for r in preset_rows]
        hw = load_hardware(preset)
        lines.append(f"| {preset} | excess (committed) | {mape(predict(preset_rows, hw), measured):.1f} | "
                     f"{mape(loo[preset], measured):.1f} | {hw.offchip_gbps:.3f} |")
        lines.append(f"| {preset} | all | {mape(predict(preset_rows, fitted[preset]), measured):.1f} | "
                     f"{mape(alt[preset], measured):.1f} | {fitted[preset].offchip_gbps:.3f} |")
    return lines


def unseen_section(rows: dict) -> list[str]:
    """Markdown lines: predictions for networks outside the calibration set, with the committed presets and with
    every parameter streamed (no measured latency of these networks is in the repository or used anywhere)."""
    lines = [
        "Networks outside the calibration set (`nasgym/hw/zoo_unseen.py`, plain torch, torch.fx import), predicted "
        "with the committed presets; last column: the same presets with `param_streaming=all`. No latency of these "
        "networks is fitted or stored here.",
        "",
        "| preset | network | GMACs | param MiB | device ops | cache left MiB | streamed MiB | predicted ms | "
        "all streamed ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for preset in ("coral-usb", "coral-pcie"):
        hw = load_hardware(preset)
        for name in UNSEEN:
            layers = unseen_layers(name)
            report, every = simulate(layers, hw), simulate(layers, hw, param_streaming="all")
            ops = sum(r.ops for r in report.layers)
            lines.append(f"| {preset} | {name} | {report.macs / 1e9:.2f} | {report.param_bytes / 2**20:.2f} | {ops} | "
                         f"{hw.cache_bytes(ops) / 2**20:.2f} | {report.streamed_bytes / 2**20:.2f} | "
                         f"{report.latency_ms:.1f} | {every.latency_ms:.1f} |")
    changed = [f"{preset} {row.model}" for preset, preset_rows in rows.items() for row, a, b in zip(
        preset_rows, predict(preset_rows, load_hardware(preset)),
        predict(preset_rows, load_hardware(preset, executable_kib_per_op=0)), strict=True) if abs(a - b) > 1e-9]
    lines += ["", "Calibration rows whose prediction depends on the executable's share: "
              + (", ".join(changed) if changed else "none") + " (only through the ops x 4 KiB more they stream, a "
              "few percent of their streamed bytes, so the Coral fit does not pin `executable_kib_per_op`; 4 KiB per "
              "op is an assumption: 8 MiB minus 30-80 ops x 4 KiB is the ~7.7-7.9 MiB the compiler reports usable "
              "for typical models)."]
    lines += ["", MECHANISMS]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-loo", action="store_true", help="skip the leave-one-out refits")
    parser.add_argument("--no-write", action="store_true", help="do not update benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    all_rows = table_rows(zoo_layers)
    cached, uploads = microbench_rows()
    rows = {p: [r for r in all_rows if r.hardware == p] for p in ("coral-usb", "coral-pcie")}
    loo = None if args.no_loo else loo_predictions(rows, cached, uploads)
    lines = [
        "Measured: `nasgym/hw/data/coral_latency.csv` (the only Coral latencies fitted). Simulator: committed presets "
        "(fitted by `benchmarks/calibrate.py`). Baseline: `a + b*MACs` fitted per preset on the same 7 rows "
        "(relative least squares). LOO: each row predicted by models refitted without it.",
        "",
        "| preset | model | MACs (M) | measured ms | simulated ms | APE % | baseline ms | APE % |"
        + (" LOO sim ms | APE % | LOO baseline ms | APE % |" if loo else ""),
        "|---|---|---:|---:|---:|---:|---:|---:|" + ("---:|---:|---:|---:|" if loo else ""),
    ]
    summary = []
    for preset, preset_rows in rows.items():
        measured = [r.measured_ms for r in preset_rows]
        macs = [r.macs for r in preset_rows]
        sim = predict(preset_rows, load_hardware(preset)).tolist()
        a, b = fit_baseline(macs, measured)
        base = [a + b * m for m in macs]
        loo_base = []
        for i in range(len(preset_rows)):
            ai, bi = fit_baseline(macs[:i] + macs[i + 1:], measured[:i] + measured[i + 1:])
            loo_base.append(ai + bi * macs[i])
        for i, row in enumerate(preset_rows):
            cells = [preset, row.model, f"{macs[i] / 1e6:,.0f}", f"{measured[i]:g}", f"{sim[i]:.2f}",
                     f"{abs(sim[i] / measured[i] - 1) * 100:.1f}", f"{base[i]:.2f}",
                     f"{abs(base[i] / measured[i] - 1) * 100:.1f}"]
            if loo:
                cells += [f"{loo[preset][i]:.2f}", f"{abs(loo[preset][i] / measured[i] - 1) * 100:.1f}",
                          f"{loo_base[i]:.2f}", f"{abs(loo_base[i] / measured[i] - 1) * 100:.1f}"]
            lines.append("| " + " | ".join(cells) + " |")
        entry = (f"| {preset} | {mape(sim, measured):.1f} | {mape(base, measured):.1f} | "
                 f"{mape(loo[preset], measured):.1f} | " if loo else f"| {preset} | {mape(sim, measured):.1f} | "
                 f"{mape(base, measured):.1f} | - | ")
        entry += (f"{mape(loo_base, measured):.1f} | {rank_agreement(sim, measured):.2f} | "
                  f"{rank_agreement(base, measured):.2f} |")
        summary.append(entry)
        print(f"{preset}: simulator MAPE {mape(sim, measured):.1f}%  baseline MAPE {mape(base, measured):.1f}%"
              + (f"  LOO simulator {mape(loo[preset], measured):.1f}%  LOO baseline {mape(loo_base, measured):.1f}%"
                 if loo else ""))
    pixel_lines, pixel_summary = pixel_section(cached, uploads, rows["coral-usb"])
    summary.append(pixel_summary)
    lines += ["", *pixel_lines]
    lines += ["", "| preset | MAPE % sim | MAPE % baseline | LOO MAPE % sim | LOO MAPE % baseline | Kendall tau sim | "
              "Kendall tau baseline |", "|---|---:|---:|---:|---:|---:|---:|", *summary]
    if loo:
        profile = overhead_profile(rows["coral-usb"], cached, uploads)
        lines += ["", "Per-op fixed cost (`layer_overhead_cycles`, not fitted on the Coral presets): coral-usb "
                  "in-sample MAPE when the other free parameters are refitted with it pinned: "
                  + ", ".join(f"{c:,.0f} cycles -> {m:.1f} %" for c, m in profile)
                  + ". The Coral rows (none has a group conv) barely constrain it; the Coral presets use 3,000 "
                  "cycles, `tensor-g1` the value fitted on the Pixel 6 rows."]
    if loo:
        lines += ["", "Parameter streaming, coral presets refitted each way (same free parameters, same rows):", "",
                  *ablation_section(rows, cached, uploads, loo)]
    lines += ["", *unseen_section(rows)]
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        write_section("Simulator fidelity", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
