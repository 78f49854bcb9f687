"""The analytical Edge TPU model: per-layer cost terms (vectorized over layers) and their combination.

Mapping (weight-stationary). The array has ``columns = PEs x cores`` output-channel slots, each with
``lanes_per_core`` SIMD MAC lanes that reduce over input channels and kernel taps. A weight tile holds whole input
channels: a narrow layer (cin < lanes) packs ``lanes // cin`` kernel taps per tile, a wide one needs
``ceil(cin / lanes)`` tiles per tap. A conv needs ``reduction tiles x ceil(cout / columns)`` weight tiles, and each
tile stays resident while the ``P`` output positions stream through (``P`` cycles), so narrow layers leave lanes or
columns idle. The array sustains ``compute_efficiency`` of that ideal rate. Group convs run as the device runs them:
one conv per group (each an op with its own fixed cost) and a concat copy (the slices are read in place). Depthwise
convs map channels on columns and kernel taps on lanes and keep only ``depthwise_efficiency`` of those lanes busy.
Adds, pooling and resizing run on the vector path; a concat is a memory copy.

Memory. Activations move through the activation memories; the part of a layer's input plus output that exceeds
them spills off chip. Weights come from the parameter cache, or from off chip when the network's parameters do not
fit (all of them on a Coral, only the excess on a phone). A layer costs ``max(compute, memory) + fixed cost`` (plus
a group conv's concat copy). A network adds the per-invoke overhead and the host transfer of its input and output.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import NamedTuple

import numpy as np

from nasgym.hw.config import HardwareConfig
from nasgym.hw.layers import LayerKey
from nasgym.hw.rows import key_row

BIAS_BYTES = 4  # int32 bias (folded batch norm) per output channel
# vector-path operations per output element, by op code (conv, fc, add, pool, concat, resize); pooling adds its taps
_VECTOR_FACTOR = np.array([0, 0, 1, 0, 0, 4])


class TermTable(NamedTuple):
    """Cost terms of a list of layers that do not depend on the rest of the network (one array entry per layer)."""

    macs: np.ndarray
    params: np.ndarray
    param_bytes: np.ndarray
    compute_ms: np.ndarray
    act_ms: np.ndarray      # on-chip activation traffic, overlapped with compute
    copy_ms: np.ndarray     # concat copy after a group conv's per-group convs (a separate op: not overlapped)
    spill_bytes: np.ndarray  # activation bytes beyond on-chip memory (off chip)
    act_bytes: np.ndarray   # on-chip activation bytes
    overhead_ms: np.ndarray
    ops: np.ndarray         # device ops per layer (a group conv with g groups: g convs and a concat)


def key_macs(key: LayerKey) -> int:
    """Multiply-accumulates of one layer (convs and fc)."""
    if key.op == "conv":
        positions = key.h_in * key.w_in if key.transposed else key.h_out * key.w_out
        return positions * key.kh * key.kw * (key.cin // key.groups) * key.cout
    return key.cin * key.cout if key.op == "fc" else 0


def _ceil(a: np.ndarray, b: np.ndarray | int) -> np.ndarray:
    return -(-a // b)


def term_table(keys: Sequence[LayerKey], hw: HardwareConfig) -> TermTable:
    """Cost terms of validated layers on ``hw``."""
    return row_table([key_row(key) for key in keys], hw)


def row_table(rows: Sequence[tuple] | np.ndarray, hw: HardwareConfig) -> TermTable:
    """Cost terms of layer rows (:mod:`nasgym.hw.rows`) on ``hw``, computed for all layers at once."""
    if isinstance(rows, np.ndarray):
        raw = rows.astype(np.int64).reshape(-1, 11)
    else:
        raw = np.fromiter(chain.from_iterable(rows), np.int64, 11 * len(rows)).reshape(-1, 11)
    op, cin, cout, kh, kw, groups, h_in, w_in, h_out, w_out, transposed = raw.T
    lanes, columns = hw.lanes_per_core, hw.columns
    cycle_ms = 1e-3 / hw.clock_mhz
    mac_op = op <= 1  # conv or fc (fc rows have 1x1 kernels and 1x1 maps)
    hw_in, hw_out, taps = h_in * w_in, h_out * w_out, kh * kw
    act_in, act_out = cin * hw_in, cout * hw_out
    positions = hw_out + transposed * (hw_in - hw_out)
    cin_g, cout_g = cin // groups, cout // groups
    weights = taps * cin_g * cout * mac_op
    mac_cout = cout * mac_op
    params = weights + mac_cout * 2 - (op == 1) * cout  # BN scale and shift per conv channel; bias per fc output
    depthwise = (cin_g == 1) & (groups > 1)  # groups > 1 only on convs
    grouped = (groups > 1) & ~depthwise
    reduction = np.where(cin_g < lanes, -(-taps // np.maximum(lanes // cin_g, 1)), -(-cin_g // lanes) * taps)
    dense = groups * reduction * -(-cout_g // columns) * positions * mac_op
    dw = -(-taps // lanes) * -(-cout // columns) * positions / hw.depthwise_efficiency
    vector_ops = act_out * (_VECTOR_FACTOR[op] + (op == 3) * taps)
    compute_ms = (np.where(depthwise, dw, dense) / hw.compute_efficiency + vector_ops / hw.vector_ops_per_cycle)
    act_bytes = act_in + act_out + (op == 2) * act_out  # add: two inputs; concat: act_in == act_out (read + write)
    copy_bytes = grouped * 2 * act_out
    ops = 1 + grouped * groups
    act_scale = cycle_ms / hw.activation_bytes_per_cycle
    return TermTable(
        positions * weights, params, weights + BIAS_BYTES * mac_cout, compute_ms * cycle_ms, act_bytes * act_scale,
        copy_bytes * act_scale, np.maximum(0.0, act_in + act_out - hw.activation_memory_bytes),
        (act_bytes + copy_bytes).astype(float), ops * (hw.layer_overhead_cycles * cycle_ms), ops,
    )


def streamed_bytes(param_bytes: np.ndarray, hw: HardwareConfig, cache: float | None = None) -> np.ndarray:
    """Per layer, the parameter bytes read from off chip on every inference (``cache``: bytes left in the cache)."""
    cache = hw.param_cache_bytes if cache is None else cache
    if param_bytes.sum() <= cache:
        return np.zeros(len(param_bytes))
    if hw.param_streaming == "all":
        return param_bytes.astype(float)
    before = np.cumsum(param_bytes) - param_bytes
    return param_bytes - np.clip(cache - before, 0.0, param_bytes)


class LayerCosts(NamedTuple):
    """Network-dependent costs of each layer (arrays)."""

    ms: np.ndarray
    memory_ms: np.ndarray
    bytes_onchip: np.ndarray
    bytes_offchip: np.ndarray
    energy_mj: np.ndarray


def layer_costs(t: TermTable, streamed: np.ndarray, hw: HardwareConfig) -> LayerCosts:
    """Combine the layers' terms with the parameter bytes each streams from off chip."""
    cached = t.param_bytes - streamed
    offchip = t.spill_bytes + streamed
    memory_ms = t.act_ms + cached * (1e-3 / hw.clock_mhz / hw.param_bytes_per_cycle) + offchip / (hw.offchip_gbps * 1e6)
    onchip = t.act_bytes + cached
    energy = (t.macs * hw.energy_pj_per_mac + onchip * hw.energy_pj_per_byte_onchip
              + offchip * hw.energy_pj_per_byte_offchip) * 1e-9
    ms = np.maximum(t.compute_ms, memory_ms) + t.copy_ms + t.overhead_ms
    return LayerCosts(ms, memory_ms + t.copy_ms, onchip, offchip, energy)


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


