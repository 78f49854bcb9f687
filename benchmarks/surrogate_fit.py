"""nasgym-Bench surrogate (issue 15, part 2): which model predicts the measured accuracy best, vs the noise ceiling.

On the rows of ``benchmarks/data/surrogate/FINGERPRINT.csv.gz`` (``benchmarks/surrogate_data.py``), architectures
with >= 2 seeds, a seeded random 20 % held out. For each model (``nasgym.surrogate.models``: bagged
HistGradientBoosting, GradientBoosting, random forest, MLPs) fitted on the other 80 %: Kendall tau and Spearman rho
of the prediction against the held-out measured mean, tau within the measured top decile, and the mean ensemble
spread; next to the data's own ceiling, tau between seed 0 and seed 1 of the same held-out architectures (the goal:
surrogate tau >= seed-vs-seed tau, i.e. better than one more training run). Then the learning curve of the best
model (tau vs number of training architectures) and the surrogate evaluator's time per architecture::

    .venv/bin/python benchmarks/surrogate_fit.py [--data FILE] [--write]     # --write: RESULTS.md section
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import _bootstrap  # noqa: F401  (repository root on sys.path, one BLAS thread)
import numpy as np
from results_md import write_section

import nasgym
from nasgym.quality import make_evaluator
from nasgym.surrogate.dataset import Table, data_path, load_table
from nasgym.surrogate.fit import fit_table, holdout
from nasgym.surrogate.metrics import kendall, seed_kendall, spearman, top_kendall
from nasgym.surrogate.models import MODELS

SECTION = "nasgym-Bench surrogate"
CURVE = (50, 100, 200, 400, 800)


def complete(table: Table) -> Table:
    """``table`` restricted to the architectures with >= 2 seeds."""
    keep = np.flatnonzero(table.complete(2))
    return Table(tuple(table.archs[i] for i in keep), table.seeds, table.accuracy[keep],
                 tuple(table.sources[i] for i in keep), tuple(table.rows[i] for i in keep))


def score(table: Table, train: np.ndarray, test: np.ndarray, model: str) -> dict:
    """Held-out figures of ``model`` fitted on ``train``."""
    start = time.process_time()
    surrogate = fit_table(table, train, model)
    fit_seconds = time.process_time() - start
    predicted, spread = surrogate.predict([table.archs[i] for i in test])
    measured = table.mean[test]
    return {"model": model, "tau": kendall(predicted, measured), "spearman": spearman(predicted, measured),
            "top10_tau": top_kendall(predicted, measured), "spread": float(np.mean(spread)),
            "fit_cpu_s": fit_seconds}


def compare(table: Table, models: list[str]) -> tuple[list[dict], dict]:
    """(per-model held-out figures, the data's ceiling) on the seeded 80/20 split."""
    train, test = holdout(len(table.archs))
    rows = [score(table, train, test, model) for model in models]
    acc = table.accuracy[test]
    ceiling = {"seed_tau": seed_kendall(acc), "seed_top10_tau": top_kendall(acc[:, 0], acc[:, 1]),
               "n_train": len(train), "n_test": len(test)}
    return rows, ceiling


def learning_curve(table: Table, model: str) -> list[tuple[int, float]]:
    """(training architectures, held-out tau) for growing prefixes of the training split."""
    train, test = holdout(len(table.archs))
    sizes = [n for n in CURVE if n < len(train)] + [len(train)]
    return [(n, score(table, train[:n], test, model)["tau"]) for n in sizes]


def timing(data: Path, spec: str | dict, model: str, n: int = 1000) -> dict[str, float]:
    """Microseconds per architecture of the surrogate evaluator (fitted first): ``evaluate`` on new architectures,
    on repeated ones (memoized), and the fitted surrogate's batched ``predict`` of all ``n`` at once."""
    evaluator = make_evaluator({"kind": "surrogate", "target": spec, "data": str(data), "model": model})
    space, rng = nasgym.load_space("proxy"), np.random.default_rng(7)
    archs = [space.sample(rng) for _ in range(n)]
    evaluator.evaluate(archs[0], 0)  # fits
    out = {}
    for name in ("new", "repeated"):
        start = time.perf_counter()
        for arch in archs:
            evaluator.evaluate(arch, 0)
        out[name] = (time.perf_counter() - start) / n * 1e6
    start = time.perf_counter()
    evaluator.surrogate.predict(archs)
    out["batched"] = (time.perf_counter() - start) / n * 1e6
    return out


def render(table: Table, rows: list[dict], ceiling: dict, curve: list[tuple[int, float]], best: str,
           micros: dict[str, float], data: Path) -> str:
    """The markdown section."""
    lines = [f"`benchmarks/surrogate_fit.py` ({time.strftime('%Y-%m-%d')}) on `{data.name}`: "
             f"{len(table.archs)} architectures with >= 2 seeds, {ceiling['n_train']} fitted, {ceiling['n_test']} "
             f"held out (seeded 20 %). Seed noise (RMS within-architecture std): {100 * table.seed_std():.2f} pt.",
             "", "| predictor | Kendall tau | Spearman | tau in top decile | mean spread (pt) | fit CPU s |",
             "|---|---:|---:|---:|---:|---:|",
             f"| one more training run (seed 0 vs seed 1) | {ceiling['seed_tau']:.3f} | - | "
             f"{ceiling['seed_top10_tau']:.3f} | - | - |"]
    for r in rows:
        lines.append(f"| {r['model']} (ensemble of 5) | {r['tau']:.3f} | {r['spearman']:.3f} | {r['top10_tau']:.3f} "
                     f"| {100 * r['spread']:.2f} | {r['fit_cpu_s']:.1f} |")
    lines += ["", f"Learning curve of `{best}` (held-out tau): "
              + ", ".join(f"{n}: {tau:.3f}" for n, tau in curve) + ".",
              "", f"Surrogate evaluator (`{best}`, one core): {micros['new']:.0f} us per new architecture (features + "
              f"5 members, one call each), {micros['repeated']:.1f} us per repeated one (memoized), "
              f"{micros['batched']:.0f} us per architecture in one batched predict of 1,000 (goal: <= 50 us)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Compare the models and report; returns the exit status."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--spec", default="default", help="the evaluator whose rows are fitted (name or JSON object)")
    p.add_argument("--data", type=Path, default=None, help="data file (default: that of the spec's fingerprint)")
    p.add_argument("--models", default=",".join(MODELS), help="comma-separated models to compare")
    p.add_argument("--write", action="store_true", help="write the RESULTS.md section")
    args = p.parse_args(argv)
    try:
        spec = json.loads(args.spec) if args.spec.lstrip().startswith("{") else args.spec
        fingerprint = make_evaluator(spec).fingerprint
        data = args.data or data_path(fingerprint)
        if not data.is_file():
            raise ValueError(f"surrogate data {str(data)!r} does not exist: produce it with "
                             "benchmarks/surrogate_data.py")
        models = args.models.split(",")
        for model in models:
            MODELS.get(model)
        table = complete(load_table(data, fingerprint))
        if len(table.archs) < 10:
            raise ValueError(f"surrogate data {str(data)!r} has {len(table.archs)} architectures with >= 2 seeds: "
                             "expected at least 10")
    except (ValueError, json.JSONDecodeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    rows, ceiling = compare(table, models)
    best = max(rows, key=lambda r: r["tau"])["model"]
    text = render(table, rows, ceiling, learning_curve(table, best), best, timing(data, spec, best), data)
    print(text)
    if args.write:
        write_section(SECTION, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
