"""Proxy-configuration study: which short training ranks `proxy`-space architectures like a long one, per CPU-second.

After Accel-NASBench (Ahmad et al. 2024): the proxy's configuration (task and resolution, steps, batch, validation
images, width) is chosen by its measured rank fidelity against a sharp long-training reference, under a CPU budget.

Two samples of 30 random `proxy` architectures, drawn with seeds used for nothing else: sample ``C`` chooses the
configuration, sample ``D`` (fresh) reports it. Samples ``A`` and ``B`` are of the `proxy` space before it gained
narrower widths (version 1, ``benchmarks/data/proxy_space_v1.yaml``), on which random members differ by about the
seed noise of the reference (the "Space pilot"): their rows are kept and reported, no more units are run for them.
Every configuration runs one evaluation (``repeats: 1``) per seed 0, 1, 2, so per configuration the table gives:

- SNR: std over architectures of the per-architecture mean / root-mean-square within-architecture seed std;
- split-half tau: mean over the 3 splits of Kendall tau(one seed, mean of the other two);
- tau vs reference: Kendall tau of one evaluation, of the mean of two (each averaged over the choices of seeds) and
  of the 3-seed mean, against the reference's mean
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
import itertools
import json
import math
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
from nasgym.quality.calibration import SizeCalibration, size_offset
from nasgym.quality.supernet_evaluator import default_cache_dir

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_md import write_section  # noqa: E402
from resumable import CACHE_COLUMNS, cache_columns, claim, load_rows, write_rows  # noqa: E402

HERE = Path(__file__).resolve().parent
ROWS_CSV = HERE / "data" / "proxy_study.csv"
PROXY_V1 = HERE / "data" / "proxy_space_v1.yaml"  # the `proxy` space of samples A and B
# sample name -> (seed of its architectures (used for nothing else), space)
SAMPLES = {"A": (120101, PROXY_V1), "B": (120102, PROXY_V1), "C": (120103, "proxy"), "D": (120104, "proxy")}
CHOOSING = {"A": "A", "B": "A", "C": "C", "D": "C"}  # the sample that chooses for each (fits the size terms)
N_ARCHS = 30
SEEDS = (0, 1, 2)
CANVAS = {"canvas": 56, "canvas_scale": [1.0, 2.0]}
REFERENCE = ("reference", NAMED_SPECS["reference"])  # evaluated at seed 0: its 12 trainings are the seeds
# Samples A/B (space v1) had the earlier reference, 3 trainings per evaluation, evaluated at seeds 0 and 1.
REFERENCE_V1 = {"kind": "train", **CANVAS, "steps": 1000, "repeats": 3}
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
    seed, space_name = SAMPLES[sample]
    space, rng = nasgym.load_space(space_name), np.random.default_rng(seed)
    archs: dict[str, nasgym.Architecture] = {}
    while len(archs) < N_ARCHS:
        arch = space.sample(rng)
        archs.setdefault(arch.hash, arch)
    return list(archs.values())


# the candidates run on both samples (with the choice on C, which must be reported on D)
MAIN = ["c28 s100", "c56 s100 v5k", "c56 s100", "c56 s100 v5k lr1e-2"]


def reference_of(sample: str) -> tuple[dict, tuple[int, ...]]:
    """(reference spec, the seeds it is evaluated at) of a sample: the named ``reference`` (12 trainings) at seed 0,
    or for samples A/B the earlier 3-training reference at seeds 0 and 1."""
    return (REFERENCE_V1, (0, 1)) if SAMPLES[sample][1] == PROXY_V1 else (NAMED_SPECS["reference"], (0,))


def spec_of(config: str, sample: str, configs: dict[str, dict] = CONFIGS) -> dict:
    """The evaluator spec of ``config`` on ``sample``."""
    return reference_of(sample)[0] if config == "reference" else configs[config]


LONG = ("c28 s800",)  # 8x the steps: ~45 CPU s per evaluation, outside the budget; shows what length buys


def units() -> list[tuple[str, str, int, int]]:
    """(config, sample, seed, arch index) in priority order: per architecture of C the main candidates at their 3
    seeds, then its reference (12 trainings: the "Space pilot" measured ~2x the seed noise between members, so a
    split-half tau of 0.8 needs about 6 trainings per half); then the other candidates on C (the choice is made
    among all of them); then D the way C began; then the long candidates on C."""
    def main_and_reference(sample: str) -> list[tuple[str, str, int, int]]:
        return [unit for i in range(N_ARCHS)
                for unit in [(name, sample, s, i) for name in MAIN for s in SEEDS] + [("reference", sample, 0, i)]]
    other = [name for name, _ in CANDIDATES if name not in MAIN and name not in LONG]
    return (main_and_reference("C") + [(name, "C", s, i) for s in SEEDS for name in other for i in range(N_ARCHS)]
            + main_and_reference("D") + [(name, "C", s, i) for s in SEEDS for name in LONG for i in range(N_ARCHS)])


def run_worker(db: Path, extra: list[tuple[str, str]]) -> None:
    """Claim and run work units until none is left."""
    torch.set_num_threads(1)
    cache = EvaluationCache(db)
    archs = {name: architectures(name) for name in SAMPLES}
    configs = {**CONFIGS, **{name: json.loads(spec) for name, spec in extra}}
    all_units = units() + [(name, "C", s, i) for name, _ in extra for s in SEEDS for i in range(N_ARCHS)]
    for config, sample, seed, index in all_units:
        evaluator = CachedEvaluator(make_evaluator(spec_of(config, sample, configs)), cache)
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
            for config in CONFIGS:
                fp = make_evaluator(spec_of(config, sample)).fingerprint
                for column, (cache_seed, repeat) in enumerate(columns_of(config, sample)):
                    m = cache.get(arch.hash, fp, cache_seed)
                    if m is None:
                        continue
                    acc = m["seed_accuracies"][repeat] if config == "reference" else m["accuracy"]
                    repeats = len(m.get("seed_accuracies", [acc]))
                    out.append({"config": config, "sample": sample, "arch_index": index, "seed": column,
                                "accuracy": f"{acc:.4f}", "cpu_seconds": f"{m['cpu_seconds'] / repeats:.2f}",
                                "params": m.get("params", ""), **cache_columns(arch, fp, cache_seed, m)})
    columns = ["config", "sample", "arch_index", "seed", "accuracy", "cpu_seconds", "params", *CACHE_COLUMNS]
    return write_rows(ROWS_CSV, out, columns)


def columns_of(config: str, sample: str) -> list[tuple[int, int]]:
    """(cache seed, repeat index) of each column of a configuration's seed matrix on ``sample``: the candidates'
    seeds, or the reference's trainings (every repeat of each seed it is evaluated at)."""
    if config == "reference":
        spec, seeds = reference_of(sample)
        return [(seed, repeat) for seed in seeds for repeat in range(spec["repeats"])]
    return [(seed, 0) for seed in SEEDS]


