"""Pilot: would a `proxy` space whose stage widths span more capacity give a sharp reference?

The quality study found that random members of the `proxy` space differ by about half a point on the reference task
(56x56 canvas, 1000 steps), about the seed noise, at any budget tried; capacity (width) moved accuracy by ~2 points
per doubling. TuNAS-style spaces search each stage's width over about x0.5-x2 of a base. This pilot samples
``N_ARCHS`` architectures of a candidate space whose stage widths span x3-x4 (:data:`WIDE_SPACE`: the `proxy` space
with narrower width choices added, a superset of it whose members cost no more than its widest), trains each
twice on the reference task (one training per evaluation, seeds 0 and 1) and reports the between-architecture std
of the 2-seed mean, the RMS seed std and their ratio, next to the same figures of the `proxy` space (the first two
trainings of the study's sample A reference). A ratio of about 3 is what a split-half tau of 0.8 needs with 2 + 2
trainings. Also the CPU seconds of one default evaluation (28x28, 100 steps, 1 training) per member.

Resumable (the study's cache; raw rows in ``benchmarks/data/space_pilot.csv``, loaded back on start)::

    nice -n 10 .venv/bin/python benchmarks/space_pilot.py [--write]
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import torch

import nasgym
from nasgym.quality import CachedEvaluator, EvaluationCache, make_evaluator
from nasgym.quality.supernet_evaluator import default_cache_dir
from nasgym.space.loading import space_from_dict

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proxy_study import sharpness_note, spread  # noqa: E402
from resumable import CACHE_COLUMNS, benchmark_main, cache_columns  # noqa: E402

HERE = Path(__file__).resolve().parent
ROWS_CSV = HERE / "data" / "space_pilot.csv"
STUDY_CSV = HERE / "data" / "proxy_study.csv"
SECTION = "Space pilot: a proxy space spanning more capacity"
N_ARCHS, SEEDS, SAMPLE_SEED = 12, (0, 1), 170201  # the sample's seed is used for nothing else
REFERENCE_ONE = {"kind": "reference", "repeats": 1}  # one training of the reference per evaluation
DEFAULT_ONE = {"kind": "train", "repeats": 1}  # one evaluation of the default before 2026-12-01 (28x28, 100 steps)
WIDE_SPACE = {
    "name": "proxy-wide-candidate",
    "input_shape": [224, 224, 3],
    "stem": {"filters": [16], "kernels": [3], "stride": 2},
    "head": {"filters": [256]},
    "defaults": {"ops": ["ibn_dw", "ibn_fused", "ibn_fused_grouped", "ibn_grouped", "skip"], "kernels": [3, 5],
                 "expansions": [2, 4], "group_sizes": [8, 16]},
    "stages": [
        {"blocks": 1, "stride": 1, "widths": [8, 16], "ops": ["ibn_fused", "ibn_dw"], "kernels": [3],
         "expansions": [1]},
        {"blocks": 1, "stride": 2, "widths": [8, 16, 24], "ops": ["ibn_dw", "ibn_fused", "ibn_fused_grouped",
                                                                  "ibn_grouped"]},
        {"blocks": 2, "stride": 2, "widths": [8, 16, 24, 32]},
        {"blocks": 2, "stride": 2, "widths": [16, 32, 48, 64]},
        {"blocks": 1, "stride": 2, "widths": [24, 48, 64, 96]},
    ],
}


ADOPTED = (
    "The candidate became the `proxy` space (version 2) on 2026-12-01: its members differ by about twice the seed "
    "noise of one training, so a reference needs about a third of the trainings per architecture, and capacity, "
    "the quality that trades against latency on a device, is part of the search. Version 1 is kept in "
    "`benchmarks/data/proxy_space_v1.yaml`. Sections measured before that date on the `proxy` space (search agents, "
    "proxy fidelity, the short task searches, the zero-cost space comparison, the reference-task pilot and the "
    "proxy study's samples A and B) are of version 1.")


def wide_archs() -> list[nasgym.Architecture]:
    """The pilot's distinct random members of :data:`WIDE_SPACE`."""
    space, rng = space_from_dict(WIDE_SPACE), np.random.default_rng(SAMPLE_SEED)
    archs: dict[str, nasgym.Architecture] = {}
    while len(archs) < N_ARCHS:
        arch = space.sample(rng)
        archs.setdefault(arch.hash, arch)
    return list(archs.values())


