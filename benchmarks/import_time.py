"""Import time of ``nasgym`` for the space and the simulator alone (no torch), best of N fresh interpreters.

    .venv/bin/python benchmarks/import_time.py [--runs 7] [--write]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from results_md import write_section

ROOT = Path(__file__).resolve().parents[1]
CODE = ("import time; t = time.perf_counter(); import nasgym, nasgym.hw; s = time.perf_counter() - t; "
        "import sys; print(s, 'torch' in sys.modules)")
CASES = [
    ("`import nasgym, nasgym.hw`", CODE),
    ("`import torch` (for scale)", "import time; t = time.perf_counter(); import torch; "
     "print(time.perf_counter() - t, True)"),
]


def best_of(code: str, runs: int) -> tuple[float, bool]:
    """(fastest wall seconds, whether torch was imported) over ``runs`` fresh interpreters."""
    times, torch_loaded = [], False
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout.split()
        times.append(float(out[0]))
        torch_loaded = out[1] == "True"
    return min(times), torch_loaded


def main() -> None:
    """Measure, print and (with --write) record the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    lines = [f"Best of {args.runs} fresh interpreters (files in the page cache), load average "
             f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.", "",
             "| what | seconds | torch imported |", "|---|---:|---|"]
    for name, code in CASES:
        seconds, torch_loaded = best_of(code, args.runs)
        lines.append(f"| {name} | {seconds:.2f} | {'yes' if torch_loaded else 'no'} |")
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("Import time", text)


if __name__ == "__main__":
    main()
