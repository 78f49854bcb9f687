"""Simulator speed: architectures per second over random ``edgetpu-v2`` samples, on one core.

    .venv/bin/python benchmarks/simulator_speed.py [--archs 2000] [--repeats 3] [--no-write]

Pinned to one CPU with numpy/torch threads 1. Rows: the floor (``nasgym.count``, a plain MAC count over the same
architectures), the public function ``nasgym.hw.simulate(arch, hardware=...)`` (the report's totals; and with its
per-layer rows read, which lowers the architecture to named layers), the cost model without memoization (one
``evaluate`` per architecture), with per-block memoization (after one warm-up pass over the same architectures; the
cold pass is shown too). Best of ``--repeats`` runs, per
CPU second of this process and per wall second. Writes the "Simulator speed" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import _bootstrap  # noqa: F401  (repository root on sys.path, one BLAS thread; before numpy)
import numpy as np
import torch
from results_md import write_section

import nasgym
from nasgym.hw import EdgeTPUCostModel, simulate


def rate(fn, archs, repeats: int) -> tuple[float, float]:
    """Best architectures per CPU second and per wall second of ``fn(archs)`` over ``repeats`` runs.

    CPU time (``time.process_time``) is what the process itself spent on its core; on a shared machine the wall
    clock also counts the time other processes held the CPU.
    """
    cpu = wall = float("inf")
    for _ in range(repeats):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        fn(archs)
        cpu = min(cpu, time.process_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start_wall)
    return len(archs) / cpu, len(archs) / wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archs", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    torch.set_num_threads(1)
    space = nasgym.load_space("edgetpu-v2")
    rng = np.random.default_rng(0)
    archs = [space.sample(rng) for _ in range(args.archs)]
    results = [("floor: nasgym.count (MAC count)", rate(lambda a: [nasgym.count(x) for x in a], archs,
                                                        args.repeats), "-")]
    for hardware in ("tensor-g1", "coral-usb"):
        results.append((f"public `simulate(arch, hardware)` ({hardware})",
                        rate(lambda a, h=hardware: [simulate(x, hardware=h).latency_ms for x in a], archs,
                             args.repeats), "5,000"))
        results.append((f"public `simulate`, per-layer rows read ({hardware})",
                        rate(lambda a, h=hardware: [len(simulate(x, hardware=h).layers) for x in a], archs,
                             args.repeats), "-"))
        plain = EdgeTPUCostModel(hardware, memoize=False)
        results.append((f"cost model, no memo ({hardware})", rate(lambda a, m=plain: [m.evaluate(x) for x in a],
                                                                  archs, args.repeats), "5,000"))
        memo = EdgeTPUCostModel(hardware)
        cold = rate(lambda a, m=memo: [m.evaluate(x) for x in a], archs, 1)
        warm = rate(lambda a, m=memo: [m.evaluate(x) for x in a], archs, args.repeats)
        results.append((f"cost model, block memo, cold ({hardware})", cold, "-"))
        results.append((f"cost model, block memo, warm ({hardware})", warm, "20,000"))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        f"{args.archs} random `edgetpu-v2` architectures (seed 0), 224x224x3, 1000 classes; one core "
        f"(affinity 1 CPU, torch/numpy threads 1); best of {args.repeats}. Python {platform.python_version()}, "
        f"{platform.machine()}; 1-minute load average at the end {load:.1f} on {os.cpu_count()} CPUs (the machine "
        "is shared: CPU-second rates are the process's own time, wall-second rates include waiting for the CPU).",
        "",
        "| what | archs per CPU second | archs per wall second | time vs MAC-count floor | goal (archs/s) |",
        "|---|---:|---:|---:|---:|",
        *[f"| {name} | {cpu:,.0f} | {wall:,.0f} | {results[0][1][0] / cpu:.2f}x | {goal} |"
          for name, (cpu, wall), goal in results],
    ]
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        write_section("Simulator speed", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