def seed_matrix(cache: EvaluationCache, config: str, spec: dict, archs: list, sample: str,
                key: str = "accuracy") -> np.ndarray:
    """(architectures, columns of :func:`columns_of`) array of ``key`` (NaN where not evaluated yet); for the
    reference, one column per training (``seed_accuracies``; CPU seconds split evenly)."""
    fp = make_evaluator(spec).fingerprint
    columns = columns_of(config, sample)
    out = np.full((len(archs), len(columns)), np.nan)
    for i, arch in enumerate(archs):
        for j, (cache_seed, repeat) in enumerate(columns):
            m = cache.get(arch.hash, fp, cache_seed)
            if m is None:
                continue
            if config != "reference":
                out[i, j] = float(m.get(key, np.nan))
            elif key == "accuracy":
                out[i, j] = float(m["seed_accuracies"][repeat])
            else:
                out[i, j] = float(m.get(key, np.nan)) / len(m["seed_accuracies"])
    return out


def tau(x: np.ndarray, y: np.ndarray) -> float:
    """Kendall tau over the entries where both are known."""
    ok = np.isfinite(x) & np.isfinite(y)
    return float(stats.kendalltau(x[ok], y[ok])[0]) if ok.sum() >= 5 else float("nan")


def complete(acc: np.ndarray) -> np.ndarray:
    """The longest leading block of columns that some >= 5 architectures have in full (NaN rows elsewhere)."""
    for width in range(acc.shape[1], 0, -1):
        ok = np.isfinite(acc[:, :width]).all(axis=1)
        if ok.sum() >= 5:
            return np.where(ok[:, None], acc[:, :width], np.nan)
    return acc[:, :1] * np.nan


