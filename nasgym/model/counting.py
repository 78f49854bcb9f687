"""Exact parameter and MAC counts of an architecture, computed analytically (no module is built)."""

from __future__ import annotations

from dataclasses import dataclass

from nasgym.model.layers import layer_macs, layer_params
from nasgym.model.lowering import lower
from nasgym.space.architecture import Architecture


@dataclass(frozen=True)
class Counts:
    """Parameter and multiply-accumulate counts of a network.

    Attributes:
        params: Trainable parameters, batch-norm scale/shift and classifier bias included.
        macs: Multiply-accumulates of one forward pass at the given input shape.
    """

    params: int
    macs: int


def count(
    arch: Architecture,
    num_classes: int = 1000,
    input_shape: tuple[int, int, int] | None = None,
    task: str = "classification",
) -> Counts:
    """Params and MACs of ``arch`` with a ``num_classes`` task head; equal to the built module's own count.

    For ``task="text"`` the host-side embedding table is not counted (see :func:`nasgym.model.lowering.lower`).
    """
    layers = lower(arch, input_shape, num_classes, task)
    return Counts(sum(map(layer_params, layers)), sum(map(layer_macs, layers)))
