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

``fidelity`` (multi-fidelity search): 1.0, the default, predicts the final accuracy; a fraction of the training
budget at which the rows have learning-curve points (:attr:`SurrogateEvaluator.fidelities`, e.g. 0.25 and 0.5 of
the target's ``steps``) fits the surrogate on those points instead (only the architectures having them; the noise
std is the points' own seed std, the draw independent of the final accuracy's). Any other value, or fewer than
``MIN_ARCHS`` architectures with the points at 2 seeds, fails on construction in one line. A result at a fidelity
below 1 carries ``fidelity``.
``residual`` (default true): when the target evaluator has a size ``calibration``, the model learns the accuracy
less the calibration's size term, an exact function of the architecture, and adds it back
(:mod:`nasgym.surrogate.fit`); without a calibration the field changes nothing.
The fingerprint covers the config, the target's fingerprint and the data file's content digest: new rows are a
new surrogate, whose results a cache never confuses with the old one's.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from nasgym.quality.base import ConfiguredEvaluator
from nasgym.quality.calibration import SizeCalibration
from nasgym.quality.config import boolean, number_in, one_of, optional_str, positive_int
from nasgym.space.architecture import Architecture
from nasgym.surrogate.dataset import DATA_COMMAND, Table, data_path, load_table, read_snapshot
from nasgym.surrogate.features import NUM_CLASSES
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
    fidelity: float = 1.0  # fraction of the training budget: 1.0 = final accuracy, else a learning-curve point
    residual: bool = True  # learn the accuracy less the target's size-calibration term (exact; added back)