def scalar_totals(rows: Sequence[tuple], in_bytes: float, out_bytes: float, hw: HardwareConfig) -> dict[str, float]:
    """The cost-model dict of a network's rows in plain Python: the same arithmetic as :func:`row_table`,
    :func:`streamed_bytes` and :func:`layer_costs` (tests pin the equality), about 1.6x faster for one network
    (numpy's per-call overhead dominates on ~60 layers). The hot path of a cost model without memoization."""
    lanes, columns = hw.lanes_per_core, hw.columns
    cycle_ms = 1e-3 / hw.clock_mhz
    ce, de, vec = hw.compute_efficiency, hw.depthwise_efficiency, hw.vector_ops_per_cycle
    act_scale, overhead = cycle_ms / hw.activation_bytes_per_cycle, hw.layer_overhead_cycles * cycle_ms
    cap = hw.activation_memory_bytes
    terms = []
    pb_total = params = macs_total = 0
    for op, cin, cout, kh, kw, g, h_in, w_in, h_out, w_out, transposed in rows:
        act_in, act_out, taps = cin * h_in * w_in, cout * h_out * w_out, kh * kw
        ops, copy = 1, 0
        if op <= 1:
            cin_g = cin // g
            positions = h_in * w_in if transposed else h_out * w_out
            weights = taps * cin_g * cout
            macs, pb = positions * weights, weights + BIAS_BYTES * cout
            params += weights + (cout if op == 1 else 2 * cout)
            if g > 1 and cin_g == 1:
                compute = -(-taps // lanes) * -(-cout // columns) * positions / de / ce * cycle_ms
            else:
                tiles = -(-taps // (lanes // cin_g)) if cin_g < lanes else -(-cin_g // lanes) * taps
                compute = g * tiles * -(-(cout // g) // columns) * positions / ce * cycle_ms
                if g > 1:
                    ops, copy = g + 1, 2 * act_out
        else:
            macs = pb = 0
            compute = act_out * (1 if op == 2 else 4 if op == 5 else taps if op == 3 else 0) / vec * cycle_ms
        spill = act_in + act_out - cap
        terms.append((macs, pb, compute, act_in + act_out + (act_out if op == 2 else 0), copy,
                      spill if spill > 0 else 0.0, ops))
        pb_total += pb
        macs_total += macs
    cache = hw.param_cache_bytes
    fits = pb_total <= cache
    stream_all = not fits and hw.param_streaming == "all"
    param_ms, offchip_ms = cycle_ms / hw.param_bytes_per_cycle, 1.0 / (hw.offchip_gbps * 1e6)
    e_mac, e_on, e_off = hw.energy_pj_per_mac, hw.energy_pj_per_byte_onchip, hw.energy_pj_per_byte_offchip
    ms = mj = 0.0
    for macs, pb, compute, act, copy, spill, ops in terms:
        if fits:
            streamed = 0.0
        elif stream_all:
            streamed = pb
        else:  # "excess": layers in order keep what is left of the cache
            streamed = pb - (pb if pb <= cache else (cache if cache > 0 else 0.0))
            cache -= pb
        cached, offchip = pb - streamed, spill + streamed
        memory = act * act_scale + cached * param_ms + offchip * offchip_ms
        ms += (compute if compute > memory else memory) + copy * act_scale + ops * overhead
        mj += (macs * e_mac + (act + copy + cached) * e_on + offchip * e_off) * 1e-9
    fixed_ms, fixed_mj = fixed_costs(in_bytes, out_bytes, hw)
    return totals(fixed_ms + ms, fixed_mj + mj, params, macs_total, pb_total, fits, hw)

