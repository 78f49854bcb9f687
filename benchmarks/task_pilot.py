"""Pilot for the reference task: at a longer budget, on which proxy task do architectures differ by clearly more
than the seed noise? (The proxy-configuration study found that on the 56x56 canvas task 1000 training steps shrink
the spread between architectures below the seed noise.)

Six architectures of the study's sample A, two seeds, each task variant trained for ``STEPS`` steps; per variant the
between-architecture std of the 2-seed mean, the RMS seed std and their ratio. Resumable (the study's cache; the raw
rows are kept in ``benchmarks/data/task_pilot.csv`` and loaded back into the cache on start)::

    nice -n 10 .venv/bin/python benchmarks/task_pilot.py --workers 2 [--write]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

from nasgym.quality import CachedEvaluator, EvaluationCache, make_evaluator
from nasgym.quality.supernet_evaluator import default_cache_dir

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proxy_study import REFERENCE_V1, architectures, spread  # noqa: E402
from results_md import write_section  # noqa: E402
from resumable import CACHE_COLUMNS, cache_columns, load_rows, write_rows  # noqa: E402

HERE = Path(__file__).resolve().parent
ROWS_CSV = HERE / "data" / "task_pilot.csv"
N_ARCHS, SEEDS, STEPS = 6, (0, 1), 300
SECTION = "Reference-task pilot"
SEGMENTATION_DATA = {"source": "fashion_mnist", "grid": 2, "train_size": 10000, "val_size": 1000, "test_size": 500}
VARIANTS = [
    ("canvas 56, scale 1-2", {"kind": "train", "canvas": 56, "canvas_scale": [1.0, 2.0]}),
    ("canvas 56, scale 0.5-1.5", {"kind": "train", "canvas": 56, "canvas_scale": [0.5, 1.5]}),
    ("canvas 84, scale 1-3", {"kind": "train", "canvas": 84, "canvas_scale": [1.0, 3.0]}),
    ("28x28 (no canvas)", {"kind": "train"}),
    ("segmentation mosaics (mIoU)", {"kind": "task", "task": "segmentation", "batch_size": 32, "lr": 0.01,
                                     "data": SEGMENTATION_DATA}),
]


# Does capacity matter after a longer training? The same architectures at three widths, 1000 steps, one seed.
CAPACITY_ARCHS, CAPACITY_STEPS, WIDTHS = 4, 1000, (0.5, 1.0, 2.0)
CANVAS_56 = VARIANTS[0][1]


def capacity_spec(width: float) -> dict:
    """The canvas task at ``CAPACITY_STEPS`` steps with every width scaled by ``width``."""
    return {**CANVAS_56, "steps": CAPACITY_STEPS, "repeats": 1, "width_multiplier": width}


# Does a longer training separate architectures better? The reference task at 3x the reference's budget, 8
# architectures (their reference at 1000 steps is complete), two seeds.
LONG_ARCHS, LONG_STEPS = 8, 3000


def long_spec() -> dict:
    """The canvas task at ``LONG_STEPS`` steps, one training per evaluation."""
    return {**CANVAS_56, "steps": LONG_STEPS, "repeats": 1}


def spec(base: dict) -> dict:
    """The variant at the pilot's budget, one training per evaluation."""
    return {**base, "steps": STEPS, "repeats": 1}


def units() -> list[tuple[dict, int, int]]:
    """(evaluator spec, seed, arch index) in order: every variant's seed 0 first, then the long runs, then the
    capacity runs."""
    out = [(spec(VARIANTS[v][1]), s, i) for s in SEEDS for v in range(len(VARIANTS)) for i in range(N_ARCHS)]
    out += [(long_spec(), s, i) for s in SEEDS for i in range(LONG_ARCHS)]
    return out + [(capacity_spec(w), 0, i) for i in range(CAPACITY_ARCHS) for w in WIDTHS]


def run_worker(db: Path, worker: int, workers: int) -> None:
    """Evaluate this worker's share of the units (round robin)."""
    torch.set_num_threads(1)
    cache, archs = EvaluationCache(db), architectures("A")
    for n, (evaluator_spec, seed, i) in enumerate(units()):
        if n % workers != worker:
            continue
        metrics, hit = CachedEvaluator(make_evaluator(evaluator_spec), cache).evaluate(archs[i], seed)
        if not hit:
            print(f"{evaluator_spec} A{i} seed {seed}: {metrics['accuracy']:.4f} cpu {metrics['cpu_seconds']:.0f}s",
                  flush=True)


def save_rows(db: Path) -> int:
    """Write every cached pilot evaluation to ROWS_CSV (loaded back into the cache on start)."""
    cache, archs, rows = EvaluationCache(db), architectures("A"), []
    for evaluator_spec, seed, i in units():
        fp = make_evaluator(evaluator_spec).fingerprint
        m = cache.get(archs[i].hash, fp, seed)
        if m is not None:
            rows.append({"spec": json.dumps(evaluator_spec), "arch_index": i, "seed": seed,
                         "accuracy": f"{m['accuracy']:.4f}", **cache_columns(archs[i], fp, seed, m)})
    return write_rows(ROWS_CSV, rows, ["spec", "arch_index", "seed", "accuracy", *CACHE_COLUMNS])


