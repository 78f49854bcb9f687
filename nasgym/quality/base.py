"""The protocol every quality evaluator implements.

``evaluate(arch, seed)`` returns a metrics dict with at least ``accuracy`` (in [0, 1]; the task's quality score)
and ``eval_seconds`` (wall time the evaluation cost). A failed evaluation (NaN or diverging loss, ...) returns
``accuracy`` 0.0 with ``failed`` set to the reason. ``fingerprint`` (config + version) keys the persistent cache.
"""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable

from nasgym.space.architecture import Architecture


@runtime_checkable
class Evaluator(Protocol):
    """What the environment needs from a quality evaluator."""

    fingerprint: str

    def evaluate(self, arch: Architecture, seed: int) -> dict:
        """Metrics of ``arch`` for evaluation seed ``seed``: at least accuracy and eval_seconds."""
        ...


def failed_metrics(reason: str, seconds: float, **extra: object) -> dict:
    """The metrics of a failed evaluation: ``accuracy`` 0.0 and ``failed`` = the reason (never raised)."""
    return {"accuracy": 0.0, "eval_seconds": seconds, "failed": reason, **extra}


class Stopwatch:
    """Wall and process-CPU seconds since construction (CPU time is robust to other jobs sharing the cores)."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def times(self) -> dict[str, float]:
        """``{"eval_seconds": wall, "cpu_seconds": cpu}`` so far."""
        return {"eval_seconds": time.perf_counter() - self.wall, "cpu_seconds": time.process_time() - self.cpu}
