"""Fidelity of the quality evaluators against a long-training reference on Fashion-MNIST (a benchmark, not a test).

20 seeded random architectures of the ``proxy`` space. Reference: the ``train`` evaluator with 8x the default
budget per seed (800 x 64 = 51k images, about one epoch of the 50k training split, instead of 100 x 64) averaged
over 2 seeds, scored on all 10k validation images (sized so the benchmark finishes in about 2 hours on 2 shared
cores). Every evaluator is compared with Kendall tau and Spearman rho (scipy), next to the naive
baselines (#params and MACs of the proxy network). Evaluators are run at seeds 0 and 1: the table gives the seed
noise (pooled standard deviation of one evaluation between the two seeds) and the seed-0 vs seed-1 tau.

Work is split into tasks claimed through the SQLite cache, so ``--workers`` processes share it and an interrupted
run resumes where it stopped::

    MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000 MALLOC_TOP_PAD_=1000000000 \\
        nice -n 10 .venv/bin/python benchmarks/proxy_fidelity.py --workers 2
    .venv/bin/python benchmarks/proxy_fidelity.py --report   # table from what is cached so far

The table goes into ``benchmarks/RESULTS.md`` (section "Proxy fidelity") and the raw rows into
``benchmarks/proxy_fidelity.csv``.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
from scipy import stats

import nasgym
from nasgym.quality import CachedEvaluator, EvaluationCache, make_evaluator, proxy_architecture
from nasgym.quality.supernet_evaluator import default_cache_dir

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_md import write_section  # noqa: E402
from resumable import claim  # noqa: E402

HERE = Path(__file__).resolve().parent
N_ARCHS, ARCH_SEED = 20, 2026
# The reference uses seed 1000 so its inits and batches are independent of the evaluators' seeds 0 and 1.
REFERENCE = ("reference (train 800x64, 2 seeds)", {"kind": "train", "steps": 800, "optimizer": "sgd", "lr": 0.1},
             (1000,))
EVALUATORS = [
    ("train default (AdamW 3e-3, 100x64, 2 seeds)", {"kind": "train"}, (0, 1)),
    ("zero_cost naswot", {"kind": "zero_cost", "proxy": "naswot"}, (0, 1)),
    ("zero_cost synflow", {"kind": "zero_cost", "proxy": "synflow"}, (0, 1)),
    ("zero_cost combined", {"kind": "zero_cost", "proxy": "combined"}, (0, 1)),
    ("supernet (1000 warm-up steps)", {"kind": "supernet"}, (0, 1)),
]
# Alternatives of the default train config at about the same cost (seed 0 only), to choose the default.
CANDIDATES = [
    ("train, SGD lr 0.1 (100x64, 2 seeds; the first default)", {"kind": "train", "optimizer": "sgd", "lr": 0.1},
     (0, 1)),
    ("train, SGD lr 0.2 (100x64, 2 seeds)", {"kind": "train", "optimizer": "sgd", "lr": 0.2}, (0,)),
    ("train, SGD lr 0.1, 4 seeds x 50x64", {"kind": "train", "optimizer": "sgd", "lr": 0.1, "steps": 50, "repeats": 4},
     (0,)),
]
SECTION = "Proxy fidelity"


def architectures() -> list[nasgym.Architecture]:
    """The benchmark's seeded random architectures of the proxy space."""
    space = nasgym.load_space("proxy")
    rng = np.random.default_rng(ARCH_SEED)
    return [space.sample(rng) for _ in range(N_ARCHS)]


def tasks() -> list[tuple[str, int, int]]:
    """(evaluator name, seed, arch index) work units in priority order; the supernet is one unit (warm-up + all
    its evaluations, arch index -1)."""
    units = [(name, seed, i) for name, _, seeds in EVALUATORS[1:4] for seed in seeds for i in range(N_ARCHS)]
    units += [(EVALUATORS[0][0], 0, i) for i in range(N_ARCHS)]
    units += [(REFERENCE[0], REFERENCE[2][0], i) for i in range(N_ARCHS)]
    units += [("supernet", 0, -1)]
    units += [(EVALUATORS[0][0], 1, i) for i in range(N_ARCHS)]
    units += [(name, 0, i) for name, _, _ in CANDIDATES for i in range(N_ARCHS)]
    return units