def spread_row(label: str, acc: np.ndarray, cpu: float) -> str:
    """A table row: between-architecture std of the mean, RMS seed std and their ratio of an (archs, seeds) array."""
    between, within = spread(acc)
    return (f"| {label} | {len(acc)} | {acc.mean():.4f} | {100 * between:.2f} | {100 * within:.2f} "
            f"| {between / within:.2f} | {cpu:.0f} |")


def long_table(cache: EvaluationCache, archs: list) -> str:
    """Spread vs seed noise on the canvas task at the reference's budget (its first two trainings) and at
    ``LONG_STEPS``, over the architectures that have both."""
    reference_fp, long_fp = make_evaluator(REFERENCE_V1).fingerprint, make_evaluator(long_spec()).fingerprint
    pairs = [(cache.get(a.hash, reference_fp, 0), [cache.get(a.hash, long_fp, s) for s in SEEDS]) for a in archs]
    pairs = [(ref, runs) for ref, runs in pairs if ref is not None and all(m is not None for m in runs)]
    lines = [f"Longer training: canvas 56, the first {LONG_ARCHS} architectures, two trainings each (at 1000 steps "
             "the reference's first two).", "",
             "| steps | archs | mean acc | between std (pt) | seed std (pt) | ratio | CPU s / training |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    if len(pairs) < 3:
        return "\n".join([*lines, f"| 1000 / {LONG_STEPS} | {len(pairs)} | - | - | - | - | - |"])
    short = np.array([ref["seed_accuracies"][:2] for ref, _ in pairs])
    long = np.array([[m["accuracy"] for m in runs] for _, runs in pairs])
    short_cpu = np.mean([ref["cpu_seconds"] / len(ref["seed_accuracies"]) for ref, _ in pairs])
    long_cpu = np.mean([m["cpu_seconds"] for _, runs in pairs for m in runs])
    return "\n".join([*lines, spread_row("1000", short, short_cpu), spread_row(str(LONG_STEPS), long, long_cpu)])


def report(db: Path) -> str:
    """The pilot table from what is cached."""
    cache, every = EvaluationCache(db), architectures("A")
    archs = every[:N_ARCHS]
    lines = ["| task variant | archs | mean score | between std (pt) | seed std (pt) | ratio | CPU s / eval |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, base in VARIANTS:
        fp = make_evaluator(spec(base)).fingerprint
        runs = [[cache.get(a.hash, fp, s) for s in SEEDS] for a in archs]
        full = [r for r in runs if all(m is not None for m in r)]
        if len(full) < 3:
            lines.append(f"| {name} | {len(full)} | - | - | - | - | - |")
            continue
        acc = np.array([[m["accuracy"] for m in r] for r in full])
        lines.append(spread_row(name, acc, np.mean([m["cpu_seconds"] for r in full for m in r])))
    lines += ["", long_table(cache, every[:LONG_ARCHS])]
    lines += ["", f"Capacity: the first {CAPACITY_ARCHS} architectures with every width scaled, canvas 56, "
              f"{CAPACITY_STEPS} steps, seed 0 (accuracy; params of the proxy network in thousands).", "",
              "| architecture | " + " | ".join(f"width x{w:g}" for w in WIDTHS) + " |",
              "|---|" + "---:|" * len(WIDTHS)]
    for i, arch in enumerate(archs[:CAPACITY_ARCHS]):
        cells = []
        for w in WIDTHS:
            m = cache.get(arch.hash, make_evaluator(capacity_spec(w)).fingerprint, 0)
            cells.append("-" if m is None else f"{m['accuracy']:.4f} ({m['params'] / 1000:.0f}k)")
        lines.append(f"| A{i} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    """Run workers, then print (and write) the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--report", action="store_true", help="only print the table")
    parser.add_argument("--write", action="store_true", help="also write RESULTS.md")
    parser.add_argument("--db", type=Path, default=default_cache_dir() / "proxy_study.sqlite")
    args = parser.parse_args()
    if args.worker is not None:
        run_worker(args.db, args.worker, args.workers)
        return
    print(f"loaded {load_rows(EvaluationCache(args.db), ROWS_CSV)} committed rows into {args.db}", flush=True)
    if not args.report:
        cmd = [sys.executable, __file__, "--db", str(args.db), "--workers", str(args.workers), "--worker"]
        for proc in [subprocess.Popen([*cmd, str(w)]) for w in range(args.workers)]:
            proc.wait()
    text = report(args.db)
    print(text)
    if args.write:
        print(f"saved {save_rows(args.db)} rows to {ROWS_CSV}")
        write_section(SECTION, f"`benchmarks/task_pilot.py` ({time.strftime('%Y-%m-%d')}): "
                      f"{N_ARCHS} architectures of the study's sample A, seeds {SEEDS}, {STEPS} training steps "
                      f"each.\n\n{text}")


if __name__ == "__main__":
    main()
