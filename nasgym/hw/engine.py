"""The analytical Edge TPU model: per-layer cost terms and their combination.

Mapping (weight-stationary). The array has ``columns = PEs x cores`` output-channel slots, each with
``lanes_per_core`` SIMD MAC lanes that reduce over input channels and kernel taps. The reduction of a conv is
flattened the way im2col flattens it (kernel taps x input channels of a group) and cut into ``ceil(taps x cin_g /
lanes)`` lane tiles. A conv needs ``reduction tiles x ceil(cout / columns)`` weight tiles, and each tile stays
resident while the ``P`` output positions stream through (``P`` cycles), so narrow layers leave lanes or columns
idle. The array sustains ``compute_efficiency`` of that ideal rate. Group convs run as the device runs them: one
conv per group (each an op with its own fixed cost) and a concat copy (the slices are read in place). Depthwise
convs map channels on columns and kernel taps on lanes and keep only ``depthwise_efficiency`` of those lanes busy.
Adds, pooling and resizing run on the vector path; a concat is a memory copy.

Memory. Activations move through the activation memories; the part of a layer's input plus output that exceeds
them spills off chip. Weights come from the parameter cache: what the inference executable leaves of the on-chip
memory (a share per device op, so networks of many small ops cache less). When a network's parameters do not fit,
the layers fill the cache in execution order and the parameters of the rest are read from off chip with every
inference (``param_streaming`` "excess", the Edge TPU compiler's "on-chip memory used for caching model parameters"
next to "off-chip memory used for streaming uncached parameters"; "all" streams every parameter instead). A layer
costs ``max(compute, on-chip traffic + spill) + streaming + fixed cost`` (plus a group conv's concat copy):
its streamed weights arrive before its tiles run, since a full cache leaves no room to load them while the previous
layer computes (the calibration rows prefer this to overlapping them, see benchmarks/RESULTS.md). A network adds the
per-invoke overhead and the host transfer of its input and output.

Plain Python over layer rows (:mod:`nasgym.hw.rows`): on ~60 layers it is faster than numpy, whose per-call overhead
dominates at that size. The same functions serve the per-layer report and the cost model's hot path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from nasgym.hw.config import HardwareConfig
from nasgym.hw.rows import Row

BIAS_BYTES = 4  # int32 bias (folded batch norm) per output channel
# Per layer: (macs, params, param bytes, compute ms, activation bytes, concat-copy bytes, spilled bytes, device ops)
Terms = tuple[int, int, int, float, float, float, float, int]


class LayerCost(NamedTuple):
    """A layer's network-dependent cost (for the per-layer report)."""

    ms: float
    compute_ms: float
    memory_ms: float  # activation and weight traffic (streamed weights included), plus a group conv's concat copy
    overhead_ms: float
    bytes_onchip: float
    bytes_offchip: float
    streamed_bytes: float
    energy_mj: float


