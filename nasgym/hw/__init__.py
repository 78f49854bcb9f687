"""Cost models for the environment: the analytical Edge TPU simulator, its hardware presets and the MAC baseline.

``simulate(x, hardware=...)`` takes an Architecture, a list of layer dicts (JSON layer schema) or a torch module
and returns a :class:`SimReport`. ``EdgeTPUCostModel`` wraps it in the :class:`CostModel` protocol;
``make_cost_model(spec)`` builds a cost model from a config dict.
"""

from nasgym.hw.config import HardwareConfig, hardware_names, load_hardware
from nasgym.hw.cost import CostModel, EdgeTPUCostModel, MacsCostModel, make_cost_model
from nasgym.hw.report import LayerReport, SimReport
from nasgym.hw.simulator import SIMULATOR_VERSION, simulate

__all__ = [
    "SIMULATOR_VERSION", "CostModel", "EdgeTPUCostModel", "HardwareConfig", "LayerReport", "MacsCostModel",
    "SimReport", "hardware_names", "load_hardware", "make_cost_model", "simulate",
]
