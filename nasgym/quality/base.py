"""The protocol every quality evaluator implements.

``evaluate(arch, seed)`` returns a metrics dict with at least ``accuracy`` (in [0, 1]; the task's quality score)
and ``eval_seconds`` (wall time the evaluation cost). A failed evaluation (NaN or diverging loss, ...) returns
``accuracy`` 0.0 with ``failed`` set to the reason. ``fingerprint`` (config + version) keys the persistent cache.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any, ClassVar, Protocol, runtime_checkable

from nasgym.quality.config import Check, fingerprint, parse_config
from nasgym.space.architecture import Architecture


@runtime_checkable
class Evaluator(Protocol):
    """What the environment needs from a quality evaluator."""

    fingerprint: str

    def evaluate(self, arch: Architecture, seed: int) -> dict:
        """Metrics of ``arch`` for evaluation seed ``seed``: at least accuracy and eval_seconds."""
        ...


class ConfiguredEvaluator:
    """Base of the evaluators built from a config dataclass: the constructor, ``fingerprint``, repr and ``describe``.

    A subclass sets :attr:`kind`, :attr:`config_class`, :attr:`checks` (field -> validator, see
    :func:`~nasgym.quality.config.parse_config`), :attr:`fingerprint_exclude` (fields that do not affect results) and
    :attr:`VERSION` (bumped when results change), and implements ``evaluate``. It may override :meth:`parse` and
    :meth:`make_fingerprint` (a task's evaluator parses and fingerprints through its task).

    Args:
        config: A ready config; or None and:
        **fields: The config's fields (validated; unknown or invalid ones are named in a ``ValueError``).
    """

    kind: ClassVar[str]
    config_class: ClassVar[type]
    checks: ClassVar[dict[str, Check]] = {}
    fingerprint_exclude: ClassVar[tuple[str, ...]] = ("data_dir",)
    VERSION: ClassVar[int] = 1

    def __init__(self, config: Any = None, **fields: object) -> None:
        self.config = config if config is not None else self.parse(fields)
        self.fingerprint: str = self.make_fingerprint()

    def parse(self, fields: dict[str, object]) -> Any:
        """The config from its fields, validated by :attr:`checks`."""
        return parse_config(self.config_class, fields, self.checks, self.kind)

    def make_fingerprint(self) -> str:
        """The cache key of the results: ``KIND-vVERSION-HASH`` of the config less :attr:`fingerprint_exclude`."""
        return fingerprint(self.kind, self.config, self.VERSION, exclude=self.fingerprint_exclude)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.fingerprint})"

    def describe(self) -> dict:
        """Kind, fingerprint and config as a plain dict."""
        return {"kind": self.kind, "fingerprint": self.fingerprint, **asdict(self.config)}


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
