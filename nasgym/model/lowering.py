"""Architecture -> list of executed layers in the JSON layer schema (the simulator's input).

The backbone (stem, blocks from :meth:`~nasgym.space.Block.convs`, 1x1 top conv) is lowered here; the layers after
it come from the task's head (:mod:`nasgym.model.heads`). Layer dict constructors and counts:
:mod:`nasgym.model.layers`.
"""

from __future__ import annotations

from collections.abc import Sequence

from nasgym.model.heads import get_head, one_d_layer
from nasgym.model.layers import Layer, conv_layer, elementwise_layer, kernel_hw, layer_macs, layer_params
from nasgym.space.architecture import Architecture
from nasgym.space.block import Block

__all__ = ["Layer", "conv_layer", "kernel_hw", "layer_macs", "layer_params", "lower", "lower_block"]


def lower_block(block: Block, cin: int, h: int, w: int, prefix: str) -> list[Layer]:
    """The layers one block executes for a ``cin`` x ``h`` x ``w`` input (its :meth:`~Block.convs`, then the add)."""
    layers: list[Layer] = []
    h_in, w_in = h, w
    for name, _, conv_in, cout, k, stride, groups, _ in block.convs(cin):
        layers.append(layer := conv_layer(f"{prefix}/{name}", conv_in, cout, k, stride, groups, h, w))
        h, w = layer["h_out"], layer["w_out"]
    if block.has_residual(cin):
        layers.append(elementwise_layer(f"{prefix}/add", "add", block.filters, h_in, w_in))
    return layers


def lower(
    arch: Architecture,
    input_shape: Sequence[int] | None = None,
    num_classes: int = 1000,
    task: str = "classification",
) -> list[Layer]:
    """Every executed op of ``arch`` (convs, adds, pooling, fc) as layer dicts, in order.

    Args:
        arch: The architecture.
        input_shape: (height, width, channels); defaults to ``arch.input_shape``.
        num_classes: Width of the classifier (segmentation: classes per pixel).
        task: The head (:func:`nasgym.model.heads.head_names`): "classification" (pool + fc), "segmentation" (1x1
            logits conv + depthwise transposed-conv upsampling by the total stride) or "text" (every kxk conv is a
            kx1 conv over the sequence; the host-side embedding lookup is not an accelerator op and is not listed).
    """
    head = get_head(task)
    h, w, c = tuple(input_shape) if input_shape is not None else arch.input_shape
    layers = [conv_layer("stem", c, arch.stem_filters, arch.stem_kernel, arch.stem_stride, 1, h, w)]
    h, w, cin = layers[0]["h_out"], layers[0]["w_out"], arch.stem_filters
    stride = arch.stem_stride
    for s, b, block in arch.iter_blocks():
        if block.op == "skip":  # a removed block: no layers
            continue
        block_layers = lower_block(block, cin, h, w, f"s{s}b{b}")
        h, w = block_layers[-1]["h_out"], block_layers[-1]["w_out"]
        layers += block_layers
        cin = block.filters
        stride *= block.stride
    layers.append(conv_layer("top", cin, arch.head_filters, 1, 1, 1, h, w))
    if head.one_d:
        layers = [one_d_layer(layer) for layer in layers]
    return layers + head.layers(arch.head_filters, h, w, num_classes, stride)
