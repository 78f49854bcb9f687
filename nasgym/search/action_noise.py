"""Exploration noise of the deterministic Box algorithms (TD3, DDPG), written as rl-zoo3 writes it.

A deterministic policy without noise repeats the architecture it prefers: on ``nasgym/EdgeTPU-Surrogate-Box-v0``
TD3 and DDPG without noise (SB3's default) evaluated 8 and 22 distinct architectures in 2,000 episodes, with
rl-zoo3's usual ``noise_std`` 0.1 still only 11 and 38 (means of 2 runs). nasgym's default ``noise_std`` 1.6 was
the best of 0-1.6 on tuning seeds (``benchmarks/action_noise.py``; ``benchmarks/RESULTS.md``, "Action noise of TD3
and DDPG"): every episode then builds a new architecture and the best reward (0.865-0.866) is random search's
(0.864 in the discrete suite), i.e. the deterministic policies add little here. SB3 takes the noise as an object
(``action_noise``), which a YAML file or rl-zoo3's ``--conf-file`` cannot hold, so the hyperparameters name it as
rl-zoo3 does and it is built when the model is made, for the env's action space:

- ``noise_type``: ``normal`` (:class:`~stable_baselines3.common.noise.NormalActionNoise`), ``ornstein-uhlenbeck``
  (:class:`~stable_baselines3.common.noise.OrnsteinUhlenbeckActionNoise`) or ``none``;
- ``noise_std``: its standard deviation per action dimension, in action units (the Box mode's actions lie in
  [-1, 1]).

Only algorithms whose constructor takes ``action_noise`` accept them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

NOISE_KEYS = ("noise_type", "noise_std")
NOISE_TYPES = ("normal", "ornstein-uhlenbeck", "none")


def check_noise(algo_name: str, hyper: dict, takes_action_noise: bool) -> None:
    """``ValueError`` for noise hyperparameters of an algorithm without ``action_noise`` or of invalid values."""
    given = [k for k in NOISE_KEYS if k in hyper]
    if not given:
        return
    if not takes_action_noise:
        raise ValueError(f"hyperparameter(s) {given} are invalid for {algo_name!r}: expected only for algorithms "
                         "that take action_noise (td3, ddpg, sac)")
    kind = hyper.get("noise_type", "normal")
    if kind is None:
        kind = "none"
    if kind not in NOISE_TYPES:
        raise ValueError(f"hyperparameter noise_type={kind!r} is invalid for {algo_name!r}: expected one of "
                         f"{', '.join(NOISE_TYPES)}")
    std = hyper.get("noise_std")
    if kind != "none" and not (isinstance(std, int | float) and not isinstance(std, bool) and math.isfinite(std)
                               and std > 0):
        raise ValueError(f"hyperparameter noise_std={std!r} is invalid for {algo_name!r}: expected a positive number "
                         f"with noise_type={kind!r}")


def with_action_noise(hyper: dict, action_space: Any) -> dict:
    """``hyper`` with ``noise_type`` / ``noise_std`` replaced by SB3's ``action_noise`` for ``action_space`` (a
    ``Box``); unchanged without them. Checked by :func:`check_noise` first."""
    if not any(k in hyper for k in NOISE_KEYS):
        return dict(hyper)
    out = {k: v for k, v in hyper.items() if k not in NOISE_KEYS}
    kind = hyper.get("noise_type") or "none"
    if kind == "none":
        return out
    from stable_baselines3.common.noise import NormalActionNoise, OrnsteinUhlenbeckActionNoise

    n = int(np.prod(action_space.shape))
    mean, sigma = np.zeros(n), float(hyper["noise_std"]) * np.ones(n)
    noise = NormalActionNoise if kind == "normal" else OrnsteinUhlenbeckActionNoise
    out["action_noise"] = noise(mean=mean, sigma=sigma)
    return out


__all__ = ["NOISE_KEYS", "NOISE_TYPES", "check_noise", "with_action_noise"]
