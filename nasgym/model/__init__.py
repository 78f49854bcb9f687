"""Architecture -> PyTorch module, exact counts, lowering to the simulator's layer schema."""

from nasgym.model.builder import build_model
from nasgym.model.counting import Counts, count
from nasgym.model.lowering import layer_macs, layer_params, lower

__all__ = ["Counts", "build_model", "count", "layer_macs", "layer_params", "lower"]