class SurrogateEvaluator(ConfiguredEvaluator):
    """The ``surrogate`` evaluator (see the module docstring)."""

    kind = "surrogate"
    config_class = SurrogateConfig
    checks: ClassVar[dict] = {"target": _spec_check(), "data": optional_str(), "model": one_of(*MODELS),
                              "members": positive_int(1), "noise": boolean(),
                              "fidelity": number_in(0.0, 1.0, low_open=True), "residual": boolean()}
    VERSION = 1

    def __init__(self, config: Any = None, **fields: object) -> None:
        from nasgym.quality.factory import make_evaluator

        config = config if config is not None else self.parse(fields)
        target = make_evaluator(config.target)
        self.target_fingerprint: str = target.fingerprint
        self.steps: int | None = getattr(getattr(target, "config", None), "steps", None)  # of the curve fractions
        self.calibration = size_calibration_of(target) if config.residual else None
        self.path = Path(config.data).expanduser() if config.data else data_path(self.target_fingerprint)
        if not self.path.is_file():
            spec = "" if config.target == "default" else f" --spec '{json.dumps(config.target)}'"
            raise ValueError(f"surrogate data {str(self.path)!r} does not exist: produce it with {DATA_COMMAND}{spec}"
                             " (or pass data: PATH)")
        self.digest, rows = read_snapshot(self.path)  # one read: the digest is that of the table's rows
        self.table = load_table(self.path, self.target_fingerprint, self.steps, rows)  # fails now: bad file, no rows
        n = int(self.table.complete(2).sum())
        if n < MIN_ARCHS:
            raise ValueError(f"surrogate data {str(self.path)!r} has {n} architectures with >= 2 seeds of evaluator "
                             f"{self.target_fingerprint}: expected >= {MIN_ARCHS}; produce more with {DATA_COMMAND}")
        if config.fidelity != 1.0:
            self._check_fidelity(config.fidelity)
        self._surrogate: Surrogate | None = None
        self._memo: dict[str, tuple[float, float]] = {}
        super().__init__(config)

    def _check_fidelity(self, fidelity: float) -> None:
        """Fail in one line unless the data has enough learning-curve points at ``fidelity``."""
        fractions = [round(f, 6) for f in self.table.fractions]
        if not any(abs(f - fidelity) < 1e-9 for f in self.table.fractions):
            expected = f"1.0 or one of {fractions}" if fractions else "1.0 (its rows have no learning-curve points)"
            raise ValueError(f"surrogate evaluator field fidelity={fidelity!r} is not in surrogate data "
                             f"{str(self.path)!r}: expected {expected}")
        n = int(self.table.at_fraction(fidelity).complete(2).sum())
        if n < MIN_ARCHS:
            raise ValueError(f"surrogate data {str(self.path)!r} has {n} architectures with learning-curve points at "
                             f"fidelity {fidelity} at >= 2 seeds of evaluator {self.target_fingerprint}: expected >= "
                             f"{MIN_ARCHS}; produce more with {DATA_COMMAND}")

    @property
    def fidelities(self) -> tuple[float, ...]:
        """The fidelities this data supports, ascending: the learning-curve fractions with >= ``MIN_ARCHS``
        architectures at 2 seeds, then 1.0."""
        usable = [f for f in self.table.fractions if _enough(self.table.at_fraction(f))]
        return (*sorted(usable), 1.0)

    def at_fidelity(self, fidelity: float) -> SurrogateEvaluator:
        """This evaluator at another ``fidelity`` (same target, model and noise, and the same read of the data: not
        a newer file the collector has written since, and no second parse of it).

        Raises:
            ValueError: As the constructor for a ``fidelity`` the data lacks.
        """
        if fidelity != 1.0:
            self._check_fidelity(fidelity)
        other = copy.copy(self)
        other._surrogate, other._memo = None, {}
        ConfiguredEvaluator.__init__(other, replace(self.config, fidelity=fidelity))
        return other

    def make_fingerprint(self) -> str:
        """``surrogate-v1-HASH`` of the model fields, the target's fingerprint and the data's digest (and the
        fidelity when it is not 1.0, and ``residual`` when it applies, so earlier fingerprints are unchanged)."""
        c = self.config
        fields = {"model": c.model, "members": c.members, "noise": c.noise, "target": self.target_fingerprint,
                  "data": self.digest, **({"residual": True} if self.calibration is not None else {})}
        if c.fidelity != 1.0:
            fields["fidelity"] = float(c.fidelity)
        digest = hashlib.sha1(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:10]
        return f"{self.kind}-v{self.VERSION}-{digest}"

    @property
    def surrogate(self) -> Surrogate:
        """The fitted surrogate (fitted on first use, shared by the evaluators of this process)."""
        if self._surrogate is None:
            self._surrogate = load_surrogate(self.path, self.target_fingerprint, self.config.model,
                                             self.config.members, float(self.config.fidelity), self.steps,
                                             (self.digest, self.table), self.calibration)
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
        fidelity = float(self.config.fidelity)
        salt = "" if fidelity == 1.0 else f"@{fidelity!r}"
        accuracy = mean + (self.surrogate.seed_std * _normal(arch.hash, seed, salt) if self.config.noise else 0.0)
        return {"accuracy": min(max(accuracy, 0.0), 1.0), "accuracy_std": spread, "surrogate_mean": mean,
                **({} if fidelity == 1.0 else {"fidelity": fidelity}),
                "eval_seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu}


def size_calibration_of(target: Any) -> SizeCalibration | None:
    """The size calibration of the ``target`` evaluator, when it has one on a task of :data:`NUM_CLASSES` classes
    (the classes the features count the network with)."""
    calibration = getattr(getattr(target, "config", None), "calibration", None)
    spec = getattr(target, "spec", None)
    if calibration is None or getattr(spec, "num_classes", None) != NUM_CLASSES:
        return None
    return calibration


def _enough(table: Table) -> bool:
    return int(table.complete(2).sum()) >= MIN_ARCHS


def _normal(arch_hash: str, seed: int, salt: str = "") -> float:
    """A standard normal draw determined by (``arch_hash``, ``seed``, ``salt``) (Box-Muller on a sha1)."""
    digest = hashlib.sha1(f"{arch_hash}:{int(seed)}{salt}".encode()).digest()
    u1 = (int.from_bytes(digest[:8], "big") + 1) / (2 ** 64 + 1)
    u2 = int.from_bytes(digest[8:16], "big") / 2 ** 64
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


__all__ = ["SurrogateConfig", "SurrogateEvaluator", "size_calibration_of"]
