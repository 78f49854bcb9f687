"""Compatibility name: the algorithm registry moved to :mod:`nasgym.search.algos` (the sequential black-box loop to
:mod:`nasgym.search.blackbox`). ``nasgym.algos`` was documented for plug-in authors, so its names stay importable."""

from nasgym.search.algos import (
    BOX_ALGOS,
    PLUGIN_DEFAULTS,
    SB3_ALGOS,
    SB3_DEFAULTS,
    SUPPORTED_MODES,
    AlgoSpec,
    algo_names,
    blackbox_agents,
    check_hyperparams,
    resolve_algo,
    sb3_defaults,
)
from nasgym.search.blackbox import run_blackbox

__all__ = ["BOX_ALGOS", "PLUGIN_DEFAULTS", "SB3_ALGOS", "SB3_DEFAULTS", "SUPPORTED_MODES", "AlgoSpec", "algo_names",
           "blackbox_agents", "check_hyperparams", "resolve_algo", "run_blackbox", "sb3_defaults"]