def run_worker(db: Path, only: str | None = None, supernet_threads: int = 1) -> None:
    """Claim and run work units (those whose name starts with ``only``, if given) until none is left."""
    torch.set_num_threads(1)
    cache, archs = EvaluationCache(db), architectures()
    specs = {name: (spec, seeds) for name, spec, seeds in [REFERENCE, *EVALUATORS, *CANDIDATES]}
    # Threads do not enter the supernet's fingerprint (its results do not depend on them).
    specs[EVALUATORS[4][0]] = ({**EVALUATORS[4][1], "threads": supernet_threads}, EVALUATORS[4][2])
    for name, seed, index in tasks():
        if (only and not name.startswith(only)) or not claim(db, f"{name}|{seed}|{index}"):
            continue
        if name == "supernet":
            name = EVALUATORS[4][0]
            jobs = [(a, s) for s in specs[name][1] for a in archs]
        else:
            jobs = [(archs[index], seed)]
        evaluator = CachedEvaluator(make_evaluator(specs[name][0]), cache)
        for arch, s in jobs:
            metrics, hit = evaluator.evaluate(arch, s)
            if not hit:
                print(f"[{os.getpid()}] {name} seed {s} {arch.hash}: acc {metrics['accuracy']:.4f} "
                      f"{metrics['eval_seconds']:.1f}s {metrics.get('failed', '')}", flush=True)


def _pooled_noise(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((a - b) ** 2 / 2)))


