"""Proxy-configuration study: which short training ranks `proxy`-space architectures like a long one, per CPU-second.

After Accel-NASBench (Ahmad et al. 2024): the proxy's configuration (task and resolution, steps, batch, validation
images, width) is chosen by its measured rank fidelity against a sharp long-training reference, under a CPU budget.

Two samples of 30 random `proxy` architectures, drawn with seeds used for nothing else: sample ``A`` chooses the
configuration, sample ``B`` (fresh) reports it. Every configuration runs one evaluation (``repeats: 1``) per seed
0, 1, 2, so per configuration the table gives:

- SNR: std over architectures of the per-architecture mean / root-mean-square within-architecture seed std;
- split-half tau: mean over the 3 splits of Kendall tau(one seed, mean of the other two);
- tau vs reference: Kendall tau of one evaluation (seed 0; and the 3-seed mean) against the reference's 3-seed mean
  (the reference is one evaluation with ``repeats: 3``, whose three trainings are its seeds);
- CPU seconds per evaluation (process time, torch threads 1).

Work units are claimed through SQLite, so ``--workers`` processes share the work; the evaluation cache makes every
finished unit permanent, and the raw rows are kept in ``benchmarks/data/proxy_study.csv`` (loaded back into the
cache on start, so a fresh machine resumes from the committed rows)::

    nice -n 10 .venv/bin/python benchmarks/proxy_study.py --workers 2        # run (resumable)
    .venv/bin/python benchmarks/proxy_study.py --report [--write]             # table from what is done
"""

from __future__ import annotations

import argparse
import json
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
from nasgym.quality import NAMED_SPECS, CachedEvaluator, EvaluationCache, make_evaluator
from nasgym.quality.supernet_evaluator import default_cache_dir

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_md import write_section  # noqa: E402
from resumable import CACHE_COLUMNS, cache_columns, claim, load_rows, write_rows  # noqa: E402

HERE = Path(__file__).resolve().parent
ROWS_CSV = HERE / "data" / "proxy_study.csv"
SAMPLES = {"A": 120101, "B": 120102}  # sample name -> seed of its architectures (used for nothing else)
N_ARCHS = 30
SEEDS = (0, 1, 2)
CANVAS = {"canvas": 56, "canvas_scale": [1.0, 2.0]}
REFERENCE = ("reference", NAMED_SPECS["reference"])  # evaluated at seed 0: its 3 trainings are the seeds
CANDIDATES = [
    ("c28 s100", {"kind": "train", "steps": 100, "repeats": 1}),
    ("c56 s100", {"kind": "train", **CANVAS, "steps": 100, "repeats": 1}),
    ("c56 s100 v5k", {"kind": "train", **CANVAS, "steps": 100, "repeats": 1, "val_images": 5000}),
    ("c56 s50 v5k", {"kind": "train", **CANVAS, "steps": 50, "repeats": 1, "val_images": 5000}),
    ("c56 s150 v5k", {"kind": "train", **CANVAS, "steps": 150, "repeats": 1, "val_images": 5000}),
    ("c56 s100 b32 v5k", {"kind": "train", **CANVAS, "steps": 100, "batch_size": 32, "repeats": 1,
                          "val_images": 5000}),
    ("c28 s800", {"kind": "train", "steps": 800, "repeats": 1}),
    ("c56 s50x2 v5k", {"kind": "train", **CANVAS, "steps": 50, "repeats": 2, "val_images": 5000}),
    ("c56 s100 v5k lr1e-2", {"kind": "train", **CANVAS, "steps": 100, "repeats": 1, "val_images": 5000,
                             "lr": 0.01}),
    ("c56 s100 v5k w1.5", {"kind": "train", **CANVAS, "steps": 100, "repeats": 1, "val_images": 5000,
                           "width_multiplier": 1.5}),
    ("c84 s100 v5k", {"kind": "train", "canvas": 84, "canvas_scale": [1.0, 3.0], "steps": 100, "repeats": 1,
                      "val_images": 5000}),
    ("segmentation mosaics s150", {"kind": "task", "task": "segmentation", "steps": 150, "batch_size": 32,
                                   "lr": 0.01, "data": {"source": "fashion_mnist", "grid": 2, "train_size": 4000,
                                                        "val_size": 500, "test_size": 500}}),
]
CONFIGS = dict([REFERENCE, *CANDIDATES])
SECTION = "Proxy-configuration study"


def architectures(sample: str) -> list[nasgym.Architecture]:
    """The 30 distinct random architectures of one sample."""
    space, rng = nasgym.load_space("proxy"), np.random.default_rng(SAMPLES[sample])
    archs: dict[str, nasgym.Architecture] = {}
    while len(archs) < N_ARCHS:
        arch = space.sample(rng)
        archs.setdefault(arch.hash, arch)
    return list(archs.values())


