"""Helpers of the surrogate tests: a tiny evaluator spec and synthetic rows whose accuracy is a known function of the
features."""

from __future__ import annotations

import json

import numpy as np

import nasgym
from nasgym.surrogate.dataset import COLUMNS
from nasgym.surrogate.features import FeatureEncoder

TINY_SPEC = {"kind": "default", "dataset": "digits", "steps": 5, "repeats": 1, "bn_images": 64}
SEED_STD = 0.005


def known_accuracy(encoder: FeatureEncoder, arch: nasgym.Architecture) -> float:
    """The synthetic ground truth: more MACs and fused blocks help, skips hurt."""
    x = dict(zip(encoder.names, encoder.encode(arch), strict=True))
    return 0.6 + 0.08 * (x["log10_macs"] - 7.5) + 0.02 * x["count.ibn_fused"] - 0.015 * x["count.skip"]


def synthetic_rows(n: int, fingerprint: str, seed: int = 0) -> list[dict]:
    """``n`` random proxy architectures x 2 seeds with :func:`known_accuracy` plus seed noise."""
    space = nasgym.load_space("proxy")
    encoder, rng = FeatureEncoder(space), np.random.default_rng(seed)
    archs = {a.hash: a for a in (space.sample(rng) for _ in range(n))}
    rows = []
    for arch in archs.values():
        truth = known_accuracy(encoder, arch)
        for s in (0, 1):
            acc = truth + SEED_STD * rng.standard_normal()
            row = dict.fromkeys(COLUMNS, "")
            row.update(arch_string=arch.to_string(), arch_hash=arch.hash, source="random", seed=s,
                       accuracy=f"{acc:.6f}", cpu_seconds="1.0", fingerprint=fingerprint,
                       metrics=json.dumps({"accuracy": acc, "eval_seconds": 1.0}))
            rows.append(row)
    return rows
