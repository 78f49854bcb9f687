"""nasgym: a Gymnasium environment for hardware-aware neural architecture search on Edge TPU accelerators."""

from nasgym import hw, quality
from nasgym.envs_config import make_env
from nasgym.model import Counts, build_model, count, lower
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

register_envs()
