"""``simulate``: the Edge TPU performance simulator's entry point for architectures, layer lists and torch modules."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from nasgym.hw.config import HardwareConfig, load_hardware
from nasgym.hw.engine import (
    LayerCost,
    Terms,
    fixed_costs,
    host_ms,
    layer_terms,
    layers_cost,
    streaming_mode,
    totals,
)
from nasgym.hw.layers import LayerKey, check_layers
from nasgym.hw.report import LayerReport, LayerRows, SimReport
from nasgym.hw.rows import Row, arch_rows, key_row
from nasgym.model.lowering import lower
from nasgym.space.architecture import Architecture

SIMULATOR_VERSION = "4"  # 2: im2col lane packing; 3: executable share of the on-chip memory; 4: Coral caches
# parameters in execution order and streams the rest (after the layer computes), non-foldable BN as mul + add


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
    names, keys = tuple(names), tuple(keys)
    return _simulate_rows([key_row(key) for key in keys], lambda: (names, keys), hw)


def _simulate_rows(
    rows: Sequence[Row], labels: Callable[[], tuple[Sequence[str], Sequence[LayerKey]]], hw: HardwareConfig
) -> SimReport:
    """The report of layer rows; ``labels()`` gives the names and keys of the same layers when the per-layer rows
    are first read (the totals need only the rows)."""
    terms = layer_terms(rows, hw)
    mode, param_bytes, cache = streaming_mode(terms, hw)
    ms, mj = layers_cost(terms, hw, mode, cache)
    first, last = rows[0], rows[-1]
    in_bytes, out_bytes = first[1] * first[6] * first[7], last[2] * last[8] * last[9]  # cin*h_in*w_in, cout*h*w
    fixed_ms, fixed_mj = fixed_costs(in_bytes, out_bytes, hw)
    if mode == "cached":
        streamed = 0.0
    elif mode == "all":
        streamed = float(param_bytes)
    else:  # "excess": the layers fill the cache in order, the rest streams
        streamed = float(max(0.0, param_bytes - cache))
    out = totals(fixed_ms + ms, fixed_mj + mj, 0, 0, param_bytes, mode == "cached", hw)
    return SimReport(
        hardware=hw.name, latency_ms=out["latency_ms"], energy_mj=out["energy_mj"], params=sum(t[1] for t in terms),
        macs=sum(t[0] for t in terms), param_bytes=param_bytes, fits_on_chip=mode == "cached",
        invoke_ms=hw.invoke_overhead_ms, host_ms=host_ms(in_bytes, out_bytes, hw), streamed_bytes=streamed,
        layers=LayerRows(lambda: _layer_reports(*labels(), terms, mode, cache, hw)),
    )


def _layer_reports(
    names: Sequence[str], keys: Sequence[LayerKey], terms: Sequence[Terms], mode: str, cache: float,
    hw: HardwareConfig,
) -> list[LayerReport]:
    """One :class:`LayerReport` per layer (the per-layer detail of :func:`_simulate_rows`)."""
    costs: list[LayerCost] = []
    layers_cost(terms, hw, mode, cache, costs)
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
    return rows


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
    torch = sys.modules.get("torch")  # a torch module exists only if torch is imported: never import it here
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
    if isinstance(x, Architecture):  # valid by construction: cost its rows, lower it to named layers on demand
        _check_arch_args(input_shape, num_classes)
        return _simulate_rows(arch_rows(x, input_shape, num_classes),
                              lambda: lowered_keys(x, input_shape, num_classes), hw)
    names, keys = check_layers(to_layers(x, input_shape, num_classes))
    return simulate_layers(names, keys, hw)


def lowered_keys(
    arch: Architecture, input_shape: Sequence[int] | None = None, num_classes: int = 1000
) -> tuple[list[str], list[LayerKey]]:
    """Names and keys of ``nasgym.lower(arch, ...)``, equal to ``check_layers`` of it without re-validating layers
    that nasgym's own lowering made (a test pins the equality)."""
    names, keys = [], []
    for layer in lower(arch, input_shape, num_classes):
        k, s, op = layer["k"], layer["stride"], layer["op"]
        names.append(layer["name"])
        keys.append(LayerKey(op, layer["cin"], layer["cout"], layer.get("kh", k), layer.get("kw", k), s, s,
                             layer["groups"], layer["h_in"], layer["w_in"], layer["h_out"], layer["w_out"],
                             layer.get("pool", "avg" if op == "pool" else ""), layer.get("transposed", False)))
    return names, keys


def _check_arch_args(input_shape: object, num_classes: object) -> None:
    """What lowering an Architecture needs: a (height, width, channels) of positive ints and a positive int width."""
    if input_shape is not None and (
        not isinstance(input_shape, Sequence) or isinstance(input_shape, str) or len(input_shape) != 3
        or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in input_shape)
    ):
        raise ValueError(f"input_shape={input_shape!r} is invalid for an Architecture: expected (height, width, "
                         "channels) of positive ints")
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes={num_classes!r} is invalid: expected a positive int")
