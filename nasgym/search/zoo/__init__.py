"""nasgym's SB3 defaults for rl-zoo3, which reads hyperparameters from a Python module given as ``--conf-file``.

    python -m rl_zoo3.train --algo ppo --env nasgym/EdgeTPU-ZeroCost-v0 --gym-packages nasgym \
        --conf-file nasgym.search.zoo.ppo -n 512

rl-zoo3 imports the module and reads its ``hyperparams`` dict (env id -> algorithm arguments; the ``"default"`` key
serves every env), one module per algorithm since ``--conf-file`` is per run. Each submodule here (named like
rl-zoo3's ``--algo``: ``ppo``, ``a2c``, ``dqn``, ``qrdqn``, ``trpo``, ``ars``, ``ppo_lstm``, ``sac``, ``td3``,
``ddpg``) holds :func:`nasgym.search.algos.sb3_defaults` of that algorithm (``gamma = 1`` etc.) plus rl-zoo3's
required ``n_timesteps`` (``-n`` overrides it; ``-params key:value`` overrides any argument). Without
``--conf-file`` rl-zoo3 uses its own tuned values for other tasks (``gamma = 0.99``).
"""

from __future__ import annotations

from typing import Any

from nasgym.search.algos import sb3_defaults

N_TIMESTEPS = 20_000  # rl-zoo3 requires a budget in the hyperparameters; -n overrides it
ZOO_ALGOS = {"ppo": "ppo", "a2c": "a2c", "dqn": "dqn", "qrdqn": "qrdqn", "trpo": "trpo", "ars": "ars",
             "ppo_lstm": "recurrent_ppo", "sac": "sac", "td3": "td3", "ddpg": "ddpg"}  # rl-zoo3 name -> nasgym name


def zoo_hyperparams(zoo_algo: str) -> dict[str, dict[str, Any]]:
    """The ``hyperparams`` dict rl-zoo3 reads for its algorithm ``zoo_algo``: nasgym's defaults for every env."""
    if zoo_algo not in ZOO_ALGOS:
        raise ValueError(f"unknown rl-zoo3 algorithm {zoo_algo!r}: expected one of {', '.join(ZOO_ALGOS)}")
    return {"default": {"n_timesteps": N_TIMESTEPS, **sb3_defaults(ZOO_ALGOS[zoo_algo])}}
