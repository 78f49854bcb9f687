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