def report(db: Path) -> str:
    """The markdown table from whatever is cached."""
    cache, archs = EvaluationCache(db), architectures()

    def values(spec: dict, seed: int, key: str = "accuracy") -> np.ndarray | None:
        fp = make_evaluator(spec).fingerprint
        rows = [cache.get(a.hash, fp, seed) for a in archs]
        return None if any(r is None for r in rows) else np.array([float(r.get(key, np.nan)) for r in rows])

    ref_seed = REFERENCE[2][0]
    ref = values(REFERENCE[1], ref_seed)
    if ref is None:
        return "reference not complete yet"
    ref_std = values(REFERENCE[1], ref_seed, "accuracy_std")
    ref_sec = values(REFERENCE[1], ref_seed, "eval_seconds")
    ref_cpu = values(REFERENCE[1], ref_seed, "cpu_seconds")
    fp = make_evaluator(REFERENCE[1]).fingerprint
    halves = np.array([cache.get(a.hash, fp, ref_seed)["seed_accuracies"] for a in archs])
    split_tau = stats.kendalltau(halves[:, 0], halves[:, 1])[0]
    lines = [
        f"{N_ARCHS} random `proxy`-space architectures (seed {ARCH_SEED}) on Fashion-MNIST (50k train / 10k val), "
        f"CPU, torch threads 1, 2 cores shared with other jobs (nice 10), so seconds are upper bounds. "
        f"Reference: `{REFERENCE[1]}` = 2 seeds x {REFERENCE[1]['steps'] * 64 / 1000:.1f}k images, "
        f"mean accuracy {ref.mean():.4f}, "
        f"range {ref.min():.4f}-{ref.max():.4f}, seed noise of one run {np.sqrt(np.mean(ref_std ** 2)):.4f} "
        f"(of the 2-seed mean {np.sqrt(np.mean(ref_std ** 2) / 2):.4f}), {ref_sec.mean():.1f} s wall / "
        f"{np.nanmean(ref_cpu):.1f} s CPU per architecture. Its own consistency: Kendall tau between its two "
        f"seeds = {split_tau:.3f}; accuracy spread across architectures (std) {ref.std():.4f}, so the reference's "
        f"ranking is itself noisy and bounds the tau any evaluator can reach against it.",
        "",
        "| evaluator | Kendall tau | Spearman rho | wall s / arch | CPU s / arch | CPU vs reference | seed noise (std) "
        "| tau seed0 vs seed1 | mean acc |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    proxies = [proxy_architecture(a) for a in archs]
    for label, key in (("#params (proxy net)", "params"), ("MACs (proxy net)", "macs")):
        x = np.array([getattr(nasgym.count(p, num_classes=10), key) for p in proxies], dtype=float)
        lines.append(f"| {label} | {stats.kendalltau(x, ref)[0]:.3f} | {stats.spearmanr(x, ref)[0]:.3f} "
                     f"| 0 | 0 | 0 | - | - | - |")
    for name, spec, seeds in EVALUATORS + CANDIDATES:
        runs = [values(spec, s) for s in seeds]
        secs = [values(spec, s, "eval_seconds") for s in seeds]
        cpus = [values(spec, s, "cpu_seconds") for s in seeds]
        if runs[0] is None:
            fp = make_evaluator(spec).fingerprint
            done = sum(cache.get(a.hash, fp, seeds[0]) is not None for a in archs)
            lines.append(f"| {name} | incomplete ({done}/{N_ARCHS} run; CPU budget) | | | | | | | |")
            continue
        tau, rho = stats.kendalltau(runs[0], ref)[0], stats.spearmanr(runs[0], ref)[0]
        both = len(runs) > 1 and runs[1] is not None
        if both:
            unit = " (mapped score)" if spec["kind"] == "zero_cost" else ""
            noise = f"{_pooled_noise(runs[0], runs[1]):.4f}{unit}"
        elif spec["kind"] == "train":
            noise = f"{np.sqrt(np.mean(values(spec, seeds[0], 'accuracy_std') ** 2) / 2):.4f} (from repeats)"
        else:
            noise = "-"
        self_tau = f"{stats.kendalltau(runs[0], runs[1])[0]:.3f}" if both else "-"
        mean_acc = f"{runs[0].mean():.4f}" if spec["kind"] != "zero_cost" else "(score)"
        cpu = np.nanmean(cpus[0])
        lines.append(f"| {name} | {tau:.3f} | {rho:.3f} | {secs[0].mean():.2f} | {cpu:.2f} "
                     f"| 1/{np.nanmean(ref_cpu) / cpu:.0f} | {noise} | {self_tau} | {mean_acc} |")
        if both:
            avg = (runs[0] + runs[1]) / 2
            cpu2 = cpu + np.nanmean(cpus[1])
            lines.append(f"| {name}, mean of seeds 0+1 | {stats.kendalltau(avg, ref)[0]:.3f} "
                         f"| {stats.spearmanr(avg, ref)[0]:.3f} | {secs[0].mean() + secs[1].mean():.2f} "
                         f"| {cpu2:.2f} | 1/{np.nanmean(ref_cpu) / cpu2:.0f} | - | - | - |")
    supernet = make_evaluator(EVALUATORS[4][1])
    if supernet.checkpoint_path.is_file():
        warm = torch.load(supernet.checkpoint_path, weights_only=True).get("warmup_times", {})
        if warm:
            lines.append(f"\nSupernet warm-up (once, checkpointed): {warm['eval_seconds']:.0f} s wall / "
                         f"{warm['cpu_seconds']:.0f} s CPU.")
    return "\n".join(lines)


def write_results(table: str, db: Path) -> None:
    """Replace (or append) this benchmark's section of RESULTS.md; export the raw rows to CSV."""
    write_section(SECTION, f"`benchmarks/proxy_fidelity.py` ({time.strftime('%Y-%m-%d')}).\n\n"
                  f"{table}")
    EvaluationCache(db).export_csv(HERE / "proxy_fidelity.csv")


def main() -> None:
    """Run workers (default) or only print/write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--only", help="with --worker: only units whose evaluator name starts with this")
    parser.add_argument("--supernet-threads", type=int, default=1, help="torch threads of the supernet evaluator")
    parser.add_argument("--report", action="store_true", help="only print the table from the cache")
    parser.add_argument("--write", action="store_true", help="with --report: also write RESULTS.md and the CSV")
    parser.add_argument("--db", type=Path, default=default_cache_dir() / "proxy_fidelity.sqlite")
    args = parser.parse_args()
    if args.worker:
        run_worker(args.db, args.only, args.supernet_threads)
        return
    if not args.report:
        EvaluationCache(args.db)
        with sqlite3.connect(args.db) as conn:
            conn.execute("DROP TABLE IF EXISTS claims")
        cmd = [sys.executable, __file__, "--worker", "--db", str(args.db)]
        procs = [subprocess.Popen(cmd) for _ in range(args.workers)]
        for proc in procs:
            proc.wait()
    table = report(args.db)
    print(table)
    if args.write or not args.report:
        write_results(table, args.db)


if __name__ == "__main__":
    main()