def units() -> list[tuple[dict, int, int]]:
    """(spec, seed, arch index): the cheap default-cost runs first, then the reference trainings seed by seed."""
    return ([(DEFAULT_ONE, 0, i) for i in range(N_ARCHS)]
            + [(REFERENCE_ONE, s, i) for s in SEEDS for i in range(N_ARCHS)])


def run(db: Path) -> None:
    """Evaluate every unit the cache lacks."""
    torch.set_num_threads(1)
    cache, archs = EvaluationCache(db), wide_archs()
    for spec, seed, i in units():
        metrics, hit = CachedEvaluator(make_evaluator(spec), cache).evaluate(archs[i], seed)
        if not hit:
            print(f"{spec['kind']} W{i} seed {seed}: {metrics['accuracy']:.4f} cpu {metrics['cpu_seconds']:.0f}s",
                  flush=True)


def proxy_space_rows() -> np.ndarray:
    """(archs, 2) accuracies of the study's sample A reference: its first two trainings (seed 0)."""
    with open(STUDY_CSV, newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["config"] == "reference" and r["sample"] == "A"
                and r["seed"] == "0"]
    return np.array([json.loads(r["metrics"])["seed_accuracies"][:2] for r in rows])


def row(label: str, acc: np.ndarray, params: list[int], cpu: float, default_cpu: float) -> str:
    between, within = spread(acc)
    return (f"| {label} | {len(acc)} | {min(params) / 1e3:.0f}-{max(params) / 1e3:.0f}k | {acc.mean():.4f} | "
            f"{100 * between:.2f} | {100 * within:.2f} | {between / within:.2f} | {cpu:.0f} | {default_cpu:.1f} |")


def report(db: Path) -> tuple[str, list[dict]]:
    """The table and the raw rows, from what is cached."""
    cache, archs, rows = EvaluationCache(db), wide_archs(), []
    found: dict[tuple[str, int, int], dict] = {}
    for spec, seed, i in units():
        fp = make_evaluator(spec).fingerprint
        m = cache.get(archs[i].hash, fp, seed)
        if m is not None:
            found[(spec["kind"], seed, i)] = m
            rows.append({"spec": json.dumps(spec), "arch_index": i, "seed": seed, "accuracy": f"{m['accuracy']:.4f}",
                         **cache_columns(archs[i], fp, seed, m)})
    lines = ["| space | archs | proxy params | mean acc | between std (pt) | seed std (pt) | ratio | "
             "CPU s / reference training | CPU s / default training |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    study = proxy_space_rows()
    study_params = []
    with open(STUDY_CSV, newline="") as handle:
        study_params = [int(r["params"]) for r in csv.DictReader(handle)
                        if r["config"] == "reference" and r["sample"] == "A" and r["seed"] == "0"]
    lines.append(row("proxy (study sample A, reference's first 2 trainings)", study, study_params, float("nan"),
                     float("nan")))
    done = [i for i in range(N_ARCHS) if all(("reference", s, i) in found for s in SEEDS)]
    if len(done) >= 3:
        acc = np.array([[found[("reference", s, i)]["accuracy"] for s in SEEDS] for i in done])
        params = [found[("reference", 0, i)]["params"] for i in done]
        cpu = np.mean([found[("reference", s, i)]["cpu_seconds"] for s in SEEDS for i in done])
        default = [found[("default", 0, i)]["cpu_seconds"] for i in range(N_ARCHS) if ("default", 0, i) in found]
        lines.append(row("candidate (stage widths x3-x4)", acc, params, cpu, float(np.mean(default))))
        lines += ["", "Candidate: " + sharpness_note(acc), "", "Proxy space version 1: " + sharpness_note(study)]
    else:
        lines.append(f"| candidate (stage widths x3-x4) | {len(done)} | - | - | - | - | - | - | - |")
    return "\n".join(lines), rows


def main() -> None:
    """Run what is missing (unless --report), then print (and write) the table."""
    benchmark_main(__doc__, default_cache_dir() / "proxy_study.sqlite", ROWS_CSV,
                   ["spec", "arch_index", "seed", "accuracy", *CACHE_COLUMNS], run, report, SECTION,
                   f"`benchmarks/space_pilot.py` ({{date}}): {N_ARCHS} random members of the candidate space (seed "
                   f"{SAMPLE_SEED}), one training per evaluation, seeds {SEEDS}.\n\n{{text}}\n\n{ADOPTED}")


if __name__ == "__main__":
    main()
