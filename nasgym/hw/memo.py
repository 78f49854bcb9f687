"""Memoized cost of a run of layers (a block, the stem or the head), the unit of the cache of
:class:`~nasgym.hw.cost.EdgeTPUCostModel`.

A part stores its cost with all its parameters cached and with all of them streamed; the network sum picks one per
part, and only the part that straddles the cache boundary ("excess" streaming) is recomputed, layer by layer.
"""

from __future__ import annotations

from operator import itemgetter

from nasgym.hw.config import HardwareConfig
from nasgym.hw.engine import layer_terms, layers_cost
from nasgym.hw.rows import Row

_MACS, _PARAMS, _PARAM_BYTES, _OPS = itemgetter(0), itemgetter(1), itemgetter(2), itemgetter(7)  # of layer_terms


class PartCost:
    """Cost of consecutive layers on one hardware config, with their parameters cached or streamed."""

    __slots__ = ("terms", "param_bytes", "params", "macs", "ms_cached", "mj_cached", "ms_streamed", "mj_streamed",
                 "h_out", "w_out", "ops", "out_size")

    def __init__(self, rows: list[Row], hw: HardwareConfig) -> None:
        self.terms = terms = layer_terms(rows, hw)
        self.macs = sum(map(_MACS, terms))
        self.params = sum(map(_PARAMS, terms))
        self.param_bytes = sum(map(_PARAM_BYTES, terms))
        self.ops = sum(map(_OPS, terms))
        self.ms_cached, self.mj_cached = layers_cost(self.terms, hw, "cached")
        self.ms_streamed, self.mj_streamed = layers_cost(self.terms, hw, "all")
        self.h_out = self.w_out = 0
        self.out_size = 0  # elements of the network's output, set on the last part (the head)

    def cost(self, hw: HardwareConfig, cache_left: float) -> tuple[float, float]:
        """(ms, mJ) when only ``cache_left`` bytes of cache remain for these layers ("excess" streaming)."""
        if self.param_bytes <= cache_left:
            return self.ms_cached, self.mj_cached
        if cache_left <= 0:
            return self.ms_streamed, self.mj_streamed
        return layers_cost(self.terms, hw, "excess", cache_left)