def spread(acc: np.ndarray) -> tuple[float, float]:
    """(std over architectures of the per-architecture mean, RMS within-architecture seed std) of a complete
    (architectures, seeds) array."""
    return float(acc.mean(axis=1).std(ddof=1)), float(np.sqrt(np.mean(acc.var(axis=1, ddof=1))))


def consistency(acc: np.ndarray) -> tuple[float, float, float, float]:
    """(between-architecture std of the mean, RMS within-architecture seed std, SNR, split-half tau) over the
    architectures with every column of :func:`complete`. Split-half tau: with an even number of columns, tau
    between the means of the two halves; with an odd number, the mean over columns of tau(that column, mean of
    the others)."""
    acc = complete(acc)
    full = acc[np.isfinite(acc).all(axis=1)]
    if len(full) < 5 or full.shape[1] < 2:
        return (float("nan"),) * 4
    between, within = spread(full)
    half = full.shape[1] // 2
    if full.shape[1] % 2 == 0:
        split = tau(full[:, :half].mean(axis=1), full[:, half:].mean(axis=1))
    else:
        split = float(np.mean([tau(full[:, j], np.delete(full, j, axis=1).mean(axis=1))
                               for j in range(full.shape[1])]))
    return between, within, between / within, split


def size_features(archs: list[nasgym.Architecture]) -> dict[str, np.ndarray]:
    """``log_macs`` and ``log_params`` of the deployment networks (10 classes), the size terms of a calibration."""
    counts = [nasgym.count(a, num_classes=10) for a in archs]
    return {"log_macs": np.log([c.macs for c in counts]), "log_params": np.log([c.params for c in counts])}


def k_means(acc: np.ndarray, k: int) -> np.ndarray:
    """(architectures, every choice of k columns) array of the means of k evaluations."""
    return np.column_stack([acc[:, list(cols)].mean(axis=1)
                            for cols in itertools.combinations(range(acc.shape[1]), k)])


def fit_calibration(scores: np.ndarray, sizes: dict[str, np.ndarray], terms: tuple[str, ...],
                    reference: np.ndarray, rows: np.ndarray | None = None) -> dict[str, float] | None:
    """The calibration (:mod:`nasgym.quality.calibration`) of ``scores`` ((architectures, columns): every column one
    evaluation or k-mean) with size ``terms``: least squares of the reference mean on intercept, score and terms,
    pooled over the columns, over ``rows`` (default all) where both are known. None with < 5 architectures or a
    score weight <= 0."""
    rows = np.ones(len(scores), bool) if rows is None else rows
    data = [(1.0, scores[i, j], *(sizes[t][i] for t in terms), reference[i]) for i in np.flatnonzero(rows)
            for j in range(scores.shape[1]) if np.isfinite(scores[i, j]) and np.isfinite(reference[i])]
    if len({row[-1] for row in data}) < 5:
        return None
    design = np.array(data)
    coefficients, *_ = np.linalg.lstsq(design[:, :-1], design[:, -1], rcond=None)
    calibration = dict(zip(("intercept", "score", *terms), map(float, coefficients), strict=True))
    return calibration if calibration["score"] > 0 else None


def calibrated(calibration: dict[str, float], scores: np.ndarray, sizes: dict[str, np.ndarray]) -> np.ndarray:
    """``scores`` mapped to the predicted reference accuracy (the evaluator's formula, without the clipping)."""
    weights = SizeCalibration(**calibration)
    return size_offset(weights, sizes["log_macs"], sizes["log_params"])[:, None] + weights.score * scores


