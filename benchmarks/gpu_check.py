"""GPU check of the train evaluator: seconds per architecture on a CUDA GPU vs one CPU core, and whether the GPU
ranks architectures like the CPU (Kendall tau of the accuracies). Needs a machine with CUDA; elsewhere it says so
and exits 0 (nothing in nasgym requires a GPU).

    .venv/bin/python benchmarks/gpu_check.py [--archs 10] [--steps 60] [--dataset fashion_mnist] [--out gpu.md]

Every architecture (sampled from the proxy space with a fixed seed) is evaluated with the same spec and seed on
``device: cuda`` and on ``device: cpu`` with ``threads: 1``; the first GPU evaluation (CUDA start-up, the data
copied to the GPU) is reported apart from the steady-state mean.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import _bootstrap  # noqa: F401  (repository root on sys.path, one BLAS thread; before numpy)
import numpy as np
import torch
from scipy.stats import kendalltau

import nasgym
from nasgym.quality import load_dataset, make_evaluator


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--archs", type=int, default=10)
    p.add_argument("--steps", type=int, default=60, help="training steps per evaluation (the proxy env's budget)")
    p.add_argument("--dataset", default="fashion_mnist", help="fashion_mnist (falls back to digits if missing)")
    p.add_argument("--out", help="also write the Markdown table to this file")
    args = p.parse_args()
    if not torch.cuda.is_available():
        print("gpu_check: CUDA is not available on this machine; nothing to measure")
        return 0
    dataset = args.dataset
    try:
        load_dataset(dataset)
    except (OSError, ValueError) as err:
        print(f"gpu_check: {dataset} unavailable ({err}); using digits", file=sys.stderr)
        dataset = "digits"
    spec = {"kind": "train", "dataset": dataset, "steps": args.steps, "repeats": 1, "threads": 1}
    space = nasgym.load_space("proxy")
    rng = np.random.default_rng(0)
    archs = [space.sample(rng) for _ in range(args.archs)]
    results: dict[str, list[tuple[float, float]]] = {}
    for device in ("cuda", "cpu"):
        evaluator = make_evaluator({**spec, "device": device})
        rows = []
        for arch in archs:
            start = time.perf_counter()
            metrics = evaluator.evaluate(arch, 0)
            if device == "cuda":
                torch.cuda.synchronize()
            rows.append((time.perf_counter() - start, float(metrics["accuracy"])))
            print(f"{device}: {arch.hash} accuracy {rows[-1][1]:.4f} in {rows[-1][0]:.2f} s", flush=True)
        results[device] = rows
    gpu, cpu = results["cuda"], results["cpu"]
    tau = kendalltau([a for _, a in gpu], [a for _, a in cpu])
    gpu_steady = float(np.mean([s for s, _ in gpu[1:]])) if len(gpu) > 1 else gpu[0][0]
    cpu_mean = float(np.mean([s for s, _ in cpu]))
    diffs = np.abs(np.array([a for _, a in gpu]) - np.array([a for _, a in cpu]))
    text = "\n".join([
        f"`benchmarks/gpu_check.py --archs {args.archs} --steps {args.steps}`: {torch.cuda.get_device_name(0)} vs "
        f"one core of {platform.processor() or platform.machine()}; `train` evaluator on {dataset}, "
        f"{args.steps} steps, 1 repeat, seed 0, torch {torch.__version__}.",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| seconds / architecture, GPU (steady state, first excluded) | {gpu_steady:.2f} |",
        f"| seconds, first GPU evaluation (CUDA start-up, data copy) | {gpu[0][0]:.2f} |",
        f"| seconds / architecture, one CPU core | {cpu_mean:.2f} |",
        f"| speed-up GPU vs one core | {cpu_mean / gpu_steady:.1f}x |",
        f"| Kendall tau, GPU vs CPU accuracies ({len(archs)} architectures) | {tau.statistic:.3f} |",
        f"| mean / max abs accuracy difference GPU vs CPU | {diffs.mean():.4f} / {diffs.max():.4f} |",
    ])
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
