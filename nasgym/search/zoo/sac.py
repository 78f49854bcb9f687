"""rl-zoo3 ``--conf-file nasgym.search.zoo.sac``: nasgym's defaults for ``--algo sac`` (see the package)."""

from nasgym.search.zoo import zoo_hyperparams

hyperparams = zoo_hyperparams("sac")
