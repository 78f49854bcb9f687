"""rl-zoo3 ``--conf-file nasgym.search.zoo.td3``: nasgym's defaults for ``--algo td3`` (see the package)."""

from nasgym.search.zoo import zoo_hyperparams

hyperparams = zoo_hyperparams("td3")
