"""Helpers of the surrogate tests: a tiny evaluator spec and synthetic rows whose accuracy (and learning-curve points)
are known functions of the features."""

from __future__ import annotations

import json

import numpy as np

import nasgym
from nasgym.surrogate.dataset import COLUMNS
from nasgym.surrogate.features import FeatureEncoder

TINY_SPEC = {"kind": "default", "dataset": "digits", "steps": 5, "repeats": 1, "bn_images": 64}
CURVE_SPEC = {**TINY_SPEC, "steps": 8}  # learning-curve points at steps 2 and 4: fractions 0.25 and 0.5
CURVE_STEPS = (2, 4)
SEED_STD = 0.005
CURVE_STD = 0.01  # seed noise of the learning-curve points (larger than the final accuracy's)


def known_accuracy(encoder: FeatureEncoder, arch: nasgym.Architecture) -> float:
    """The synthetic ground truth: more MACs and fused blocks help, skips hurt."""
    x = dict(zip(encoder.names, encoder.encode(arch), strict=True))
    return 0.6 + 0.08 * (x["log10_macs"] - 7.5) + 0.02 * x["count.ibn_fused"] - 0.015 * x["count.skip"]


def known_curve(encoder: FeatureEncoder, arch: nasgym.Architecture, fraction: float) -> float:
    """The synthetic learning curve: the final accuracy less a gap that shrinks with the fraction of the training
    budget and is larger for networks with skips (they ramp up slower)."""
    x = dict(zip(encoder.names, encoder.encode(arch), strict=True))
    return known_accuracy(encoder, arch) - (1 - fraction) * (0.2 + 0.01 * x["count.skip"])


def synthetic_rows(n: int, fingerprint: str, seed: int = 0, curve_steps: tuple[int, ...] = (),
                   steps: int = CURVE_SPEC["steps"], curve_rows: float = 1.0) -> list[dict]:
    """``n`` random proxy architectures x 2 seeds with :func:`known_accuracy` plus seed noise; with ``curve_steps``
    the first ``curve_rows`` of the architectures also have learning-curve points (:func:`known_curve` at step /
    ``steps``, plus seed noise), the others none (like rows measured before the points were recorded)."""
    space = nasgym.load_space("proxy")
    encoder, rng = FeatureEncoder(space), np.random.default_rng(seed)
    archs = {a.hash: a for a in (space.sample(rng) for _ in range(n))}
    rows = []
    for i, arch in enumerate(archs.values()):
        truth = known_accuracy(encoder, arch)
        curve = [known_curve(encoder, arch, step / steps) for step in curve_steps] if i < curve_rows * n else []
        for s in (0, 1):
            acc = truth + SEED_STD * rng.standard_normal()
            metrics = {"accuracy": acc, "eval_seconds": 1.0}
            if curve:
                metrics.update(curve_steps=list(curve_steps),
                               curve=[c + CURVE_STD * rng.standard_normal() for c in curve])
            row = dict.fromkeys(COLUMNS, "")
            row.update(arch_string=arch.to_string(), arch_hash=arch.hash, source="random", seed=s,
                       accuracy=f"{acc:.6f}", cpu_seconds="1.0", fingerprint=fingerprint, metrics=json.dumps(metrics))
            rows.append(row)
    return rows
