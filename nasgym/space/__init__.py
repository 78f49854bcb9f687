"""What can be built: blocks, architectures, YAML-defined search spaces and the published reference nets."""

from nasgym.space.architecture import Architecture
from nasgym.space.block import OPS, Block
from nasgym.space.loading import load_space, space_from_dict, space_names
from nasgym.space.reference import reference, reference_names
from nasgym.space.search_space import SearchSpace, SpaceCursor, canonical_action
from nasgym.space.spec import Decision, StageSpec

__all__ = [
    "OPS", "Architecture", "Block", "Decision", "SearchSpace", "SpaceCursor", "StageSpec", "canonical_action",
    "load_space", "reference", "reference_names", "space_from_dict", "space_names",
]
