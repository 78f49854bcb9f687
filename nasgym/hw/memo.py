"""Memoized cost of a run of layers (a block, the stem or the head), the unit of :class:`EdgeTPUCostModel`'s cache.

A part stores its cost with all its parameters cached and with all of them streamed; the network sum picks one per
part, and only the part that straddles the cache boundary ("excess" streaming) is recomputed, per layer.
"""

from __future__ import annotations

import numpy as np

from nasgym.hw.config import HardwareConfig
from nasgym.hw.engine import layer_costs, row_table


class PartCost:
    """Memoized cost of a run of layers (a block, the stem or the head) with its parameters cached or streamed."""

    __slots__ = ("table", "layers", "param_bytes", "params", "macs", "ms_cached", "mj_cached", "ms_streamed",
                 "mj_streamed", "h_out", "w_out")

    def __init__(self, rows: list, hw: HardwareConfig) -> None:
        self.h_out = self.w_out = 0
        self.table = self.layers = None
        self.param_bytes = self.params = self.macs = 0
        self.ms_cached = self.mj_cached = self.ms_streamed = self.mj_streamed = 0.0
        if not rows:  # a skip block
            return
        t = self.table = row_table(rows, hw)
        self.param_bytes, self.params, self.macs = int(t.param_bytes.sum()), int(t.params.sum()), int(t.macs.sum())
        cached = layer_costs(t, np.zeros(len(rows)), hw)
        streamed = layer_costs(t, t.param_bytes.astype(float), hw)
        self.ms_cached, self.mj_cached = float(cached.ms.sum()), float(cached.energy_mj.sum())
        self.ms_streamed, self.mj_streamed = float(streamed.ms.sum()), float(streamed.energy_mj.sum())

    def cost(self, hw: HardwareConfig, cache_left: float) -> tuple[float, float]:
        """(ms, mJ) when only ``cache_left`` bytes of cache remain for these layers ("excess" streaming)."""
        if self.param_bytes <= cache_left:
            return self.ms_cached, self.mj_cached
        if cache_left <= 0:
            return self.ms_streamed, self.mj_streamed
        if self.layers is None:  # per-layer floats: the boundary case runs in plain Python (faster than numpy here)
            t = self.table
            arrays = (t.param_bytes, t.compute_ms, t.act_ms, t.copy_ms, t.spill_bytes, t.act_bytes, t.overhead_ms,
                      t.macs)
            self.layers = list(zip(*(a.tolist() for a in arrays), strict=True))
        ms = mj = 0.0
        param_ms = 1e-3 / hw.clock_mhz / hw.param_bytes_per_cycle
        off_ms = 1.0 / (hw.offchip_gbps * 1e6)
        for pb, compute, act, copy, spill, act_bytes, overhead, macs in self.layers:
            cached = min(float(pb), max(0.0, cache_left))
            cache_left -= pb
            offchip = spill + pb - cached
            ms += max(compute, act + cached * param_ms + offchip * off_ms) + copy + overhead
            mj += (macs * hw.energy_pj_per_mac + (act_bytes + cached) * hw.energy_pj_per_byte_onchip
                   + offchip * hw.energy_pj_per_byte_offchip) * 1e-9
        return ms, mj