def units() -> list[tuple[str, str, int, int]]:
    """(config, sample, seed, arch index) in priority order: per sample the reference interleaved with the main
    candidates (so that early reports already say something), sample A before B; then the other candidates on A,
    seed 0 of all of them first."""
    main = ["c28 s100", "c56 s100 v5k", "c56 s100"]
    other = [name for name, _ in CANDIDATES if name not in main]
    out = []
    for sample, names in (("A", main), ("B", main[:2])):
        for i in range(N_ARCHS):
            out += [("reference", sample, 0, i)] + [(name, sample, s, i) for name in names for s in SEEDS]
    out += [(name, "A", s, i) for s in SEEDS for name in other for i in range(N_ARCHS)]
    return out


def run_worker(db: Path, extra: list[tuple[str, str]]) -> None:
    """Claim and run work units until none is left."""
    torch.set_num_threads(1)
    cache = EvaluationCache(db)
    archs = {name: architectures(name) for name in SAMPLES}
    configs = {**CONFIGS, **{name: json.loads(spec) for name, spec in extra}}
    all_units = units() + [(name, "A", s, i) for name, _ in extra for s in SEEDS for i in range(N_ARCHS)]
    for config, sample, seed, index in all_units:
        evaluator = CachedEvaluator(make_evaluator(configs[config]), cache)
        arch = archs[sample][index]
        if cache.get(arch.hash, evaluator.fingerprint, seed) is not None:
            continue
        if not claim(db, f"{evaluator.fingerprint}|{arch.hash}|{seed}"):
            continue
        metrics, _ = evaluator.evaluate(arch, seed)
        print(f"[{os.getpid()}] {config} {sample}{index} seed {seed}: acc {metrics['accuracy']:.4f} "
              f"cpu {metrics.get('cpu_seconds', float('nan')):.1f}s {metrics.get('failed', '')}", flush=True)


def save_rows(db: Path) -> int:
    """Write every study row to ROWS_CSV: one row per (config, sample, architecture, seed) with its accuracy and CPU
    seconds; the reference gives one row per repeat (``seed`` = repeat index), all
    carrying the one cached evaluation (``cache_seed``, ``metrics``)."""
    cache = EvaluationCache(db)
    out = []
    for sample in SAMPLES:
        for index, arch in enumerate(architectures(sample)):
            for config, spec in CONFIGS.items():
                fp, repeats = make_evaluator(spec).fingerprint, spec["repeats"] if spec == REFERENCE[1] else 1
                for seed in SEEDS:
                    cache_seed = 0 if repeats > 1 else seed
                    m = cache.get(arch.hash, fp, cache_seed)
                    if m is None:
                        continue
                    acc = m["seed_accuracies"][seed] if repeats > 1 else m["accuracy"]
                    out.append({"config": config, "sample": sample, "arch_index": index, "seed": seed,
                                "accuracy": f"{acc:.4f}", "cpu_seconds": f"{m['cpu_seconds'] / repeats:.2f}",
                                "params": m.get("params", ""), **cache_columns(arch, fp, cache_seed, m)})
    columns = ["config", "sample", "arch_index", "seed", "accuracy", "cpu_seconds", "params", *CACHE_COLUMNS]
    return write_rows(ROWS_CSV, out, columns)


def seed_matrix(cache: EvaluationCache, spec: dict, archs: list, key: str = "accuracy") -> np.ndarray:
    """(architectures, seeds) array of ``key`` (NaN where not evaluated yet). The reference is evaluated once, at
    seed 0: its columns are its repeats (``seed_accuracies``; CPU seconds split evenly)."""
    fp = make_evaluator(spec).fingerprint
    repeats = spec["repeats"] if spec == REFERENCE[1] else 1
    out = np.full((len(archs), len(SEEDS)), np.nan)
    for i, arch in enumerate(archs):
        for j, seed in enumerate(SEEDS):
            m = cache.get(arch.hash, fp, 0 if repeats > 1 else seed)
            if m is None:
                continue
            if repeats == 1:
                out[i, j] = float(m.get(key, np.nan))
            elif key == "accuracy":
                out[i, j] = float(m["seed_accuracies"][j])
            else:
                out[i, j] = float(m.get(key, np.nan)) / repeats
    return out


def tau(x: np.ndarray, y: np.ndarray) -> float:
    """Kendall tau over the entries where both are known."""
    ok = np.isfinite(x) & np.isfinite(y)
    return float(stats.kendalltau(x[ok], y[ok])[0]) if ok.sum() >= 5 else float("nan")


