"""Evaluator kind ``surrogate``: the accuracy a fitted surrogate predicts for an architecture of the ``proxy`` space.

``{"kind": "surrogate"}`` learns the rows of the ``default`` evaluator (``target``) from the committed data file of
that evaluator's fingerprint (:func:`nasgym.surrogate.dataset.data_path`; ``data`` names another file). The file
must exist when the evaluator is made: without it construction fails with one line giving the command that
produces it, never a made-up value. The model is fitted on first use (:func:`nasgym.surrogate.fit.load_surrogate`).

``accuracy`` is the ensemble mean (clipped to [0, 1]); with ``noise: true`` plus a normal draw with the data's
measured seed standard deviation, seeded by (architecture, seed), so one architecture and seed always give one
value and two seeds differ like two trainings. ``accuracy_std`` is the ensemble spread (the model's uncertainty).
A new architecture costs tens of microseconds (the compiled ensemble, :mod:`nasgym.surrogate.compiled`), a repeated
one a dict lookup.
The fingerprint covers the config, the target's fingerprint and the data file's content digest: new rows are a
new surrogate, whose results a cache never confuses with the old one's.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from nasgym.quality.base import ConfiguredEvaluator
from nasgym.quality.config import boolean, one_of, optional_str, positive_int
from nasgym.space.architecture import Architecture
from nasgym.surrogate.dataset import DATA_COMMAND, data_path, file_digest, load_table
from nasgym.surrogate.fit import Surrogate, load_surrogate
from nasgym.surrogate.models import MEMBERS, MODELS

_MEMO_SIZE = 100_000
MIN_ARCHS = 50  # fewer measured architectures would give a surrogate in name only


def _spec_check() -> tuple:
    return (lambda v: isinstance(v, str | dict), "an evaluator spec (a named spec such as 'default', or a dict)")


@dataclass(frozen=True)
class SurrogateConfig:
    """Config of the ``surrogate`` evaluator."""

    target: Any = "default"  # the evaluator spec whose measured rows the surrogate learns
    data: str | None = None  # data file; None = benchmarks/data/surrogate/<target fingerprint>.csv.gz
    model: str = "hgb"
    members: int = MEMBERS
    noise: bool = False


class SurrogateEvaluator(ConfiguredEvaluator):
    """The ``surrogate`` evaluator (see the module docstring)."""

    kind = "surrogate"
    config_class = SurrogateConfig
    checks: ClassVar[dict] = {"target": _spec_check(), "data": optional_str(), "model": one_of(*MODELS),
                              "members": positive_int(1), "noise": boolean()}
    VERSION = 1

    def __init__(self, config: Any = None, **fields: object) -> None:
        from nasgym.quality.factory import make_evaluator

        config = config if config is not None else self.parse(fields)
        self.target_fingerprint: str = make_evaluator(config.target).fingerprint
        self.path = Path(config.data).expanduser() if config.data else data_path(self.target_fingerprint)
        if not self.path.is_file():
            spec = "" if config.target == "default" else f" --spec '{json.dumps(config.target)}'"
            raise ValueError(f"surrogate data {str(self.path)!r} does not exist: produce it with {DATA_COMMAND}{spec}"
                             " (or pass data: PATH)")
        self.digest = file_digest(self.path)
        self.table = load_table(self.path, self.target_fingerprint)  # fails now on a bad file or no rows
        n = int(self.table.complete(2).sum())
        if n < MIN_ARCHS:
            raise ValueError(f"surrogate data {str(self.path)!r} has {n} architectures with >= 2 seeds of evaluator "
                             f"{self.target_fingerprint}: expected >= {MIN_ARCHS}; produce more with {DATA_COMMAND}")
        self._surrogate: Surrogate | None = None
        self._memo: dict[str, tuple[float, float]] = {}
        super().__init__(config)

    def make_fingerprint(self) -> str:
        """``surrogate-v1-HASH`` of the model fields, the target's fingerprint and the data's digest."""
        c = self.config
        fields = {"model": c.model, "members": c.members, "noise": c.noise, "target": self.target_fingerprint,
                  "data": self.digest}
        digest = hashlib.sha1(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:10]
        return f"{self.kind}-v{self.VERSION}-{digest}"

    @property
    def surrogate(self) -> Surrogate:
        """The fitted surrogate (fitted on first use, shared by the evaluators of this process)."""
        if self._surrogate is None:
            self._surrogate = load_surrogate(self.path, self.target_fingerprint, self.config.model,
                                             self.config.members)
        return self._surrogate

    def predict(self, arch: Architecture) -> tuple[float, float]:
        """(mean, ensemble spread) of ``arch``, memoized per architecture."""
        found = self._memo.get(arch.hash)
        if found is None:
            found = self.surrogate.predict_one(arch)
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[arch.hash] = found
        return found

    def evaluate(self, arch: Architecture, seed: int) -> dict:
        """The predicted accuracy of ``arch`` (plus seeded noise when configured)."""
        start, cpu = time.perf_counter(), time.process_time()
        mean, spread = self.predict(arch)
        accuracy = mean + (self.surrogate.seed_std * _normal(arch.hash, seed) if self.config.noise else 0.0)
        return {"accuracy": min(max(accuracy, 0.0), 1.0), "accuracy_std": spread, "surrogate_mean": mean,
                "eval_seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu}


def _normal(arch_hash: str, seed: int) -> float:
    """A standard normal draw determined by (``arch_hash``, ``seed``) (Box-Muller on a sha1)."""
    digest = hashlib.sha1(f"{arch_hash}:{int(seed)}".encode()).digest()
    u1 = (int.from_bytes(digest[:8], "big") + 1) / (2 ** 64 + 1)
    u2 = int.from_bytes(digest[8:16], "big") / 2 ** 64
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


__all__ = ["SurrogateConfig", "SurrogateEvaluator"]
