"""The simulator's result: :class:`SimReport` with totals and one :class:`LayerReport` per layer."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import overload


@dataclass(frozen=True)
class LayerReport:
    """One layer's simulated cost.

    Attributes:
        name: Layer name.
        op: conv / dwconv / gconv / tconv / fc / add / pool / concat.
        shape: "cin x h_in x w_in -> cout x h_out x w_out" plus kernel and stride for convs and pooling.
        macs: Multiply-accumulates.
        params: Parameters (weights plus two per output channel for convs, plus bias for fc).
        param_bytes: Bytes of parameters on the device (int8 weights, int32 bias).
        cycles: Device cycles of the layer (fixed cost included).
        ms: Milliseconds.
        utilization: MACs / (cycles x peak MACs per cycle).
        bound: "compute", "memory" or "overhead": which term dominates the layer's time.
        bytes_onchip: Bytes moved through on-chip memories.
        bytes_offchip: Bytes moved off chip (streamed parameters, spilled activations).
        energy_mj: Energy of the layer in mJ (static power excluded).
        ops: Device ops the layer becomes (a group conv with g groups is g convs plus a concat).
    """

    name: str
    op: str
    shape: str
    macs: int
    params: int
    param_bytes: int
    cycles: float
    ms: float
    utilization: float
    bound: str
    bytes_onchip: float
    bytes_offchip: float
    energy_mj: float
    ops: int


class LayerRows(Sequence[LayerReport]):
    """The per-layer rows of a report, built on first access: totals need none of them (``simulate`` stays fast).

    Behaves like the tuple it builds: indexing, slicing (a tuple), ``len``, iteration, equality and hashing.
    """

    __slots__ = ("_build", "_rows")

    def __init__(self, build: Callable[[], Iterable[LayerReport]]) -> None:
        self._build: Callable[[], Iterable[LayerReport]] | None = build
        self._rows: tuple[LayerReport, ...] | None = None

    def rows(self) -> tuple[LayerReport, ...]:
        """The rows as a tuple (built once)."""
        if self._rows is None:
            self._rows = tuple(self._build())
            self._build = None
        return self._rows

    @overload
    def __getitem__(self, index: int) -> LayerReport: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[LayerReport, ...]: ...

    def __getitem__(self, index):
        return self.rows()[index]

    def __len__(self) -> int:
        return len(self.rows())

    def __iter__(self) -> Iterator[LayerReport]:
        return iter(self.rows())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LayerRows | tuple):
            return self.rows() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.rows())

    def __repr__(self) -> str:
        return f"LayerRows({len(self)} layers)" if self._rows is not None else "LayerRows(not built yet)"


@dataclass(frozen=True)
class SimReport:
    """Simulated inference of one network on one hardware config.

    Attributes:
        hardware: Preset name of the hardware.
        latency_ms: Time of one inference (invoke overhead, host transfer and all layers).
        energy_mj: Energy of one inference in mJ (static power included).
        params: Parameters of the network.
        macs: Multiply-accumulates of the network.
        param_bytes: Parameter bytes on the device.
        fits_on_chip: Whether all parameters fit in the parameter cache.
        invoke_ms: Per-invoke overhead.
        host_ms: Host transfer of the input and output.
        streamed_bytes: Parameter bytes read from off chip on every inference.
        layers: Per-layer rows, in execution order (a tuple, or a :class:`LayerRows` that builds them on first use).
    """

    hardware: str
    latency_ms: float
    energy_mj: float
    params: int
    macs: int
    param_bytes: int
    fits_on_chip: bool
    invoke_ms: float
    host_ms: float
    streamed_bytes: float
    layers: tuple[LayerReport, ...] | LayerRows = field(repr=False)

    def totals(self) -> dict[str, float]:
        """The cost-model dict: latency_ms, energy_mj, params, macs, param_bytes, fits_on_chip."""
        return {
            "latency_ms": self.latency_ms, "energy_mj": self.energy_mj, "params": float(self.params),
            "macs": float(self.macs), "param_bytes": float(self.param_bytes), "fits_on_chip": self.fits_on_chip,
        }

    def to_dict(self) -> dict:
        """JSON-ready dict of everything, layers included."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "layers"}
        data["layers"] = [asdict(layer) for layer in self.layers]
        return data

    def bound_ms(self) -> dict[str, float]:
        """Milliseconds spent in layers of each bound."""
        out = {"compute": 0.0, "memory": 0.0, "overhead": 0.0}
        for layer in self.layers:
            out[layer.bound] += layer.ms
        return out

    def table(self) -> str:
        """A readable per-layer table followed by the totals."""
        head = (f"{'layer':<22} {'op':<7} {'shape':<34} {'MMACs':>8} {'cycles':>9} {'ms':>8} {'util':>6} "
                f"{'bound':<8} {'KB on':>8} {'KB off':>8}")
        lines = [head, "-" * len(head)]
        for r in self.layers:
            lines.append(
                f"{r.name[:22]:<22} {r.op:<7} {r.shape[:34]:<34} {r.macs / 1e6:>8.2f} {r.cycles:>9.0f} {r.ms:>8.4f} "
                f"{r.utilization:>6.1%} {r.bound:<8} {r.bytes_onchip / 1e3:>8.1f} {r.bytes_offchip / 1e3:>8.1f}"
            )
        bounds = ", ".join(f"{k} {v:.3f} ms" for k, v in self.bound_ms().items())
        lines += [
            "-" * len(head),
            f"hardware {self.hardware}: latency {self.latency_ms:.3f} ms (invoke {self.invoke_ms:.3f}, host transfer "
            f"{self.host_ms:.3f}, layers by bound: {bounds})",
            f"energy {self.energy_mj:.3f} mJ, {self.macs / 1e6:.1f} M MACs, {self.params:,} params, "
            f"{self.param_bytes / 2**20:.2f} MiB of parameters, "
            + ("all cached on chip" if self.fits_on_chip else f"{self.streamed_bytes / 2**20:.2f} MiB streamed per "
               "inference"),
        ]
        return "\n".join(lines)
