"""Cost models: the protocol the environment uses for the cost side of the reward, and the naive MAC model.

A cost model maps an :class:`~nasgym.space.Architecture` to a dict of cost figures. Every cost model returns at
least ``latency_ms``, ``energy_mj``, ``params`` and ``macs``; ``fingerprint`` identifies its configuration.
"""

from __future__ import annotations

import math
from operator import attrgetter
from typing import Protocol, runtime_checkable

from nasgym.hw.engine import fixed_costs, layers_cost, network_totals, totals
from nasgym.hw.memo import PartCost
from nasgym.hw.rows import arch_rows, layer_row, one_d_row, output_size, stem_row, uncached_block_rows
from nasgym.model.counting import count
from nasgym.model.heads import Head, get_head
from nasgym.model.lowering import lower
from nasgym.registry import Registry
from nasgym.space.architecture import Architecture

CLASSIFICATION = get_head("classification")
_PARAM_BYTES, _OPS, _PARAMS, _MACS = (attrgetter(name) for name in ("param_bytes", "ops", "params", "macs"))
_MS_CACHED, _MJ_CACHED, _MS_STREAMED, _MJ_STREAMED = (
    attrgetter(name) for name in ("ms_cached", "mj_cached", "ms_streamed", "mj_streamed"))


@runtime_checkable
class CostModel(Protocol):
    """What the environment needs from a cost model."""

    fingerprint: str

    def evaluate(self, arch: Architecture) -> dict[str, float]:
        """Cost figures of ``arch``: at least latency_ms, energy_mj, params, macs."""
        ...


class MacsCostModel:
    """The naive baseline: 'latency' proportional to MACs (``ms_per_gmac`` ms per 10^9 MACs), no energy model.

    Users compare hardware-aware search against this proxy, which ignores how the accelerator executes each op.
    """

    def __init__(self, ms_per_gmac: float = 1.0, num_classes: int = 1000) -> None:
        if not ms_per_gmac > 0:
            raise ValueError(f"ms_per_gmac={ms_per_gmac!r} is invalid: expected a positive number")
        self.ms_per_gmac = float(ms_per_gmac)
        self.num_classes = num_classes
        self.fingerprint = f"macs:v1:{self.ms_per_gmac}:{num_classes}"

    def evaluate(self, arch: Architecture) -> dict[str, float]:
        counts = count(arch, self.num_classes)
        return {
            "latency_ms": counts.macs / 1e9 * self.ms_per_gmac,
            "energy_mj": 0.0,
            "params": float(counts.params),
            "macs": float(counts.macs),
        }


