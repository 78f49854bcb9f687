"""Test doubles for the environment tests: a deterministic quality evaluator (no training, no data)."""

from __future__ import annotations

import hashlib
import math

from nasgym.model.counting import count
from nasgym.space.architecture import Architecture


class FakeEvaluator:
    """Accuracy = a smooth function of log10(MACs at the proxy input) plus a seed- and arch-dependent jitter.

    Counts its calls so tests can check caching.
    """

    fingerprint = "fake-v1"

    def __init__(self) -> None:
        self.calls = 0

    def evaluate(self, arch: Architecture, seed: int) -> dict:
        self.calls += 1
        macs = count(arch, 10, (28, 28, 1)).macs
        digest = hashlib.sha1(f"{arch.hash}:{seed}".encode()).digest()
        jitter = (digest[0] / 255.0 - 0.5) * 0.02
        accuracy = 1.0 / (1.0 + math.exp(-(math.log10(macs) - 5.5))) * 0.9 + jitter
        return {"accuracy": min(max(accuracy, 0.0), 1.0), "eval_seconds": 0.001}
