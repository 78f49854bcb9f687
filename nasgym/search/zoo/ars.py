"""rl-zoo3 ``--conf-file nasgym.search.zoo.ars``: nasgym's defaults for ``--algo ars`` (see the package)."""

from nasgym.search.zoo import zoo_hyperparams

hyperparams = zoo_hyperparams("ars")
