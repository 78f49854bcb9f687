"""Gymnasium ids for the shipped environment definitions (``envs/*.yaml``).

Every definition ``id: X`` is registered in each action mode: ``nasgym/X-v0`` (per-decision ``Discrete`` with
``action_masks()``), ``nasgym/X-MultiDiscrete-v0`` (one step per block) and ``nasgym/X-Box-v0`` (continuous, for
SAC/TD3/DDPG). Gymnasium 1.x no longer loads the ``gymnasium.envs`` entry point by itself, so ``import nasgym``
calls :func:`register_envs`; without that import, ``gymnasium.make("nasgym:nasgym/X-v0")`` imports it first.
"""

from __future__ import annotations

import gymnasium as gym

from nasgym.envs_config import MODE_SUFFIX, env_files
from nasgym.wrappers import ACTION_MODES


def register_envs() -> list[str]:
    """Register every shipped definition in every action mode (idempotent); returns the ids."""
    ids = []
    for name in env_files():
        for mode in ACTION_MODES:
            env_id = f"nasgym/{name}{MODE_SUFFIX[mode]}-v0"
            ids.append(env_id)
            if env_id in gym.envs.registry:
                continue
            gym.register(id=env_id, entry_point="nasgym.envs_config:make_env",
                         kwargs={"name_or_path": env_id}, disable_env_checker=False)
    return ids
