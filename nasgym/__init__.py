"""nasgym: a Gymnasium environment for hardware-aware neural architecture search on Edge TPU accelerators.

``import nasgym`` registers the environment ids and gives the search space, the simulator (``nasgym.hw``) and the
environment without importing torch; ``build_model`` and ``nasgym.quality`` (both need torch) load on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from nasgym import _layout, hw
from nasgym.envs_config import make_env
from nasgym.model import Counts, count, lower
from nasgym.registration import register_envs
from nasgym.space import (
    Architecture,
    Block,
    SearchSpace,
    load_space,
    reference,
    reference_names,
    space_names,
)

__version__ = "0.1.0"

__all__ = [
    "Architecture", "Block", "Counts", "SearchSpace", "build_model", "count", "load_space", "lower", "reference",
    "reference_names", "space_names", "make_env", "register_envs", "hw", "quality",
]

# Loaded on first access (they import torch): attribute name -> (module, attribute or None for the module itself).
_LAZY = {"build_model": ("nasgym.model", "build_model"), "quality": ("nasgym.quality", None)}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'nasgym' has no attribute {name!r}")
    module_name, attr = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


_layout.install_checkout_finder()
register_envs()
