"""rl-zoo3 ``--conf-file nasgym.search.zoo.dqn``: nasgym's defaults for ``--algo dqn`` (see the package)."""

from nasgym.search.zoo import zoo_hyperparams

hyperparams = zoo_hyperparams("dqn")
