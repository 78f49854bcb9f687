"""The analytical Edge TPU model: per-layer cost terms and their combination into a network latency.

Mapping (weight-stationary). The array has ``columns = PEs x cores`` output-channel slots, each with
``lanes_per_core`` SIMD MAC lanes that reduce over the layer's reduction dimension ``R = cin_per_group * kh * kw``
(im2col order). A conv needs ``ceil(R / lanes) * ceil(cout_per_group / columns)`` weight tiles; every tile stays
resident while the ``P`` output positions stream through, so it costs ``P`` cycles. Narrow layers leave lanes or
columns idle (utilization ``R / (lanes * ceil(R / lanes))`` times the same for output channels). Group convs run as
the device runs them: one conv per group, each a separate op with its own fixed cost, plus a concat (the slices are
read in place). Depthwise convs map channels on columns and the kernel taps on lanes, and keep only
``depthwise_efficiency`` of those lanes busy. Adds and pooling run on the vector path; concat is a memory copy.

Memory. Activations move through the activation memories; the part of a layer's input plus output that exceeds
them spills off chip. Weights come from the parameter cache, or from off chip when the network's parameters do not
fit (all of them on a Coral, only the excess on a phone). A layer costs ``max(compute, memory) + fixed cost``.
A network adds the per-invoke overhead and the host transfer of its input and output.
"""

from __future__ import annotations

from typing import NamedTuple

from nasgym.hw.config import HardwareConfig
from nasgym.hw.layers import LayerKey

BIAS_BYTES = 4  # int32 bias (folded batch norm) per output channel


class Terms(NamedTuple):
    """Cost terms of one layer that do not depend on the rest of the network."""

    macs: int
    params: int
    param_bytes: int
    compute_ms: float
    act_ms: float         # on-chip activation traffic (and concat copies)
    spill_bytes: float    # activation bytes that exceed on-chip memory (go off chip)
    act_bytes: float      # on-chip activation bytes
    overhead_ms: float
    ops: int              # device ops this layer becomes (groups + concat for a group conv)


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


def layer_terms(key: LayerKey, hw: HardwareConfig) -> Terms:
    """Cost terms of one layer on ``hw``."""
    op, cin, cout, kh, kw = key.op, key.cin, key.cout, key.kh, key.kw
    cycle_ms = 1e-3 / hw.clock_mhz
    lanes, columns = hw.lanes_per_core, hw.columns
    act_in, act_out = cin * key.h_in * key.w_in, cout * key.h_out * key.w_out
    act_bytes = act_in + act_out
    compute_cycles = 0.0
    ops = 1
    macs = params = param_bytes = 0
    if op == "conv":
        groups = key.groups
        cin_g, cout_g = cin // groups, cout // groups
        positions = key.h_in * key.w_in if key.transposed else key.h_out * key.w_out
        weights = kh * kw * cin_g * cout
        macs = positions * weights
        params = weights + 2 * cout
        param_bytes = weights + BIAS_BYTES * cout
        if groups > 1 and cin_g == 1:  # depthwise (channel multiplier cout_g)
            tiles = _ceil(kh * kw, lanes) * _ceil(cout, columns)
            compute_cycles = tiles * positions / hw.depthwise_efficiency
        else:
            tiles = _ceil(cin_g * kh * kw, lanes) * _ceil(cout_g, columns)
            compute_cycles = groups * tiles * positions
            if groups > 1:
                ops = groups + 1
                act_bytes += 2 * act_out  # concat: read the per-group outputs, write the result
    elif op == "fc":
        weights = cin * cout
        macs, params, param_bytes = weights, weights + cout, weights + BIAS_BYTES * cout
        compute_cycles = _ceil(cin, lanes) * _ceil(cout, columns)
    elif op == "add":
        compute_cycles = act_out / hw.vector_ops_per_cycle
        act_bytes += act_out  # two inputs
    elif op == "pool":
        compute_cycles = act_out * kh * kw / hw.vector_ops_per_cycle
    else:  # concat: a copy
        act_bytes = 2 * act_out
    spill = max(0.0, act_in + act_out - hw.activation_memory_bytes)
    return Terms(
        macs, params, param_bytes, compute_cycles * cycle_ms, act_bytes / hw.activation_bytes_per_cycle * cycle_ms,
        spill, act_bytes, ops * hw.layer_overhead_cycles * cycle_ms, ops,
    )


class LayerCost(NamedTuple):
    """Network-dependent cost of one layer."""

    ms: float
    compute_ms: float
    memory_ms: float
    bytes_onchip: float
    bytes_offchip: float
    energy_mj: float


def streamed_bytes(param_bytes: list[int], hw: HardwareConfig) -> tuple[list[float], bool]:
    """Per layer, the parameter bytes read from off chip on every inference; and whether all fit on chip."""
    total = sum(param_bytes)
    cache = hw.param_cache_bytes
    if total <= cache:
        return [0.0] * len(param_bytes), True
    if hw.param_streaming == "all":
        return [float(b) for b in param_bytes], False
    out, used = [], 0.0
    for b in param_bytes:
        cached = min(float(b), max(0.0, cache - used))
        used += cached
        out.append(b - cached)
    return out, False


def layer_cost(t: Terms, streamed: float, hw: HardwareConfig) -> LayerCost:
    """Combine a layer's terms with the parameter bytes it streams from off chip."""
    cycle_ms = 1e-3 / hw.clock_mhz
    cached = t.param_bytes - streamed
    offchip = t.spill_bytes + streamed
    memory_ms = t.act_ms + cached / hw.param_bytes_per_cycle * cycle_ms + offchip / (hw.offchip_gbps * 1e6)
    onchip = t.act_bytes + cached
    energy_pj = t.macs * hw.energy_pj_per_mac + onchip * hw.energy_pj_per_byte_onchip
    energy_pj += offchip * hw.energy_pj_per_byte_offchip
    ms = max(t.compute_ms, memory_ms) + t.overhead_ms
    return LayerCost(ms, t.compute_ms, memory_ms, onchip, offchip, energy_pj * 1e-9)


def host_ms(in_bytes: float, out_bytes: float, hw: HardwareConfig) -> float:
    """Time to send the input and fetch the output over the host link."""
    return (in_bytes + out_bytes) / (hw.host_gbps * 1e6)


def network_totals(terms: list[Terms], in_bytes: float, out_bytes: float, hw: HardwareConfig) -> dict[str, float]:
    """Latency, energy and counts of a network from its per-layer terms (the fast path, no per-layer report)."""
    streamed, fits = streamed_bytes([t.param_bytes for t in terms], hw)
    latency = hw.invoke_overhead_ms + host_ms(in_bytes, out_bytes, hw)
    energy = (in_bytes + out_bytes) * hw.energy_pj_per_byte_offchip * 1e-9
    for t, s in zip(terms, streamed, strict=True):
        cost = layer_cost(t, s, hw)
        latency += cost.ms
        energy += cost.energy_mj
    energy += hw.static_power_mw * latency * 1e-3  # mW x ms = uJ
    return {
        "latency_ms": latency,
        "energy_mj": energy,
        "params": float(sum(t.params for t in terms)),
        "macs": float(sum(t.macs for t in terms)),
        "param_bytes": float(sum(t.param_bytes for t in terms)),
        "fits_on_chip": fits,
    }