class EdgeTPUCostModel:
    """Cost from the analytical Edge TPU simulator (:func:`nasgym.hw.simulate`), memoized per block.

    ``evaluate`` returns latency_ms, energy_mj, params, macs, param_bytes and fits_on_chip (bool) for the
    deployment input, equal to ``simulate(arch, hardware, input_shape, num_classes).totals()``.

    Args:
        hardware: Preset name, YAML path or :class:`~nasgym.hw.config.HardwareConfig`.
        num_classes: Classifier width used for the cost (the deployment task, e.g. 1000 for ImageNet).
        input_shape: Deployment input (height, width, channels); defaults to each architecture's own.
        memoize: Cache the cost of each (block, input channels, resolution) and of each other layer.
        head: The task head (:func:`nasgym.model.heads.head_names`, or a :class:`~nasgym.model.heads.Head`) the
            deployed network ends with, e.g. "segmentation" (then ``num_classes`` is classes per pixel).
        **overrides: Hardware fields to change.
    """

    MAX_MEMO = 200_000

    def __init__(
        self,
        hardware: object = "tensor-g1",
        num_classes: int = 1000,
        input_shape: tuple[int, int, int] | None = None,
        memoize: bool = True,
        head: str | Head = "classification",
        **overrides: object,
    ) -> None:
        from nasgym.hw.config import load_hardware
        from nasgym.hw.simulator import SIMULATOR_VERSION

        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"num_classes={num_classes!r} is invalid: expected a positive int")
        if input_shape is not None:
            if not isinstance(input_shape, list | tuple) or len(input_shape) != 3 or any(
                isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in input_shape
            ):
                raise ValueError(f"input_shape={input_shape!r} is invalid: expected (height, width, channels) > 0")
            input_shape = tuple(input_shape)
        if not isinstance(memoize, bool):
            raise ValueError(f"memoize={memoize!r} is invalid: expected true or false")
        self.head = get_head(head)
        if input_shape is not None:
            self.head.check_input(input_shape)
        self.hw = load_hardware(hardware, **overrides)
        self.num_classes = num_classes
        self.input_shape = input_shape
        self.memoize = memoize
        shape = "x".join(map(str, input_shape)) if input_shape else "arch"
        self.fingerprint = (
            f"edgetpu:sim{SIMULATOR_VERSION}:{self.hw.name}:{self.hw.content_hash}:{num_classes}:{shape}"
        ) + ("" if self.head.name == "classification" else f":{self.head.name}")
        self._memo: dict = {}

    def simulate(self, arch: Architecture):
        """The full :class:`~nasgym.hw.report.SimReport` (per-layer rows) of ``arch``."""
        from nasgym.hw.simulator import simulate

        if self.head is CLASSIFICATION:
            return simulate(arch, self.hw, self.input_shape, self.num_classes)
        return simulate(self.layers(arch), self.hw)

    def layers(self, arch: Architecture) -> list[dict]:
        """The executed layers of ``arch`` with the head at the deployment input (JSON layer schema)."""
        return lower(arch, self.input_shape, self.num_classes, self.head)

    def evaluate(self, arch: Architecture) -> dict[str, float]:
        """latency_ms, energy_mj, params, macs, param_bytes, fits_on_chip of ``arch``."""
        if not isinstance(arch, Architecture):
            raise ValueError(f"arch={arch!r:.60} is invalid: expected an Architecture")
        h, w, c = self.input_shape or arch.input_shape
        hw = self.hw
        if not self.memoize:
            if self.head is CLASSIFICATION:
                rows = arch_rows(arch, self.input_shape, self.num_classes)
            else:
                rows = [layer_row(layer) for layer in self.layers(arch)]
            return network_totals(rows, h * w * c, output_size(rows), hw)
        parts = self._parts(arch, h, w, c)
        pb = sum(map(_PARAM_BYTES, parts))
        cache = hw.cache_bytes(sum(map(_OPS, parts)))
        if pb <= cache:
            ms, mj = sum(map(_MS_CACHED, parts)), sum(map(_MJ_CACHED, parts))
        elif hw.param_streaming == "all":
            ms, mj = sum(map(_MS_STREAMED, parts)), sum(map(_MJ_STREAMED, parts))
        else:
            ms = mj = used = 0.0
            for p in parts:  # "excess": parts in order keep what is left of the cache (PartCost.cost, inlined)
                left = cache - used
                if p.param_bytes <= left:
                    ms, mj = ms + p.ms_cached, mj + p.mj_cached
                elif left <= 0:
                    ms, mj = ms + p.ms_streamed, mj + p.mj_streamed
                else:
                    ms_p, mj_p = layers_cost(p.terms, hw, "excess", left)
                    ms, mj = ms + ms_p, mj + mj_p
                used += p.param_bytes
        fixed_ms, fixed_mj = fixed_costs(h * w * c, parts[-1].out_size, hw)
        return totals(fixed_ms + ms, fixed_mj + mj, sum(map(_PARAMS, parts)), sum(map(_MACS, parts)), pb,
                      pb <= cache, hw)

    def _part(self, key: object, rows: list) -> PartCost:
        part = self._memo.get(key)
        if part is None:
            if len(self._memo) >= self.MAX_MEMO:
                self._memo.clear()
            part = self._memo[key] = PartCost(rows, self.hw)
        return part

    def _parts(self, arch: Architecture, h: int, w: int, c: int) -> list[PartCost]:
        one_d = self.head.one_d
        stem = stem_row(arch, h, w, c)
        parts = [self._part(("stem", *stem), [one_d_row(stem) if one_d else stem])]
        h, w, cin = stem[8], stem[9], arch.stem_filters
        memo = self._memo
        for block in arch.blocks:
            key = (block.key, cin, h, w)
            part = memo.get(key)
            if part is None:
                rows = uncached_block_rows(block, cin, h, w)
                part = self._part(key, [one_d_row(row) for row in rows] if one_d else rows)
                part.h_out, part.w_out = (-(-h // block.stride), -(-w // block.stride))
            parts.append(part)
            h, w, cin = part.h_out, part.w_out, block.filters
        stride = 0  # the backbone's total stride, which only heads other than classification's read
        if self.head is not CLASSIFICATION:
            stride = arch.stem_stride * math.prod(block.stride for block in arch.blocks)
        head = ("head", cin, arch.head_filters, h, w, self.num_classes, stride)
        part = memo.get(head)
        if part is None:
            top = (0, cin, arch.head_filters, 1, 1, 1, h, w, h, w, 0)
            layers = self.head.layers(arch.head_filters, h, w, self.num_classes, stride)
            rows = [top, *map(layer_row, layers)]
            part = self._part(head, rows)
            part.out_size = output_size(rows)
        parts.append(part)
        return parts


COST_MODEL_KEYS: Registry[tuple[str, ...]] = Registry("cost model kind", problem="is unknown")  # kind -> valid keys
COST_MODEL_KEYS.register("edgetpu", ("kind", "hardware", "num_classes", "input_shape", "memoize", "head", "overrides"))
COST_MODEL_KEYS.register("macs", ("kind", "ms_per_gmac", "num_classes"))
COST_MODEL_KEYS.register("task", ("kind", "task", "hardware", "input_shape", "num_classes", "memoize", "overrides"))


def make_cost_model(spec: dict) -> CostModel:
    """A cost model from a config dict.

    ``{"kind": "edgetpu", "hardware": "tensor-g1", "num_classes": 1000, "input_shape": [224, 224, 3],
    "memoize": true, "head": "classification", "overrides": {"clock_mhz": 800}}``, ``{"kind": "task", "task":
    "segmentation", ...}`` (the edgetpu model with the task's head; hardware, num_classes and input_shape default to
    coral-usb and the task's deployment network) or ``{"kind": "macs", "ms_per_gmac": 1.0, "num_classes": 1000}``;
    every key but ``kind`` is optional.

    Raises:
        ValueError: not a mapping, unknown kind, or unknown keys (the valid ones are listed).
    """
    if not isinstance(spec, dict):
        raise ValueError(f"cost model spec={spec!r} is invalid: expected a mapping with a 'kind' key")
    kind = spec.get("kind")
    unknown = sorted(set(spec) - set(COST_MODEL_KEYS.get(kind)))
    if unknown:
        raise ValueError(
            f"cost model spec for kind {kind!r} has unknown key(s) {unknown}: expected {list(COST_MODEL_KEYS[kind])}"
        )
    args = {key: value for key, value in spec.items() if key != "kind"}
    if kind == "task":  # the edgetpu model with a registered task's head and deployment defaults
        from nasgym.tasks.registry import get_task  # tasks import torch; hw does not (one-way: tasks never import hw)

        task = get_task(args.pop("task", "segmentation"))
        args = {"hardware": "coral-usb", "num_classes": task.num_classes, "input_shape": task.deployment_shape,
                "head": task.head, **args}
    if kind == "macs":
        return MacsCostModel(**args)
    overrides = args.pop("overrides", None) or {}
    if not isinstance(overrides, dict):
        raise ValueError(f"overrides={overrides!r} is invalid: expected a mapping of hardware fields")
    if isinstance(args.get("input_shape"), list):
        args["input_shape"] = tuple(args["input_shape"])
    return EdgeTPUCostModel(**args, **overrides)
