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
- **First hit**: the first evaluation of a run whose architecture's noise-free reward (as for a hit) reaches the
  threshold: the run's sample efficiency, which still separates agents where every run ends in the top 1 %.

The two sides differ in kind: a measured mean of 2 seeds still carries seed noise (it widens the distribution and
raises its 99th percentile) and a regression model's predictions shrink towards the mean, so both make a hit harder
than "truly in the top 1 %" would. :attr:`TrueTop.random_hit_rate` measures it: the fraction of the same random
architectures whose noise-free surrogate reward reaches the threshold (1 % if the two sides agreed).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
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

    def noise_free_accuracy(self, arch: Architecture) -> float:
        """The surrogate's noise-free mean accuracy of ``arch`` at full fidelity, clipped to [0, 1]."""
        return min(max(float(self.final.predict(arch)[0]), 0.0), 1.0)

    def true_reward(self, arch: Architecture | str) -> float:
        """The env's reward of ``arch`` with the surrogate's noise-free mean accuracy."""
        arch = Architecture.parse(arch) if isinstance(arch, str) else arch
        return self.reward_of(arch, self.noise_free_accuracy(arch))

    def true_rewards(self, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """:meth:`true_reward` of every logged row (``arch_string`` and the figures a run logs), in order.

        The cost figures are the row's own (the cost model is deterministic, and simulating it again is far slower
        than the surrogate's prediction) when the reward reads nothing else: checked on the first row, whose logged
        reward the reward function must reproduce from the row; otherwise the cost model's."""
        from_row = bool(rows) and self._reward_reads_only(rows[0])
        accuracy: dict[str, float] = {}
        rewards = []
        for row in rows:
            string = row["arch_string"]
            arch = None
            if string not in accuracy:
                arch = Architecture.parse(string)
                accuracy[string] = self.noise_free_accuracy(arch)
            figures = row if from_row else self.env.cost_of(arch or Architecture.parse(string))
            rewards.append(float(self.env.reward_fn({**figures, "accuracy": accuracy[string]})))
        return np.array(rewards, dtype=float)

    def _reward_reads_only(self, row: Mapping[str, Any]) -> bool:
        """Whether the env's reward of ``row``'s own figures is the reward it logged."""
        try:
            return math.isclose(float(self.env.reward_fn(dict(row))), float(row["reward"]), rel_tol=1e-9,
                                abs_tol=1e-12)
        except (KeyError, TypeError, ValueError):
            return False

    def first_hit(self, rows: Sequence[Mapping[str, Any]]) -> int | None:
        """1-based evaluation of the first row whose architecture is in the true top (``None`` if none or without a
        threshold)."""
        if math.isnan(self.threshold) or not rows:
            return None
        hits = np.flatnonzero(self.true_rewards(rows) >= self.threshold)
        return int(hits[0]) + 1 if hits.size else None

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
