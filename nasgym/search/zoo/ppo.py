"""rl-zoo3 ``--conf-file nasgym.search.zoo.ppo``: nasgym's defaults for ``--algo ppo`` (see the package)."""

from nasgym.search.zoo import zoo_hyperparams

hyperparams = zoo_hyperparams("ppo")
