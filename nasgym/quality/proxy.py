"""The proxy network: a deployment architecture adapted to a small proxy task (e.g. Fashion-MNIST 28x28x1).

Latency is simulated for the deployment input (e.g. 224x224x3); quality is measured on the proxy task with the
*same blocks*. :func:`proxy_architecture` keeps every block choice (op, kernel, expansion, group size, widths,
depth, residual flags) and changes only:

1. the input shape, to the proxy task's (height, width, channels);
2. strides, dropped from the front of the network (stem first, then the earliest stride-2 blocks) until the final
   feature map is at least ``min_resolution`` pixels on each side. For every shipped space and reference net
   (32x downsampling: stem and four stride-2 blocks) and 28x28 inputs this is just stem stride 1
   (28 -> 14 -> 7 -> 4 -> 2); an 8x8 input (digits) also drops the first two stride-2 blocks. A block whose stride
   is dropped gains a residual add when its input and output widths match, as any stride-1 block does;
3. optionally all widths (stem, blocks, head) scaled by ``width_multiplier`` and rounded (half up) to a multiple
   of 4, at least 8 (fine enough that a quarter-width copy keeps the width ratios between the members of a family
   within 25 % from 16 channels up), and each group conv's group size scaled with them: the valid group size for
   the new channel counts closest to ``group_size * width_multiplier``, so the number of groups stays about the
   same (default 1.0: widths and group sizes unchanged). Scaling down therefore shrinks every network, group convs
   included.
"""

from __future__ import annotations

import math

from torch import nn

from nasgym.model import build_model
from nasgym.space.architecture import Architecture
from nasgym.space.block import Block, grouping_error

FASHION_MNIST_SHAPE: tuple[int, int, int] = (28, 28, 1)


def _final_resolution(size: int, strides: list[int]) -> int:
    for stride in strides:
        size = math.ceil(size / stride)
    return size


WIDTH_DIVISOR = 4  # scaled widths are multiples of this ...
MIN_SCALED_WIDTH = 8  # ... and at least this


def _scale(width: int, multiplier: float) -> int:
    return max(MIN_SCALED_WIDTH, math.floor(width * multiplier / WIDTH_DIVISOR + 0.5) * WIDTH_DIVISOR)


def _scaled_group_size(block: Block, cin: int, multiplier: float) -> int:
    """The group size valid for ``block`` on ``cin`` input channels that is closest to its own times ``multiplier``
    (ties: the larger one)."""
    target = block.group_size * multiplier
    valid = [g for g in range(1, block.expanded(cin) + 1)
             if grouping_error(block.op, cin, block.expansion, g) is None]
    return min(valid, key=lambda g: (abs(g - target), -g))


def proxy_architecture(
    arch: Architecture,
    input_shape: tuple[int, int, int] = FASHION_MNIST_SHAPE,
    width_multiplier: float = 1.0,
    min_resolution: int = 2,
) -> Architecture:
    """Adapt ``arch`` to the proxy task's input (see the module docstring for the exact rules).

    Args:
        arch: The deployment architecture.
        input_shape: Proxy input as (height, width, channels).
        width_multiplier: Scale of every width (> 0); 1.0 keeps them.
        min_resolution: Smallest allowed side of the final feature map.

    Raises:
        ValueError: On a bad ``input_shape``, ``width_multiplier`` or ``min_resolution``.
    """
    if (not isinstance(input_shape, tuple | list) or len(input_shape) != 3
            or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in input_shape)):
        raise ValueError(f"input_shape={input_shape!r} is invalid: expected (height, width, channels) positive ints")
    if isinstance(width_multiplier, bool) or not isinstance(width_multiplier, int | float) or width_multiplier <= 0:
        raise ValueError(f"width_multiplier={width_multiplier!r} is invalid: expected a number > 0")
    if isinstance(min_resolution, bool) or not isinstance(min_resolution, int) or min_resolution < 1:
        raise ValueError(f"min_resolution={min_resolution!r} is invalid: expected an int >= 1")
    side = min(input_shape[0], input_shape[1])
    if side < min_resolution:
        raise ValueError(f"input_shape={input_shape!r} is smaller than min_resolution={min_resolution}")
    strides = [arch.stem_stride] + [block.stride for block in arch.blocks]
    drop = 0
    while _final_resolution(side, strides) < min_resolution:
        while strides[drop] == 1:
            drop += 1
        strides[drop] = 1
    scaled = width_multiplier != 1.0

    def width(value: int) -> int:
        return _scale(value, width_multiplier) if scaled else value

    stages, position, cin = [], 1, width(arch.stem_filters)
    for stage in arch.stages:
        blocks = []
        for block in stage:
            group_size = block.group_size
            if scaled and block.is_grouped:
                group_size = _scaled_group_size(block, cin, width_multiplier)
            blocks.append(Block(
                op=block.op, filters=width(block.filters), kernel=block.kernel, expansion=block.expansion,
                stride=strides[position], group_size=group_size, residual=block.residual,
            ))
            cin = blocks[-1].filters
            position += 1
        stages.append(tuple(blocks))
    return Architecture(
        stages=tuple(stages),
        stem_filters=width(arch.stem_filters),
        stem_kernel=arch.stem_kernel,
        stem_stride=strides[0],
        head_filters=width(arch.head_filters),
        input_shape=tuple(input_shape),
    )


def build_proxy_model(
    arch: Architecture,
    num_classes: int,
    input_shape: tuple[int, int, int] = FASHION_MNIST_SHAPE,
    width_multiplier: float = 1.0,
) -> nn.Module:
    """``nasgym.build_model`` of :func:`proxy_architecture` (grouped convs as one grouped conv, fast to train)."""
    proxy = proxy_architecture(arch, input_shape, width_multiplier)
    return build_model(proxy, num_classes=num_classes, in_channels=input_shape[2])