def loo_tau(scores: np.ndarray, sizes: dict[str, np.ndarray], terms: tuple[str, ...],
            reference: np.ndarray) -> float:
    """Mean over the columns of Kendall tau against the reference of leave-one-out calibrated scores: each
    architecture's score calibrated by a fit on the others (a fair comparison of calibrations with more terms)."""
    known = np.flatnonzero(np.isfinite(reference) & np.isfinite(scores).all(axis=1))
    predicted = np.full(scores.shape, np.nan)
    for i in known:
        fit = fit_calibration(scores, sizes, terms, reference, rows=np.isin(np.arange(len(scores)), known[known != i]))
        if fit is None:
            return float("nan")
        predicted[i] = calibrated(fit, scores[i:i + 1], {t: v[i:i + 1] for t, v in sizes.items()})[0]
    return float(np.mean([tau(predicted[:, j], reference) for j in range(scores.shape[1])]))


def partial_tau(acc: np.ndarray, reference: np.ndarray, size: np.ndarray) -> float:
    """Kendall's partial tau of one evaluation (averaged over the seed columns) and the reference, given ``size``:
    (t_xy - t_xz t_yz) / sqrt((1 - t_xz^2)(1 - t_yz^2)), how well the proxy ranks architectures beyond what their
    size already says (NaN where undefined)."""
    values = []
    for j in range(acc.shape[1]):
        t_xy, t_xz, t_yz = tau(acc[:, j], reference), tau(acc[:, j], size), tau(reference, size)
        denominator = math.sqrt(max((1 - t_xz ** 2) * (1 - t_yz ** 2), 0.0))
        values.append((t_xy - t_xz * t_yz) / denominator if denominator > 0 else float("nan"))
    return float(np.mean(values)) if values and np.all(np.isfinite(values)) else float("nan")


def fmt(value: float, digits: int = 3) -> str:
    """A number, or '-' when unknown."""
    return "-" if not np.isfinite(value) else f"{value:.{digits}f}"


def mean_tau(acc: np.ndarray, k: int, reference: np.ndarray) -> float:
    """Kendall tau against ``reference`` of the mean of ``k`` of the columns, averaged over every choice of ``k``
    columns (NaN if any is unknown)."""
    values = [tau(acc[:, list(cols)].mean(axis=1), reference)
              for cols in itertools.combinations(range(acc.shape[1]), k)]
    return float(np.mean(values)) if values and np.all(np.isfinite(values)) else float("nan")


def reference_mean(ref: np.ndarray, repeats: int) -> np.ndarray:
    """Per architecture, the mean over its reference trainings (NaN until its first evaluation, ``repeats``
    trainings, is complete)."""
    out = np.full(len(ref), np.nan)
    first = np.isfinite(ref[:, :repeats]).all(axis=1)
    out[first] = np.nanmean(ref[first], axis=1)
    return out


def sharpness_note(ref: np.ndarray, target: float = 0.8) -> str:
    """How many trainings per architecture the reference needs for a split-half tau of ``target``, from its measured
    between-architecture spread and seed noise (Kendall tau = 2/pi asin r for normal scores; the reliability of a
    mean of n trainings is b^2 / (b^2 + s^2 / n), b the true spread, s the seed std)."""
    full = complete(ref)
    full = full[np.isfinite(full).all(axis=1)]
    if len(full) < 5 or full.shape[1] < 2:
        return "Reference sharpness: not enough complete architectures yet."
    n = full.shape[1]
    between, within = spread(full)
    seed_var = within ** 2
    true_var = between ** 2 - seed_var / n
    if true_var <= 0:
        return (f"Reference sharpness: over {len(full)} architectures x {n} trainings the spread of the means is no "
                f"larger than the seed noise: no number of trainings is estimated.")
    r = math.sin(target * math.pi / 2)
    per_half = math.ceil(seed_var / true_var * r / (1 - r))
    return (f"Reference sharpness ({len(full)} architectures x {n} trainings): true between-architecture std "
            f"{100 * math.sqrt(true_var):.2f} pt, seed std {100 * math.sqrt(seed_var):.2f} pt; a split-half tau of "
            f"{target} needs about {per_half} trainings per half ({2 * per_half} per architecture).")


SIZE_TERMS = {"MACs": ("log_macs",), "params": ("log_params",), "MACs + params": ("log_macs", "log_params")}


def size_design(sizes: dict[str, np.ndarray]) -> np.ndarray:
    """(architectures, 3) design matrix [1, ln MACs, ln params] of the size-only prediction."""
    return np.column_stack([np.ones(len(sizes["log_macs"])), sizes["log_macs"], sizes["log_params"]])


