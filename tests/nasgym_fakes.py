"""Test doubles for the environment tests: a deterministic quality evaluator (no training, no data)."""

from __future__ import annotations

import hashlib
import math

from nasgym.model.counting import count
from nasgym.space.architecture import Architecture


class FakeEvaluator:
    """Accuracy = a smooth function of log10(MACs at the proxy input) plus a seed- and arch-dependent jitter.

    Counts its calls so tests can check caching. Like the ``surrogate`` evaluator it offers lower fidelities
    (:attr:`fidelities`, :meth:`at_fidelity`): at fidelity f the accuracy is lower by ``(1 - f) * 0.1`` and has an
    extra jitter of up to ``(1 - f) * 0.02``, so low fidelities rank architectures almost like the full one.
    """

    fingerprint = "fake-v1"
    fidelities = (0.25, 0.5, 1.0)

    def __init__(self, fidelity: float = 1.0) -> None:
        self.calls = 0
        self.fidelity = fidelity
        if fidelity != 1.0:
            self.fingerprint = f"fake-v1-f{fidelity}"

    def at_fidelity(self, fidelity: float) -> FakeEvaluator:
        """This evaluator at ``fidelity`` (a fraction of the full one's training)."""
        return FakeEvaluator(fidelity)

    def evaluate(self, arch: Architecture, seed: int) -> dict:
        self.calls += 1
        macs = count(arch, 10, (28, 28, 1)).macs
        digest = hashlib.sha1(f"{arch.hash}:{seed}".encode()).digest()
        jitter = (digest[0] / 255.0 - 0.5) * 0.02
        accuracy = 1.0 / (1.0 + math.exp(-(math.log10(macs) - 5.5))) * 0.9 + jitter
        if self.fidelity != 1.0:
            early = hashlib.sha1(f"{arch.hash}:{seed}:{self.fidelity}".encode()).digest()
            accuracy -= (1 - self.fidelity) * (0.1 + (early[0] / 255.0 - 0.5) * 0.02)
        return {"accuracy": min(max(accuracy, 0.0), 1.0), "eval_seconds": 0.001}
