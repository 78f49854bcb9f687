"""rl-zoo3 ``--conf-file nasgym.search.zoo.a2c``: nasgym's defaults for ``--algo a2c`` (see the package)."""

from nasgym.search.zoo import zoo_hyperparams

hyperparams = zoo_hyperparams("a2c")
