"""rl-zoo3 ``--conf-file nasgym.search.zoo.ppo_lstm``: nasgym's defaults for ``--algo ppo_lstm`` (see the package)."""

from nasgym.search.zoo import zoo_hyperparams

hyperparams = zoo_hyperparams("ppo_lstm")