def layer_terms(rows: Sequence[Row], hw: HardwareConfig) -> list[Terms]:
    """Per-layer cost terms of layer rows (:mod:`nasgym.hw.rows`), as plain tuples."""
    lanes, columns = hw.lanes_per_core, hw.columns
    cycle_ms = 1e-3 / hw.clock_mhz
    ce, de, vec = hw.compute_efficiency, hw.depthwise_efficiency, hw.vector_ops_per_cycle
    cap, bias = hw.activation_memory_bytes, BIAS_BYTES
    terms: list[Terms] = []
    append = terms.append
    for op, cin, cout, kh, kw, g, h_in, w_in, h_out, w_out, transposed in rows:
        act_out, taps = cout * h_out * w_out, kh * kw
        act = cin * h_in * w_in + act_out
        ops, copy = 1, 0
        if op <= 1:
            cin_g = cin // g
            positions = h_in * w_in if transposed else h_out * w_out
            weights = taps * cin_g * cout
            macs, pb = positions * weights, weights + bias * cout
            params = weights + (cout if op == 1 else 2 * cout)
            if g > 1 and cin_g == 1:
                compute = -(-taps // lanes) * -(-cout // columns) * positions / de / ce * cycle_ms
            else:
                tiles = -(-(taps * cin_g) // lanes)
                compute = g * tiles * -(-(cout // g) // columns) * positions / ce * cycle_ms
                if g > 1:
                    ops, copy = g + 1, 2 * act_out
        else:
            macs = params = pb = 0
            compute = act_out * (1 if op == 2 else 4 if op == 5 else taps if op == 3 else 0) / vec * cycle_ms
        spill = act - cap
        append((macs, params, pb, compute, act + act_out if op == 2 else act, copy, spill if spill > 0 else 0.0, ops))
    return terms


def layers_cost(
    terms: Sequence[Terms], hw: HardwareConfig, mode: str, cache: float = 0.0, details: list | None = None
) -> tuple[float, float]:
    """(ms, mJ) of consecutive layers whose parameters are all cached (``mode`` "cached"), all streamed ("all"), or
    streamed beyond the ``cache`` bytes left ("excess", layers in order). Appends a :class:`LayerCost` per layer to
    ``details`` when given."""
    cycle_ms = 1e-3 / hw.clock_mhz
    act_scale, overhead = cycle_ms / hw.activation_bytes_per_cycle, hw.layer_overhead_cycles * cycle_ms
    param_ms, offchip_ms = cycle_ms / hw.param_bytes_per_cycle, 1.0 / (hw.offchip_gbps * 1e6)
    e_mac, e_on, e_off = hw.energy_pj_per_mac, hw.energy_pj_per_byte_onchip, hw.energy_pj_per_byte_offchip
    ms = mj = 0.0
    for macs, _, pb, compute, act, copy, spill, ops in terms:
        if mode == "cached":
            streamed = 0.0
        elif mode == "all":
            streamed = pb
        else:
            streamed = pb - (pb if pb <= cache else (cache if cache > 0 else 0.0))
            cache -= pb
        cached, offchip = pb - streamed, spill + streamed
        memory = act * act_scale + cached * param_ms + spill * offchip_ms
        stream_ms = streamed * offchip_ms
        layer_ms = (compute if compute > memory else memory) + stream_ms + copy * act_scale + ops * overhead
        layer_mj = (macs * e_mac + (act + copy + cached) * e_on + offchip * e_off) * 1e-9
        ms += layer_ms
        mj += layer_mj
        if details is not None:
            details.append(LayerCost(layer_ms, compute, memory + stream_ms + copy * act_scale, ops * overhead,
                                     act + copy + cached, offchip, streamed, layer_mj))
    return ms, mj


def streaming_mode(terms: Sequence[Terms], hw: HardwareConfig) -> tuple[str, int, float]:
    """("cached" | "all" | "excess", parameter bytes, bytes left for parameters once the executable of the
    network's device ops has its share of the on-chip memory) of a whole network."""
    pb = sum(t[2] for t in terms)
    cache = hw.cache_bytes(sum(t[7] for t in terms))
    return ("cached" if pb <= cache else hw.param_streaming), pb, cache


def network_totals(rows: Sequence[Row], in_bytes: float, out_bytes: float, hw: HardwareConfig) -> dict[str, float]:
    """The cost-model dict of a network's layer rows."""
    terms = layer_terms(rows, hw)
    mode, pb, cache = streaming_mode(terms, hw)
    fits = mode == "cached"
    ms, mj = layers_cost(terms, hw, mode, cache)
    fixed_ms, fixed_mj = fixed_costs(in_bytes, out_bytes, hw)
    return totals(fixed_ms + ms, fixed_mj + mj, sum(t[1] for t in terms), sum(t[0] for t in terms), pb, fits, hw)


def host_ms(in_bytes: float, out_bytes: float, hw: HardwareConfig) -> float:
    """Time to send the input and fetch the output over the host link."""
    return (in_bytes + out_bytes) / (hw.host_gbps * 1e6)


def fixed_costs(in_bytes: float, out_bytes: float, hw: HardwareConfig) -> tuple[float, float]:
    """(ms, mJ) of one invoke outside the layers: invoke overhead plus host transfer."""
    return hw.invoke_overhead_ms + host_ms(in_bytes, out_bytes, hw), (
        (in_bytes + out_bytes) * hw.energy_pj_per_byte_offchip * 1e-9)


def totals(
    latency_ms: float, energy_mj: float, params: float, macs: float, param_bytes: float, fits: bool, hw: HardwareConfig
) -> dict[str, float]:
    """The cost-model dict; static power is charged over the whole latency."""
    return {
        "latency_ms": latency_ms, "energy_mj": energy_mj + hw.static_power_mw * latency_ms * 1e-3,
        "params": float(params), "macs": float(macs), "param_bytes": float(param_bytes), "fits_on_chip": fits,
    }