def consistency(acc: np.ndarray) -> tuple[float, float, float, float]:
    """(between-architecture std of the mean, RMS within-architecture seed std, SNR, split-half tau) over the
    architectures evaluated at every seed."""
    full = acc[np.isfinite(acc).all(axis=1)]
    if len(full) < 5:
        return (float("nan"),) * 4
    between, within = float(full.mean(axis=1).std(ddof=1)), float(np.sqrt(np.mean(full.var(axis=1, ddof=1))))
    splits = [tau(full[:, j], np.delete(full, j, axis=1).mean(axis=1)) for j in range(full.shape[1])]
    return between, within, between / within, float(np.mean(splits))


def fmt(value: float, digits: int = 3) -> str:
    """A number, or '-' when unknown."""
    return "-" if not np.isfinite(value) else f"{value:.{digits}f}"


def report(db: Path, extra: list[tuple[str, str]]) -> str:
    """The markdown tables (one per sample) from whatever is cached."""
    cache = EvaluationCache(db)
    configs = {**CONFIGS, **{name: json.loads(spec) for name, spec in extra}}
    lines = []
    for sample in SAMPLES:
        archs = architectures(sample)
        ref = seed_matrix(cache, REFERENCE[1], archs)
        ref_mean = np.where(np.isfinite(ref).all(axis=1), ref.mean(axis=1), np.nan)
        ref_cpu = np.nanmean(seed_matrix(cache, REFERENCE[1], archs, "cpu_seconds"))
        params = seed_matrix(cache, configs["c28 s100"], archs, "params")[:, 0]
        macs = np.array([nasgym.count(a, num_classes=10).macs for a in archs], dtype=float)
        done = int(np.isfinite(ref_mean).sum())
        lines += [f"### Sample {sample} ({N_ARCHS} architectures, seed {SAMPLES[sample]}; reference complete for "
                  f"{done})", "",
                  "| config | n | mean acc | between std (pt) | seed std (pt) | SNR | split-half tau "
                  "| tau vs ref (1 eval) | tau vs ref (3-seed mean) | CPU s / eval | CPU vs ref (3 seeds) |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for label, x in (("#params (proxy net, 28x28)", params), ("MACs (deployment)", macs)):
            lines.append(f"| {label} | {np.isfinite(x).sum()} | - | - | - | - | - | {fmt(tau(x, ref_mean))} "
                         f"| - | 0 | - |")
        for name, spec in configs.items():
            acc = seed_matrix(cache, spec, archs)
            n = int(np.isfinite(acc[:, 0]).sum())
            if n == 0:
                continue
            between, within, snr, split = consistency(acc)
            mean3 = np.where(np.isfinite(acc).all(axis=1), acc.mean(axis=1), np.nan)
            cpu = float(np.nanmean(seed_matrix(cache, spec, archs, "cpu_seconds")))
            ratio = f"1/{len(SEEDS) * ref_cpu / cpu:.0f}" if np.isfinite(ref_cpu) and name != "reference" else "-"
            lines.append(f"| {name} | {n} | {np.nanmean(acc):.4f} | {fmt(100 * between, 2)} | {fmt(100 * within, 2)} "
                         f"| {fmt(snr, 2)} | {fmt(split)} | {fmt(tau(acc[:, 0], ref_mean))} "
                         f"| {fmt(tau(mean3, ref_mean))} | {cpu:.1f} | {ratio} |")
        lines.append("")
    specs = "\n".join(f"- `{name}`: `{json.dumps(spec)}`" for name, spec in configs.items())
    return "\n".join(lines) + "\nConfigurations:\n\n" + specs


def main() -> None:
    """Run workers (default) or only print/write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--extra", nargs=2, action="append", default=[], metavar=("NAME", "SPEC_JSON"),
                        help="another candidate configuration (run on sample A after the listed ones)")
    parser.add_argument("--report", action="store_true", help="only print the tables from the cache")
    parser.add_argument("--write", action="store_true", help="also write RESULTS.md and the raw rows")
    parser.add_argument("--db", type=Path, default=default_cache_dir() / "proxy_study.sqlite")
    args = parser.parse_args()
    extra = [tuple(pair) for pair in args.extra]
    if args.worker:
        run_worker(args.db, extra)
        return
    print(f"loaded {load_rows(EvaluationCache(args.db), ROWS_CSV)} committed rows into {args.db}", flush=True)
    if not args.report:
        with sqlite3.connect(args.db) as conn:
            conn.execute("DROP TABLE IF EXISTS claims")
        cmd = [sys.executable, __file__, "--worker", "--db", str(args.db)]
        for name, spec in extra:
            cmd += ["--extra", name, spec]
        procs = [subprocess.Popen(cmd) for _ in range(args.workers)]
        for proc in procs:
            proc.wait()
    text = report(args.db, extra)
    print(text)
    if args.write or not args.report:
        print(f"saved {save_rows(args.db)} rows to {ROWS_CSV}")
        write_section(SECTION, f"`benchmarks/proxy_study.py` ({time.strftime('%Y-%m-%d')}).\n\n{text}")


if __name__ == "__main__":
    main()
