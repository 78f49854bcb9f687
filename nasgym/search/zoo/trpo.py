"""rl-zoo3 ``--conf-file nasgym.search.zoo.trpo``: nasgym's defaults for ``--algo trpo`` (see the package)."""

from nasgym.search.zoo import zoo_hyperparams

hyperparams = zoo_hyperparams("trpo")