def size_only(sizes: dict[str, dict[str, np.ndarray]], ref_means: dict[str, np.ndarray], chooser: str,
              sample: str) -> np.ndarray:
    """The reference mean predicted from ln(MACs) and ln(params) alone (no training), fitted on ``chooser``."""
    known = np.isfinite(ref_means[chooser])
    if known.sum() < 5:
        return np.full(len(ref_means[sample]), np.nan)
    weights, *_ = np.linalg.lstsq(size_design(sizes[chooser])[known], ref_means[chooser][known], rcond=None)
    return size_design(sizes[sample]) @ weights


def size_only_loo_tau(sizes: dict[str, np.ndarray], reference: np.ndarray) -> float:
    """Kendall tau against the reference of the size-only prediction, each architecture's fitted on the others."""
    design, known = size_design(sizes), np.flatnonzero(np.isfinite(reference))
    predicted = np.full(len(reference), np.nan)
    for i in known:
        rest = known[known != i]
        weights, *_ = np.linalg.lstsq(design[rest], reference[rest], rcond=None)
        predicted[i] = design[i] @ weights
    return tau(predicted, reference)


def study_data(cache: EvaluationCache, names: tuple[str, ...]) -> tuple[dict, dict, dict, dict]:
    """Per sample of ``names``: its architectures, size features, reference matrix and reference means."""
    samples = {sample: architectures(sample) for sample in names}
    sizes = {sample: size_features(archs) for sample, archs in samples.items()}
    refs = {sample: seed_matrix(cache, "reference", reference_of(sample)[0], archs, sample)
            for sample, archs in samples.items()}
    ref_means = {sample: reference_mean(ref, reference_of(sample)[0]["repeats"]) for sample, ref in refs.items()}
    return samples, sizes, refs, ref_means


