"""nasgym-Bench surrogate (issue 15, part 2): which model predicts the measured accuracy best, vs the noise ceiling.

On the rows of ``benchmarks/data/surrogate/FINGERPRINT.csv.gz`` (``benchmarks/surrogate_data.py``), architectures
with >= 2 seeds, a seeded random 20 % held out. For each model (``nasgym.surrogate.models``: bagged
HistGradientBoosting, GradientBoosting, random forest, MLPs) fitted on the other 80 %: Kendall tau and Spearman rho
of the prediction against the held-out measured mean, tau within the measured top decile, and the mean ensemble
spread (when the evaluator has a size calibration, each model also learning only the residual of its exact size
term, ``residual`` of the surrogate evaluator); next to the data's own ceiling, tau between seed 0 and seed 1 of
the same held-out architectures (the goal: surrogate tau >= seed-vs-seed tau, i.e. better than one more training
run). Then the learning curve of the best model (tau vs number of training architectures), the best model against
the real target of every proxy, the reference training of the quality study's architectures (its 12-training rows in
``benchmarks/data/proxy_study.csv``; the model fitted without them), and the surrogate evaluator's time per
architecture of every model (scikit-learn's predict vs the compiled ensemble)::

    .venv/bin/python benchmarks/surrogate_fit.py [--data FILE] [--write]     # --write: RESULTS.md section
    .venv/bin/python benchmarks/surrogate_fit.py --timing --spec JSON --data FILE  # timing only (synthetic data ok)
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _bootstrap  # noqa: F401  (repository root on sys.path, one BLAS thread)
import numpy as np
from results_md import write_section
from surrogate_data import STUDY_CSV

import nasgym
from nasgym.quality import make_evaluator
from nasgym.quality.calibration import SizeCalibration
from nasgym.surrogate.dataset import Table, data_path, load_table
from nasgym.surrogate.evaluator import size_calibration_of
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


def score(table: Table, train: np.ndarray, test: np.ndarray, model: str,
          calibration: SizeCalibration | None = None) -> dict:
    """Held-out figures of ``model`` fitted on ``train`` (on the residual of ``calibration``'s size term if given)."""
    start = time.process_time()
    surrogate = fit_table(table, train, model, calibration=calibration)
    fit_seconds = time.process_time() - start
    predicted, spread = surrogate.predict([table.archs[i] for i in test])
    measured = table.mean[test]
    error = np.abs(predicted - measured)
    return {"model": model, "residual": calibration is not None, "tau": kendall(predicted, measured),
            "spearman": spearman(predicted, measured), "top10_tau": top_kendall(predicted, measured),
            "spread": float(np.mean(spread)), "error": float(np.mean(error)),
            "spread_rho": spearman(np.asarray(spread), error),
            "within_2_spread": float(np.mean(error <= 2 * np.asarray(spread))), "fit_cpu_s": fit_seconds}


def compare(table: Table, models: list[str], calibration: SizeCalibration | None = None) -> tuple[list[dict], dict]:
    """(per-model held-out figures, the data's ceiling) on the seeded 80/20 split; with a ``calibration`` each
    model also on the residual of its size term."""
    train, test = holdout(len(table.archs))
    options = [None] if calibration is None else [None, calibration]
    rows = [score(table, train, test, model, option) for model in models for option in options]
    acc = table.accuracy[test]
    ceiling = {"seed_tau": seed_kendall(acc), "seed_top10_tau": top_kendall(acc[:, 0], acc[:, 1]),
               "n_train": len(train), "n_test": len(test)}
    return rows, ceiling


def learning_curve(table: Table, model: str, calibration: SizeCalibration | None = None) -> list[tuple[int, float]]:
    """(training architectures, held-out tau) for growing prefixes of the training split."""
    train, test = holdout(len(table.archs))
    sizes = [n for n in CURVE if n < len(train)] + [len(train)]
    return [(n, score(table, train[:n], test, model, calibration)["tau"]) for n in sizes]


def reference_accuracy(path: Path = STUDY_CSV) -> dict[str, float]:
    """Architecture hash -> mean accuracy of the current ``reference`` evaluator's rows in the quality study."""
    fingerprint = make_evaluator("reference").fingerprint
    per: dict[str, list[float]] = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["config"] == "reference" and row["fingerprint"] == fingerprint:
                per.setdefault(row["arch_hash"], []).append(float(row["accuracy"]))
    return {h: float(np.mean(values)) for h, values in per.items()}


def against_reference(table: Table, model: str, reference: dict[str, float],
                      calibration: SizeCalibration | None = None) -> dict | None:
    """Kendall tau against the reference accuracy of the architectures it has: of ``model`` fitted on all the
    others, of the data's 2-seed mean, of one seed and of the parameter count (10 classes); ``None`` under 10
    such architectures."""
    held = np.array([i for i, arch in enumerate(table.archs) if arch.hash in reference])
    if len(held) < 10:
        return None
    train = np.setdiff1d(np.arange(len(table.archs)), held)
    predicted, _ = fit_table(table, train, model, calibration=calibration).predict([table.archs[i] for i in held])
    ref = np.array([reference[table.archs[i].hash] for i in held])
    params = np.array([nasgym.count(table.archs[i], num_classes=10).params for i in held])
    return {"n": len(held), "n_train": len(train), "surrogate": kendall(predicted, ref),
            "mean": kendall(table.mean[held], ref), "one_seed": kendall(table.accuracy[held, 0], ref),
            "params": kendall(params, ref)}


def render_reference(figures: dict | None, best: dict) -> str:
    """The paragraph of :func:`against_reference`."""
    if figures is None:
        return "Against the reference training: fewer than 10 of the quality study's architectures in the data."
    return (f"Against the reference training (12 trainings each; the quality study's {figures['n']} architectures "
            f"with such rows, held out of a fit of {label(best)} on the other {figures['n_train']}), Kendall "
            f"tau: the surrogate {figures['surrogate']:.3f}; the measured 2-seed mean {figures['mean']:.3f}; one "
            f"measured training (seed 0) {figures['one_seed']:.3f}; the parameter count {figures['params']:.3f}.")


def label(row: dict) -> str:
    """A model row's name in the table."""
    return row["model"] + (" on the residual of the size calibration" if row["residual"] else "")


def _per_call(function: Callable[[Any], object], items: list, repeats: int,
              before: Callable[[], object] = lambda: None) -> tuple[float, float]:
    """(wall, CPU) microseconds per call of ``function`` over ``items``, the fastest of ``repeats`` passes (``before``
    runs ahead of each): the minimum is the figure least disturbed by other processes."""
    wall = cpu = math.inf
    for _ in range(repeats):
        before()
        start, start_cpu = time.perf_counter(), time.process_time()
        for item in items:
            function(item)
        wall = min(wall, (time.perf_counter() - start) / len(items) * 1e6)
        cpu = min(cpu, (time.process_time() - start_cpu) / len(items) * 1e6)
    return wall, cpu


def _time_model(evaluator: Any, warm: list, archs: list) -> dict:
    """The figures of :func:`timing` for one fitted evaluator."""
    s = evaluator.surrogate
    s.encoder.encode_many(warm)
    row = {"backend": s.compiled.backend.strip("_")}
    row["sklearn"] = _per_call(lambda a: s.model.predict(s.encoder.encode(a)[None, :]), archs[:len(archs) // 10], 2)[0]
    row["features"] = _per_call(s.encoder.encode, archs, 3)[0]
    row["new"], row["new_cpu"] = _per_call(lambda a: evaluator.evaluate(a, 0), archs, 3, evaluator._memo.clear)
    row["repeated"] = _per_call(lambda a: evaluator.evaluate(a, 0), archs, 3)[0]
    row["batched"] = _per_call(s.predict, [archs], 1)[0] / len(archs)
    return row


def timing(data: Path, spec: str | dict, models: list[str], n: int = 1000, residual: bool = True) -> list[dict]:
    """Microseconds per architecture of the surrogate evaluator of each model, fitted and compiled first, on one core
    (``_bootstrap``: one BLAS/OpenMP thread): ``sklearn``, features + the members' scikit-learn ``predict`` on one
    new architecture (the evaluator before the compiled ensembles); ``features``, the encoding alone; ``new``,
    ``evaluate`` on new architectures (features + compiled ensemble; ``new_cpu``: its process CPU time); ``repeated``,
    memoized; ``batched``, scikit-learn's predict of all ``n`` at once. The encoder's slot tables are filled on ``n``
    other architectures first, as in a run."""
    space, rng = nasgym.load_space("proxy"), np.random.default_rng(7)
    warm, archs = [space.sample(rng) for _ in range(n)], [space.sample(rng) for _ in range(n)]
    rows = []
    for model in models:
        evaluator = make_evaluator({"kind": "surrogate", "target": spec, "data": str(data), "model": model,
                                    "residual": residual})
        evaluator.evaluate(warm[0], 0)  # fits and compiles
        rows.append({"model": model, **_time_model(evaluator, warm, archs)})
    return rows


def render_timing(rows: list[dict]) -> str:
    """The markdown table of :func:`timing`."""
    lines = ["| model | compiled as | scikit-learn predict, new arch. | features | evaluate, new arch. (CPU) | "
             "repeated | batched predict of 1,000 |", "|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['backend']} | {r['sklearn']:.0f} | {r['features']:.1f} | {r['new']:.1f} "
                     f"({r['new_cpu']:.1f}) | {r['repeated']:.1f} | {r['batched']:.1f} |")
    return "\n".join(lines)


def render(table: Table, rows: list[dict], ceiling: dict, curve: list[tuple[int, float]], best: dict,
           micros: list[dict], data: Path, reference: dict | None = None) -> str:
    """The markdown section."""
    lines = [f"`benchmarks/surrogate_fit.py` ({time.strftime('%Y-%m-%d')}) on `{data.name}`: "
             f"{len(table.archs)} architectures with >= 2 seeds, {ceiling['n_train']} fitted, {ceiling['n_test']} "
             f"held out (seeded 20 %). Seed noise (RMS within-architecture std): {100 * table.seed_std():.2f} pt.",
             "Uncertainty: the ensemble's spread (std of its 5 members) against the absolute error of its mean.",
             "", "| predictor | Kendall tau | Spearman | tau in top decile | mean abs. error (pt) | mean spread (pt) | "
             "Spearman(spread, error) | error <= 2 spread | fit CPU s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
             f"| one more training run (seed 0 vs seed 1) | {ceiling['seed_tau']:.3f} | - | "
             f"{ceiling['seed_top10_tau']:.3f} | - | - | - | - | - |"]
    for r in rows:
        lines.append(f"| {label(r)} (ensemble of 5) | {r['tau']:.3f} | {r['spearman']:.3f} | {r['top10_tau']:.3f} "
                     f"| {100 * r['error']:.2f} | {100 * r['spread']:.2f} | {r['spread_rho']:.2f} | "
                     f"{100 * r['within_2_spread']:.0f} % | {r['fit_cpu_s']:.1f} |")
    lines += ["", f"Learning curve of {label(best)} (held-out tau): "
              + ", ".join(f"{n}: {tau:.3f}" for n, tau in curve) + ".",
              "", render_reference(reference, best),
              "", "Surrogate evaluator, microseconds per architecture on one core (goal: <= 50 us per new "
              "architecture; members compiled by `nasgym/surrogate/compiled.py`, equal to scikit-learn's predictions "
              "up to float rounding):", "", render_timing(micros)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Compare the models and report; returns the exit status."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--spec", default="default", help="the evaluator whose rows are fitted (name or JSON object)")
    p.add_argument("--data", type=Path, default=None, help="data file (default: that of the spec's fingerprint)")
    p.add_argument("--models", default=",".join(MODELS), help="comma-separated models to compare")
    p.add_argument("--write", action="store_true", help="write the RESULTS.md section")
    p.add_argument("--timing", action="store_true", help="only time the evaluator of each of --models (any data)")
    args = p.parse_args(argv)
    try:
        spec = json.loads(args.spec) if args.spec.lstrip().startswith("{") else args.spec
        target = make_evaluator(spec)
        fingerprint = target.fingerprint
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
    if args.timing:
        print(render_timing(timing(data, spec, models)))
        return 0
    calibration = size_calibration_of(target)
    rows, ceiling = compare(table, models, calibration)
    best = max(rows, key=lambda r: r["tau"])
    best_calibration = calibration if best["residual"] else None
    curve = learning_curve(table, best["model"], best_calibration)
    reference = against_reference(table, best["model"], reference_accuracy(), best_calibration)
    micros = timing(data, spec, models, residual=best["residual"])
    text = render(table, rows, ceiling, curve, best, micros, data, reference)
    print(text)
    if args.write:
        write_section(SECTION, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
