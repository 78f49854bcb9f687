"""rl-zoo3 ``--conf-file nasgym.search.zoo.qrdqn``: nasgym's defaults for ``--algo qrdqn`` (see the package)."""

from nasgym.search.zoo import zoo_hyperparams

hyperparams = zoo_hyperparams("qrdqn")
