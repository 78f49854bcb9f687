"""The true top 1 % of a ``surrogate`` env, defined by its measured data (``train.py bench``'s extra column).

- **Threshold**: the 99th percentile (``numpy.quantile(rewards, 0.99)``, linear interpolation) of the env's reward
  over the architectures of the data's uniform random rows (``source == "random"``) measured at >= 2 seeds, each
  scored with its *measured* mean accuracy over its seeds (final accuracy, the target evaluator's) and the env's own
  cost model (simulated latency, energy) and reward. These rows are a uniform sample of the space, so the threshold
  estimates the reward that 1 % of the space reaches; fewer than :data:`MIN_RANDOM` such architectures give no
  threshold (the column then reads ``-``).
- **Hit**: a run hits when the best architecture it logged (highest logged reward, the first of equal ones) has a
  reward >= the threshold, that reward computed with the surrogate's noise-free mean accuracy (the only accuracy
  known for architectures that were never measured) and the same cost model and reward.

The two sides differ in kind: a measured mean of 2 seeds still carries seed noise (it widens the distribution and
raises its 99th percentile) and a regression model's predictions shrink towards the mean, so both make a hit harder
than "truly in the top 1 %" would. :attr:`TrueTop.random_hit_rate` measures it: the fraction of the same random
architectures whose noise-free surrogate reward reaches the threshold (1 % if the two sides agreed).
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any

import numpy as np

from nasgym.envs_config import EnvConfig, load_env_config, make_env
from nasgym.space.architecture import Architecture

QUANTILE = 0.99
MIN_RANDOM = 100  # below this, the 99th percentile is the best architecture or two: no threshold


def is_surrogate(config: EnvConfig) -> bool:
    """Whether the env's evaluator is of kind ``surrogate`` (a spec dict or name; an object by its ``kind``)."""
    from nasgym.quality.named_specs import resolve_spec

    spec = config.evaluator
    if isinstance(spec, dict | str):
        try:
            return resolve_spec(spec).get("kind") == "surrogate"
        except ValueError:
            return False
    return getattr(spec, "kind", None) == "surrogate"


class TrueTop:
    """The threshold and the noise-free scoring of one surrogate env (see the module docstring).

    Args:
        env: The (unwrapped) env, whose evaluator is a ``SurrogateEvaluator``.
        quantile: The percentile of the measured random architectures' rewards (0.99: the top 1 %).
    """

    def __init__(self, env: Any, quantile: float = QUANTILE) -> None:
        evaluator = env.evaluator
        if getattr(evaluator, "kind", None) != "surrogate":
            raise ValueError(f"the true top needs an env whose evaluator is kind 'surrogate': got {evaluator!r}")
        self.env, self.quantile = env, quantile
        self.final = evaluator if float(evaluator.config.fidelity) == 1.0 else evaluator.at_fidelity(1.0)
        table = self.final.table
        complete = table.complete(2)
        keep = [i for i, source in enumerate(table.sources) if source == "random" and complete[i]]
        self.random_archs: list[Architecture] = [table.archs[i] for i in keep]
        self.measured = np.array([self.reward_of(table.archs[i], float(table.mean[i])) for i in keep])
        self.n_random = len(keep)
        self.threshold = float(np.quantile(self.measured, quantile)) if self.n_random >= MIN_RANDOM else math.nan

    def reward_of(self, arch: Architecture, accuracy: float) -> float:
        """The env's reward of ``arch`` with ``accuracy`` (its simulated cost from the env's cost model)."""
        return float(self.env.reward_fn({**self.env.cost_of(arch), "accuracy": accuracy}))

    def true_reward(self, arch: Architecture | str) -> float:
        """The env's reward of ``arch`` with the surrogate's noise-free mean accuracy (clipped to [0, 1])."""
        arch = Architecture.parse(arch) if isinstance(arch, str) else arch
        mean = self.final.predict(arch)[0]
        return self.reward_of(arch, min(max(float(mean), 0.0), 1.0))

    def hit(self, arch: Architecture | str) -> bool | None:
        """Whether ``arch`` is in the true top (``None`` without a threshold)."""
        if math.isnan(self.threshold):
            return None
        return self.true_reward(arch) >= self.threshold

    @cached_property
    def random_hit_rate(self) -> float:
        """Fraction of the measured random architectures whose noise-free surrogate reward reaches the threshold."""
        if math.isnan(self.threshold):
            return math.nan
        return float(np.mean([self.true_reward(a) >= self.threshold for a in self.random_archs]))


def true_top_of(env: str) -> TrueTop | None:
    """The :class:`TrueTop` of the env ``env`` (id, definition id or YAML path); ``None`` unless its evaluator is
    kind ``surrogate``."""
    config = load_env_config(env)
    if not is_surrogate(config):
        return None
    return TrueTop(make_env(config).unwrapped)


__all__ = ["MIN_RANDOM", "QUANTILE", "TrueTop", "is_surrogate", "true_top_of"]
