"""rl-zoo3 ``--conf-file nasgym.search.zoo.ddpg``: nasgym's defaults for ``--algo ddpg`` (see the package)."""

from nasgym.search.zoo import zoo_hyperparams

hyperparams = zoo_hyperparams("ddpg")
