"""Exact parameter and MAC counts of an architecture, computed analytically (no module is built)."""

from __future__ import annotations

from dataclasses import dataclass

from nasgym.model.heads import get_head
from nasgym.model.layers import layer_macs, layer_params
from nasgym.space.architecture import Architecture
from nasgym.space.block import Block
from nasgym.space.convs import MEMO_SIZE


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
    The sums of :func:`~nasgym.model.layers.layer_params` / :func:`~nasgym.model.layers.layer_macs` over
    :func:`~nasgym.model.lowering.lower`'s layers, computed from each block's convs without the layer dicts
    (memoized per block and input).
    """
    head = get_head(task)
    one_d = head.one_d
    h, w, c = tuple(input_shape) if input_shape is not None else arch.input_shape
    k, stride = arch.stem_kernel, arch.stem_stride
    params, macs, h, w = _conv(c, arch.stem_filters, k, stride, 1, h, w, one_d)
    cin = arch.stem_filters
    memo = _BLOCKS
    for block in arch.blocks:
        if block.op == "skip":  # a removed block: no layers
            continue
        key = (block.key, cin, h, w, one_d)
        part = memo.get(key)
        if part is None:
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            part = memo[key] = block_counts(block, cin, h, w, one_d)
        params += part[0]
        macs += part[1]
        h, w, cin = part[2], part[3], block.filters
        stride *= block.stride
    top = _conv(cin, arch.head_filters, 1, 1, 1, h, w, one_d)
    layers = head.layers(arch.head_filters, h, w, num_classes, stride)
    return Counts(params + top[0] + sum(map(layer_params, layers)), macs + top[1] + sum(map(layer_macs, layers)))


# (block key, cin, h, w, one_d) -> (params, macs, h_out, w_out) of the block: an architecture's MAC count is the sum
# of its blocks', and blocks recur across the architectures of a search
_BLOCKS: dict[tuple, tuple[int, int, int, int]] = {}


def _conv(cin: int, cout: int, k: int, stride: int, groups: int, h: int, w: int,
          one_d: bool) -> tuple[int, int, int, int]:
    """(params, macs, h_out, w_out) of one 'same'-padded conv: :func:`layer_params` / :func:`layer_macs` of its
    :func:`~nasgym.model.layers.conv_layer` (a 1-D backbone's kxk kernel is kx1, as in
    :func:`~nasgym.model.heads.one_d_layer`)."""
    h_out, w_out = -(-h // stride), -(-w // stride)
    weights = (k if one_d else k * k) * (cin // groups) * cout
    return weights + 2 * cout, h_out * w_out * weights, h_out, w_out


def block_counts(block: Block, cin: int, h: int, w: int, one_d: bool) -> tuple[int, int, int, int]:
    """(params, macs, h_out, w_out) of the layers of :func:`~nasgym.model.lowering.lower_block` (its convs; the
    residual add has none)."""
    params = macs = 0
    for _, _, conv_in, cout, k, stride, groups, _ in block.convs(cin):
        conv_params, conv_macs, h, w = _conv(conv_in, cout, k, stride, groups, h, w, one_d)
        params += conv_params
        macs += conv_macs
    return params, macs, h, w
