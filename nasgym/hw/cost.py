"""Cost models: the protocol the environment uses for the cost side of the reward, and the naive MAC model.

A cost model maps an :class:`~nasgym.space.Architecture` to a dict of cost figures. Every cost model returns at
least ``latency_ms``, ``energy_mj``, ``params`` and ``macs``; ``fingerprint`` identifies its configuration.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from nasgym.model.counting import count
from nasgym.space.architecture import Architecture


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
        memoize: Cache the cost terms of each (block, input channels, resolution) and each other layer.
        **overrides: Hardware fields to change.
    """

    MAX_MEMO = 200_000

    def __init__(
        self,
        hardware: object = "tensor-g1",
        num_classes: int = 1000,
        input_shape: tuple[int, int, int] | None = None,
        memoize: bool = True,
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
        self.hw = load_hardware(hardware, **overrides)
        self.num_classes = num_classes
        self.input_shape = input_shape
        self.memoize = memoize
        shape = "x".join(map(str, input_shape)) if input_shape else "arch"
        self.fingerprint = (
            f"edgetpu:sim{SIMULATOR_VERSION}:{self.hw.name}:{self.hw.content_hash}:{num_classes}:{shape}"
        )
        self._blocks: dict = {}
        self._layers: dict = {}

    def simulate(self, arch: Architecture):
        """The full :class:`~nasgym.hw.report.SimReport` (per-layer rows) of ``arch``."""
        from nasgym.hw.simulator import simulate

        return simulate(arch, self.hw, self.input_shape, self.num_classes)

    def evaluate(self, arch: Architecture) -> dict[str, float]:
        """latency_ms, energy_mj, params, macs, param_bytes, fits_on_chip of ``arch``."""
        from nasgym.hw.engine import network_totals

        if not isinstance(arch, Architecture):
            raise ValueError(f"arch={arch!r:.60} is invalid: expected an Architecture")
        h, w, c = self.input_shape or arch.input_shape
        terms = self._terms(arch, h, w, c) if self.memoize else self._terms_plain(arch)
        return network_totals(terms, h * w * c, self.num_classes, self.hw)

    def _terms_plain(self, arch: Architecture) -> list:
        from nasgym.hw.engine import layer_terms
        from nasgym.hw.layers import check_layers
        from nasgym.model.lowering import lower

        _, keys = check_layers(lower(arch, self.input_shape, self.num_classes))
        return [layer_terms(key, self.hw) for key in keys]

    def _layer(self, layer: dict):
        from nasgym.hw.engine import layer_terms
        from nasgym.hw.layers import check_layer

        key = check_layer(layer)[1]
        terms = self._layers.get(key)
        if terms is None:
            terms = self._layers[key] = layer_terms(key, self.hw)
        return terms

    def _terms(self, arch: Architecture, h: int, w: int, c: int) -> list:
        from nasgym.hw.engine import layer_terms
        from nasgym.hw.layers import check_layer
        from nasgym.model.lowering import conv_layer, lower_block

        if len(self._blocks) + len(self._layers) > self.MAX_MEMO:
            self._blocks.clear()
            self._layers.clear()
        stem = conv_layer("stem", c, arch.stem_filters, arch.stem_kernel, arch.stem_stride, 1, h, w)
        terms = [self._layer(stem)]
        h, w, cin = stem["h_out"], stem["w_out"], arch.stem_filters
        blocks = self._blocks
        for block in arch.blocks:
            key = (block, cin, h, w)
            hit = blocks.get(key)
            if hit is None:
                layers = lower_block(block, cin, h, w, "b")
                block_terms = [layer_terms(check_layer(layer)[1], self.hw) for layer in layers]
                if layers:
                    hit = blocks[key] = (block_terms, layers[-1]["h_out"], layers[-1]["w_out"])
                else:
                    hit = blocks[key] = (block_terms, h, w)
            terms += hit[0]
            h, w, cin = hit[1], hit[2], block.filters
        top = conv_layer("top", cin, arch.head_filters, 1, 1, 1, h, w)
        pool = {"name": "pool", "op": "pool", "cin": arch.head_filters, "cout": arch.head_filters, "k": h, "kh": h,
                "kw": w, "stride": 1, "groups": 1, "h_in": h, "w_in": w, "h_out": 1, "w_out": 1, "pool": "avg"}
        fc = {"name": "fc", "op": "fc", "cin": arch.head_filters, "cout": self.num_classes, "k": 1, "stride": 1,
              "groups": 1, "h_in": 1, "w_in": 1, "h_out": 1, "w_out": 1}
        terms += [self._layer(top), self._layer(pool), self._layer(fc)]
        return terms


COST_MODEL_KEYS: dict[str, tuple[str, ...]] = {
    "edgetpu": ("kind", "hardware", "num_classes", "input_shape", "memoize", "overrides"),
    "macs": ("kind", "ms_per_gmac", "num_classes"),
}


def make_cost_model(spec: dict) -> CostModel:
    """A cost model from a config dict.

    ``{"kind": "edgetpu", "hardware": "tensor-g1", "num_classes": 1000, "input_shape": [224, 224, 3],
    "memoize": true, "overrides": {"clock_mhz": 800}}`` or ``{"kind": "macs", "ms_per_gmac": 1.0, "num_classes":
    1000}``; every key but ``kind`` is optional.

    Raises:
        ValueError: not a mapping, unknown kind, or unknown keys (the valid ones are listed).
    """
    if not isinstance(spec, dict):
        raise ValueError(f"cost model spec={spec!r} is invalid: expected a mapping with a 'kind' key")
    kind = spec.get("kind")
    if kind not in COST_MODEL_KEYS:
        raise ValueError(f"cost model kind={kind!r} is unknown: expected one of {', '.join(COST_MODEL_KEYS)}")
    unknown = sorted(set(spec) - set(COST_MODEL_KEYS[kind]))
    if unknown:
        raise ValueError(
            f"cost model spec for kind {kind!r} has unknown key(s) {unknown}: expected {list(COST_MODEL_KEYS[kind])}"
        )
    args = {key: value for key, value in spec.items() if key != "kind"}
    if kind == "macs":
        return MacsCostModel(**args)
    overrides = args.pop("overrides", None) or {}
    if not isinstance(overrides, dict):
        raise ValueError(f"overrides={overrides!r} is invalid: expected a mapping of hardware fields")
    if isinstance(args.get("input_shape"), list):
        args["input_shape"] = tuple(args["input_shape"])
    return EdgeTPUCostModel(**args, **overrides)