def report(db: Path, extra: list[tuple[str, str]]) -> str:
    """The markdown tables (one per sample, the current space's first) from whatever is cached. The calibrated rows
    map a candidate's score to the predicted reference accuracy with size terms (:func:`fit_calibration`, one
    evaluation per column) fitted on the choosing sample (A or C) and applied unchanged to the other (B or D): on
    the choosing sample their tau is in-sample (:func:`choice` compares them leave-one-out)."""
    cache = EvaluationCache(db)
    configs = {**CONFIGS, **{name: json.loads(spec) for name, spec in extra}}
    samples, sizes, refs, ref_means = study_data(cache, ("C", "D", "A", "B"))
    fits = {(chooser, name, label): fit_calibration(
        seed_matrix(cache, name, configs[name], samples[chooser], chooser), sizes[chooser], terms, ref_means[chooser])
        for chooser in set(CHOOSING.values()) for name in MAIN for label, terms in SIZE_TERMS.items()}
    lines = []
    for sample, archs in samples.items():
        ref_mean = ref_means[sample]
        reference = reference_of(sample)[0]
        per_training = np.nanmean(seed_matrix(cache, "reference", reference, archs, sample, "cpu_seconds")) \
            if np.isfinite(refs[sample]).any() else float("nan")
        ref_cpu = per_training * reference["repeats"]
        macs = sizes[sample]["log_macs"]  # ranks (all the taus need) as the MACs'
        trainings = np.isfinite(refs[sample]).sum(axis=1)
        space = "`proxy` space" if SAMPLES[sample][1] == "proxy" else "`proxy` space version 1"
        lines += [f"### Sample {sample} ({N_ARCHS} architectures of the {space}, seed {SAMPLES[sample][0]}; "
                  f"reference complete for "
                  f"{int(np.isfinite(ref_mean).sum())}, {int(trainings.max())} trainings for "
                  f"{int((trainings == trainings.max()).sum())})", "",
                  "| config | n | mean acc | between std (pt) | seed std (pt) | SNR | split-half tau "
                  "| tau vs ref (1 eval) | tau vs ref (2-eval mean) | tau vs ref (3-eval mean) "
                  "| partial tau given MACs (1 eval) | CPU s / eval | CPU vs ref |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        size_prediction = size_only(sizes, ref_means, CHOOSING[sample], sample)
        for label, x in (("#params", sizes[sample]["log_params"]), ("MACs (deployment)", macs),
                         (f"ln MACs + ln params fitted on {CHOOSING[sample]} (no training)", size_prediction)):
            lines.append(f"| {label} | {np.isfinite(x).sum()} | - | - | - | - | - | {fmt(tau(x, ref_mean))} "
                         f"| - | - | - | 0 | - |")
        rows = [(name, seed_matrix(cache, name, spec_of(name, sample, configs), archs, sample),
                 spec_of(name, sample, configs)) for name in configs]
        rows += [(f"{name} + calibrated on {label}",
                  calibrated(fits[(CHOOSING[sample], name, label)],
                             seed_matrix(cache, name, configs[name], archs, sample), sizes[sample]), configs[name])
                 for name in MAIN for label in SIZE_TERMS if fits[(CHOOSING[sample], name, label)] is not None]
        for name, acc, spec in rows:
            n = int(np.isfinite(acc[:, 0]).sum())
            if n == 0:
                continue
            between, within, snr, split = consistency(acc)
            full = np.isfinite(acc[:, :3]).all(axis=1)
            mean3 = np.where(full, acc[:, :3].mean(axis=1), np.nan)
            config = name.split(" + ")[0]
            cpu_matrix = seed_matrix(cache, config, spec, archs, sample, "cpu_seconds")
            cpu = float(np.nanmean(cpu_matrix)) * (spec["repeats"] if config == "reference" else 1)
            ratio = f"1/{ref_cpu / cpu:.0f}" if np.isfinite(ref_cpu) and config != "reference" else "-"
            lines.append(f"| {name} | {n} | {np.nanmean(acc):.4f} | {fmt(100 * between, 2)} | {fmt(100 * within, 2)} "
                         f"| {fmt(snr, 2)} | {fmt(split)} | {fmt(mean_tau(acc[:, :3], 1, ref_mean))} "
                         f"| {fmt(mean_tau(acc[:, :3], 2, ref_mean))} | {fmt(tau(mean3, ref_mean))} "
                         f"| {fmt(partial_tau(acc[:, :3], ref_mean, macs))} | {cpu:.1f} | {ratio} |")
        lines += ["", sharpness_note(refs[sample]), ""]
    lines += [choice(cache, configs, samples, ref_means, sizes)[0], ""]
    specs = "\n".join(f"- `{name}`: `{json.dumps(spec)}`" for name, spec in configs.items())
    return "\n".join(lines) + "\nConfigurations:\n\n" + specs


MAX_CPU_S = 10.0  # the default's budget per architecture on one core (issue 12)
MIN_CHOICE_ARCHS = 20  # architectures of sample C with a complete reference before a choice is made


def choice(cache: EvaluationCache, configs: dict[str, dict], samples: dict[str, list],
           ref_means: dict[str, np.ndarray], sizes: dict[str, dict[str, np.ndarray]]) -> tuple[str, dict | None]:
    """(text, evaluator spec) of the default chosen on sample C and reported on the fresh sample D: among the
    candidates and the mean of k = 1, 2 or 3 of their evaluations, raw or calibrated with size terms
    (:data:`SIZE_TERMS`), the one with the highest tau against the reference on C (averaged over the choices of
    seeds; calibrated ones leave-one-out, :func:`loo_tau`) whose CPU cost, k x its mean CPU seconds per evaluation
    on C, is <= ``MAX_CPU_S`` and <= 1/10 of the reference's. On D the calibration fitted on all of C is applied
    unchanged. The spec is None until the choice can be made."""
    known = np.isfinite(ref_means["C"])
    if known.sum() < MIN_CHOICE_ARCHS:
        return (f"Choice of the default: not yet ({int(known.sum())} of sample C's architectures have a complete "
                f"reference; {MIN_CHOICE_ARCHS} needed)."), None
    ref_cpu = float(np.nanmean(seed_matrix(cache, "reference", reference_of("C")[0], samples["C"], "C",
                                           "cpu_seconds"))) * reference_of("C")[0]["repeats"]
    options = []
    for name, spec in configs.items():
        if name == "reference":
            continue
        acc = seed_matrix(cache, name, spec, samples["C"], "C")
        if not np.isfinite(acc).all(axis=1)[known].all():
            continue  # not evaluated on every architecture with a reference
        cpu = float(np.nanmean(seed_matrix(cache, name, spec, samples["C"], "C", "cpu_seconds")))
        for k in (1, 2, 3):
            if k * cpu > min(MAX_CPU_S, ref_cpu / 10):
                continue
            options.append((mean_tau(acc, k, ref_means["C"]), name, k, "", k * cpu))
            if spec["kind"] == "train" and spec.get("task", "classification") == "classification":  # has the field
                options += [(loo_tau(k_means(acc, k), sizes["C"], terms, ref_means["C"]), name, k, label, k * cpu)
                            for label, terms in SIZE_TERMS.items()]
    options = [option for option in options if np.isfinite(option[0])]
    if not options:
        return (f"Choice of the default: no candidate evaluated on these architectures fits {MAX_CPU_S:g} CPU s per "
                "architecture."), None
    tau_c, name, k, label, cost = max(options)
    scores_c = k_means(seed_matrix(cache, name, configs[name], samples["C"], "C"), k)
    scores_d = k_means(seed_matrix(cache, name, configs[name], samples["D"], "D"), k)
    spec = {**configs[name], "repeats": k}
    if label:
        fit = fit_calibration(scores_c, sizes["C"], SIZE_TERMS[label], ref_means["C"])
        spec["calibration"] = {term: round(weight, 6) for term, weight in fit.items()}
        scores_d = calibrated(fit, scores_d, sizes["D"])
    tau_d = float(np.mean([tau(scores_d[:, j], ref_means["D"]) for j in range(scores_d.shape[1])]))
    n_d = int((np.isfinite(ref_means["D"]) & np.isfinite(scores_d).all(axis=1)).sum())
    runners_up = "; ".join(f"`{n}` x{kk}{' calibrated on ' + lab if lab else ''} {t:.3f}"
                           for t, n, kk, lab, _ in sorted(options, reverse=True)[1:5])
    size_bar = size_only_loo_tau(sizes["C"], ref_means["C"])
    size_d = tau(size_only(sizes, ref_means, "C", "D"), ref_means["D"])

    def baselines(sample: str) -> str:
        return (f"#params {fmt(tau(sizes[sample]['log_params'], ref_means[sample]))}, MACs "
                f"{fmt(tau(sizes[sample]['log_macs'], ref_means[sample]))}")
    how = f", calibrated on {label} (tau leave-one-out)" if label else ""
    text = (f"Choice of the default (on sample C, {int(known.sum())} architectures): `{name}`, mean of {k} "
            f"evaluation(s){how}, {cost:.1f} CPU s per architecture ({ref_cpu / cost:.0f}x cheaper than the "
            f"reference): tau {tau_c:.3f} on C ({baselines('C')}); on the fresh sample D ({n_d} architectures): tau "
            f"{fmt(tau_d)} ({baselines('D')}). Goal: tau >= 0.7 and >= 0.2 above #params and MACs, on D. "
            f"The size-only prediction (ln MACs + ln params, no training) gets {size_bar:.3f} on C (leave-one-out) "
            f"and {fmt(size_d)} on D (fitted on C). Next best on C: {runners_up}. "
            f"Spec: `{json.dumps(spec)}`.")
    return text, spec


def chosen_default(cache: EvaluationCache) -> dict | None:
    """The evaluator spec :func:`choice` picks from the rows in ``cache`` (the named ``default`` must be it)."""
    samples, sizes, _, ref_means = study_data(cache, ("C", "D"))
    return choice(cache, CONFIGS, samples, ref_means, sizes)[1]


def main() -> None:
    """Run workers (default) or only print/write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--extra", nargs=2, action="append", default=[], metavar=("NAME", "SPEC_JSON"),
                        help="another candidate configuration (run on sample C after the listed ones)")
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
        write_section(SECTION, f"`benchmarks/proxy_study.py` ({time.strftime('%Y-%m-%d')}). CPU seconds are process "
                      "time on one thread, measured while other jobs shared the 2 cores, which inflates them (one "
                      "`c28 s100` evaluation: 8-9 s beside one other job, 26-29 s beside four).\n\n" + text)


if __name__ == "__main__":
    main()
