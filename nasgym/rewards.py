"""Reward objects: combine an architecture's quality Q (accuracy) and cost (latency T, optionally energy E).

Each reward is a small frozen dataclass built from a config dict by :func:`make_reward`:

- ``abs`` (TuNAS): ``R = Q + beta * |T/T0 - 1|`` (``beta = -0.10``);
- ``mnas`` (MnasNet soft constraint): ``R = Q * (T/T0)^beta`` (``beta = -0.07``);
- ``mnas_hard``: ``R = Q * min((T/T0)^beta, 1)`` (no bonus for being faster than T0);
- ``constraint``: ``R = Q`` if ``T <= T0`` else ``penalty``.

Optional energy term (``energy_target_mj`` E0 and ``energy_beta``): ``abs`` adds ``energy_beta * |E/E0 - 1|``, the
two ``mnas`` forms multiply by ``(E/E0)^energy_beta`` (clipped at 1 for ``mnas_hard``), ``constraint`` also requires
``E <= E0``. Config example: ``{"kind": "mnas", "target_latency_ms": 1.5, "beta": -0.07}``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, fields

from nasgym.registry import Registry


@dataclass(frozen=True)
class Reward(ABC):
    """Base of the reward objects: targets, exponents and the metrics they read.

    Attributes:
        target_latency_ms: Target latency T0 in ms (positive).
        beta: Latency exponent/weight (negative for the soft rewards).
        energy_target_mj: Target energy E0 in mJ; ``None`` disables the energy term.
        energy_beta: Energy exponent/weight (used only with ``energy_target_mj``).
    """

    target_latency_ms: float
    beta: float = -0.07
    energy_target_mj: float | None = None
    energy_beta: float = -0.07

    kind = "base"

    def __post_init__(self) -> None:
        _positive("target_latency_ms", self.target_latency_ms)
        _finite("beta", self.beta)
        _finite("energy_beta", self.energy_beta)
        if self.energy_target_mj is not None:
            _positive("energy_target_mj", self.energy_target_mj)

    def __call__(self, metrics: dict) -> float:
        """The reward for a metrics dict holding ``accuracy``, ``latency_ms`` (and ``energy_mj``)."""
        quality = float(metrics["accuracy"])
        latency_ratio = float(metrics["latency_ms"]) / self.target_latency_ms
        energy_ratio = None
        if self.energy_target_mj is not None:
            energy_ratio = float(metrics["energy_mj"]) / self.energy_target_mj
        return float(self.combine(quality, latency_ratio, energy_ratio))

    @abstractmethod
    def combine(self, quality: float, latency_ratio: float, energy_ratio: float | None) -> float:
        """The reward from Q, T/T0 and E/E0 (``None`` without the energy term)."""

    def config(self) -> dict:
        """The config dict that :func:`make_reward` turns back into this object."""
        out = {"kind": self.kind}
        out.update({f.name: getattr(self, f.name) for f in fields(self)})
        return out


@dataclass(frozen=True)
class AbsReward(Reward):
    """TuNAS absolute reward ``Q + beta * |T/T0 - 1|`` (+ ``energy_beta * |E/E0 - 1|``)."""

    beta: float = -0.10
    energy_beta: float = -0.10
    kind = "abs"

    def combine(self, quality: float, latency_ratio: float, energy_ratio: float | None) -> float:
        reward = quality + self.beta * abs(latency_ratio - 1.0)
        if energy_ratio is not None:
            reward += self.energy_beta * abs(energy_ratio - 1.0)
        return reward


@dataclass(frozen=True)
class MnasReward(Reward):
    """MnasNet soft-constraint reward ``Q * (T/T0)^beta`` (x ``(E/E0)^energy_beta``)."""

    kind = "mnas"

    def factor(self, ratio: float, beta: float) -> float:
        """The multiplicative cost factor ``ratio^beta`` (ratio floored at a tiny positive value)."""
        return max(ratio, 1e-12) ** beta

    def combine(self, quality: float, latency_ratio: float, energy_ratio: float | None) -> float:
        reward = quality * self.factor(latency_ratio, self.beta)
        if energy_ratio is not None:
            reward *= self.factor(energy_ratio, self.energy_beta)
        return reward


@dataclass(frozen=True)
class MnasHardReward(MnasReward):
    """MnasNet hard-constraint reward ``Q * min((T/T0)^beta, 1)``: no bonus below the target."""

    kind = "mnas_hard"

    def factor(self, ratio: float, beta: float) -> float:
        return min(super().factor(ratio, beta), 1.0)


@dataclass(frozen=True)
class ConstraintReward(Reward):
    """Hard constraint: ``R = Q`` when ``T <= T0`` (and ``E <= E0``), else ``penalty``.

    Attributes:
        penalty: Reward of an architecture that misses a target.
    """

    beta: float = 0.0
    penalty: float = -1.0
    kind = "constraint"

    def __post_init__(self) -> None:
        super().__post_init__()
        _finite("penalty", self.penalty)

    def combine(self, quality: float, latency_ratio: float, energy_ratio: float | None) -> float:
        within = latency_ratio <= 1.0 and (energy_ratio is None or energy_ratio <= 1.0)
        return quality if within else self.penalty


_CLASSES: Registry[type[Reward]] = Registry("reward kind", sep=" ")
for _cls in (AbsReward, MnasReward, MnasHardReward, ConstraintReward):
    _CLASSES.register(_cls.kind, _cls)
REWARD_KINDS = _CLASSES.names()  # the valid ``kind`` values


def make_reward(spec: dict) -> Reward:
    """A reward object from a config dict ``{"kind": ..., "target_latency_ms": ..., ...}``.

    Raises:
        ValueError: Unknown kind, unknown or missing field, or an invalid value (named in the message).
    """
    if not isinstance(spec, dict):
        raise ValueError(f"reward={spec!r} is invalid: expected a mapping with a 'kind' field")
    kind = spec.get("kind")
    cls = _CLASSES.get(kind)
    allowed = [f.name for f in fields(cls)]
    params = {key: value for key, value in spec.items() if key != "kind"}
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(f"reward field(s) {unknown} are unknown for kind {kind!r}: expected {allowed}")
    if "target_latency_ms" not in params:
        raise ValueError(f"reward kind {kind!r} needs target_latency_ms (T0 in ms): got fields {sorted(params)}")
    for key, value in params.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError(f"reward {key}={value!r} is invalid: expected a number")
    return cls(**params)


def _finite(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"reward {name}={value!r} is invalid: expected a finite number")


def _positive(name: str, value: float) -> None:
    _finite(name, value)
    if value <= 0:
        raise ValueError(f"reward {name}={value!r} is invalid: expected a positive number")
