"""``simulate``: the Edge TPU performance simulator's entry point for architectures, layer lists and torch modules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from nasgym.hw.config import HardwareConfig, load_hardware
from nasgym.hw.engine import LayerCost, fixed_costs, host_ms, layer_terms, layers_cost, streaming_mode, totals
from nasgym.hw.layers import LayerKey, check_layers
from nasgym.hw.report import LayerReport, SimReport
from nasgym.hw.rows import key_row
from nasgym.model.lowering import lower
from nasgym.space.architecture import Architecture

SIMULATOR_VERSION = "3"  # 2: im2col lane packing; 3: executable share of the on-chip memory


def _op_label(key: LayerKey) -> str:
    if key.op != "conv":
        return key.op
    if key.transposed:
        return "tconv"
    if key.groups > 1:
        return "dwconv" if key.cin == key.groups else "gconv"
    return "conv"


def _shape(key: LayerKey) -> str:
    text = f"{key.cin}x{key.h_in}x{key.w_in}->{key.cout}x{key.h_out}x{key.w_out}"
    if key.op in ("conv", "pool"):
        text += f" k{key.kh}" if key.kh == key.kw else f" k{key.kh}x{key.kw}"
        text += f"s{key.sh}" if key.sh == key.sw else f"s{key.sh}x{key.sw}"
    if key.groups > 1:
        text += f"g{key.groups}"
    return text


def simulate_layers(names: Sequence[str], keys: Sequence[LayerKey], hw: HardwareConfig) -> SimReport:
    """Simulate validated layers (see :func:`nasgym.hw.layers.check_layers`) on ``hw``."""
    terms = layer_terms([key_row(key) for key in keys], hw)
    mode, param_bytes, cache = streaming_mode(terms, hw)
    costs: list[LayerCost] = []
    ms, mj = layers_cost(terms, hw, mode, cache, costs)
    first, last = keys[0], keys[-1]
    in_bytes, out_bytes = first.cin * first.h_in * first.w_in, last.cout * last.h_out * last.w_out
    fixed_ms, fixed_mj = fixed_costs(in_bytes, out_bytes, hw)
    cycles_per_ms = hw.clock_mhz * 1e3
    rows = []
    for name, key, (macs, params, pb, *_, ops), cost in zip(names, keys, terms, costs, strict=True):
        if cost.overhead_ms > 0 and cost.overhead_ms >= max(cost.compute_ms, cost.memory_ms):
            bound = "overhead"
        else:
            bound = "compute" if cost.compute_ms >= cost.memory_ms else "memory"
        cycles = cost.ms * cycles_per_ms
        rows.append(LayerReport(
            name=name, op=_op_label(key), shape=_shape(key), macs=macs, params=params, param_bytes=pb, cycles=cycles,
            ms=cost.ms, utilization=macs / (cycles * hw.macs_per_cycle) if cycles > 0 else 0.0, bound=bound,
            bytes_onchip=cost.bytes_onchip, bytes_offchip=cost.bytes_offchip, energy_mj=cost.energy_mj, ops=ops,
        ))
    out = totals(fixed_ms + ms, fixed_mj + mj, 0, 0, param_bytes, mode == "cached", hw)
    return SimReport(
        hardware=hw.name, latency_ms=out["latency_ms"], energy_mj=out["energy_mj"], params=sum(t[1] for t in terms),
        macs=sum(t[0] for t in terms), param_bytes=param_bytes, fits_on_chip=mode == "cached",
        invoke_ms=hw.invoke_overhead_ms, host_ms=host_ms(in_bytes, out_bytes, hw),
        streamed_bytes=float(sum(c.streamed_bytes for c in costs)), layers=tuple(rows),
    )


def to_layers(
    x: Architecture | Sequence[Mapping] | object,
    input_shape: Sequence[int] | None = None,
    num_classes: int = 1000,
) -> list[dict]:
    """Layer dicts (JSON layer schema) of an Architecture, a layer list or a ``torch.nn.Module``.

    Args:
        x: The network.
        input_shape: For an Architecture, (height, width, channels) (default: its own); for a torch module,
            required, in torch order (channels, height, width) or (1, channels, height, width).
        num_classes: Classifier width of an Architecture.
    """
    if isinstance(x, Architecture):
        return lower(x, input_shape, num_classes)
    if isinstance(x, Sequence) and not isinstance(x, str | bytes):
        return list(x)
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        torch = None
    if torch is not None and isinstance(x, torch.nn.Module):
        from nasgym.hw.fx_import import module_layers

        if input_shape is None:
            raise ValueError("input_shape=None is invalid for a torch module: expected (channels, height, width)")
        return module_layers(x, input_shape)
    raise ValueError(
        f"cannot simulate {type(x).__name__}: expected an Architecture, a list of layer dicts or a torch.nn.Module"
    )


def simulate(
    x: Architecture | Sequence[Mapping] | object,
    hardware: str | Path | HardwareConfig = "coral-usb",
    input_shape: Sequence[int] | None = None,
    num_classes: int = 1000,
    **overrides: object,
) -> SimReport:
    """Simulate one inference of ``x`` on an Edge TPU.

    Args:
        x: An :class:`~nasgym.space.Architecture`, a list of layer dicts in the JSON layer schema, or a
            ``torch.nn.Module`` (imported with torch.fx; ``input_shape`` required, torch order C, H, W).
        hardware: A preset name (:func:`nasgym.hw.hardware_names`), a YAML path or a HardwareConfig.
        input_shape: See :func:`to_layers`.
        num_classes: Classifier width of an Architecture.
        **overrides: Hardware fields to change, e.g. ``clock_mhz=250``.

    Returns:
        A :class:`SimReport` with ``latency_ms``, ``energy_mj``, ``param_bytes``, ``fits_on_chip`` and per-layer rows.
    """
    hw = load_hardware(hardware, **overrides)
    names, keys = check_layers(to_layers(x, input_shape, num_classes))
    return simulate_layers(names, keys, hw)
