"""Architecture -> PyTorch module, exact counts, lowering to the simulator's layer schema.

``build_model`` (torch) loads on first access, so counting and lowering do not import torch.
"""

from typing import Any

from nasgym.model.counting import Counts, count
from nasgym.model.layers import layer_macs, layer_params
from nasgym.model.lowering import lower

__all__ = ["Counts", "build_model", "count", "layer_macs", "layer_params", "lower"]


def __getattr__(name: str) -> Any:
    if name != "build_model":
        raise AttributeError(f"module 'nasgym.model' has no attribute {name!r}")
    from nasgym.model.builder import build_model

    return build_model
