"""A TuNAS-style weight-sharing supernet over a whole search space (on the proxy task's input).

Sharing scheme, per block slot: every op type has its own weights (a depthwise IBN and a fused IBN in the same slot
share nothing), sized for the largest choice of the slot. A path slices them:

- kernels are centered sub-kernels of the largest kernel (a 3x3 is the middle of the 5x5);
- expansions and widths take the first channels (the expanded width ``cin * e`` and the output width are prefixes);
- group convs keep a ``(mid_max, in_per_group_max, k, k)`` weight; a path with ``g`` groups uses its first
  ``in_per_group`` input slices, so every group size shares the same kernels;
- BatchNorm scale/shift are sliced the same way; during supernet training BN always uses batch statistics, and
  an extracted network gets its running statistics recomputed for its own path (BN recalibration).

:meth:`Supernet.layers` lists the conv/BN slices of a path in exactly the module order of
:func:`nasgym.build_model`, so :meth:`Supernet.extract` returns an ordinary standalone network with the shared weights
copied in (same function as the supernet path; tested), which the evaluator fine-tunes, recalibrates and scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from nasgym.model import build_model
from nasgym.space.architecture import Architecture
from nasgym.space.block import GROUPED_OPS, Block
from nasgym.space.convs import ConvSpec
from nasgym.space.search_space import SearchSpace


@dataclass
class Layer:
    """One ConvBN of a path: a weight slice, its BN scale/shift slices, stride, groups, activation."""

    weight: torch.Tensor
    bn_weight: torch.Tensor
    bn_bias: torch.Tensor
    stride: int
    groups: int
    act: bool


class ConvBNBank(nn.Module):
    """The largest conv weight of one slot/op position and its BN scale and shift."""

    def __init__(self, cout: int, cin: int, kernel: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(cout, cin, kernel, kernel))
        nn.init.kaiming_normal_(self.weight, mode="fan_out", nonlinearity="relu")
        self.bn_weight = nn.Parameter(torch.ones(cout))
        self.bn_bias = nn.Parameter(torch.zeros(cout))

    def take(self, cout: int, cin: int, kernel: int, stride: int = 1, groups: int = 1, act: bool = True) -> Layer:
        """The slice for ``cout`` outputs, ``cin`` inputs (per group) and a centered ``kernel``."""
        full = self.weight.shape[-1]
        if cout > self.weight.shape[0] or cin > self.weight.shape[1] or kernel > full:
            raise ValueError(f"slice ({cout}, {cin}, {kernel}) exceeds the supernet weight {tuple(self.weight.shape)}")
        lo = (full - kernel) // 2
        weight = self.weight[:cout, :cin, lo:lo + kernel, lo:lo + kernel]
        return Layer(weight, self.bn_weight[:cout], self.bn_bias[:cout], stride, groups, act)


def bank_inputs(conv: ConvSpec, in_per_group: int) -> int:
    """The input dimension of a conv's weight bank: all inputs, one (depthwise) or the largest group size."""
    return {"full": conv.cin, "depthwise": 1, "group": in_per_group}[conv.kind]


class SlotBank(nn.Module):
    """The weights of every op of one block slot: a bank per conv of the op's largest block (:meth:`Block.convs`
    with ``every=True``), sized for the slot's widest input, output, kernel, expansion and group size."""

    def __init__(self, ops: tuple[str, ...], cin: int, cout: int, kernel: int, expansion: int, in_per_group: int):
        super().__init__()
        banks, self.positions = {}, {}
        for op in ops:
            largest = Block(op, cout, kernel, expansion, group_size=in_per_group if op in GROUPED_OPS else None)
            convs = largest.convs(cin, every=True)
            banks[op] = nn.ModuleList(ConvBNBank(c.cout, bank_inputs(c, in_per_group), c.k) for c in convs)
            self.positions[op] = {c.name: i for i, c in enumerate(convs)}
        self.ops = nn.ModuleDict(banks)

    def layers(self, block: Block, cin: int) -> list[Layer]:
        """The ConvBN slices of ``block`` for ``cin`` inputs, in :class:`nasgym.model.builder.IBNBlock` order."""
        if block.op not in self.ops:
            raise ValueError(f"op={block.op!r} is not in this supernet slot: expected one of {', '.join(self.ops)}")
        bank, position = self.ops[block.op], self.positions[block.op]
        return [bank[position[c.name]].take(c.cout, c.cin // c.groups, c.k, c.stride, c.groups, c.act)
                for c in block.convs(cin)]


def _run(layer: Layer, x: torch.Tensor) -> torch.Tensor:
    pad = layer.weight.shape[-1] // 2
    x = F.conv2d(x, layer.weight, None, layer.stride, pad, 1, layer.groups)
    x = F.batch_norm(x, None, None, layer.bn_weight, layer.bn_bias, training=True)
    return F.relu(x) if layer.act else x


class Supernet(nn.Module):
    """Shared weights for every architecture of ``space`` (already adapted to the proxy input by the caller).

    Args:
        space: The search space.
        num_classes: Classes of the task head.
        in_channels: Channels of the proxy input.
        dropout: Head dropout (as in :func:`nasgym.build_model`).
    """

    def __init__(self, space: SearchSpace, num_classes: int, in_channels: int, dropout: float = 0.2) -> None:
        super().__init__()
        self.num_classes, self.in_channels, self.dropout = num_classes, in_channels, dropout
        stem = max(space.stem_filters)
        self.stem = ConvBNBank(stem, in_channels, max(space.stem_kernels))
        slots, cin = [], stem
        for spec in space.stages:
            width = max(spec.widths)
            kernel, expansion = max(spec.kernels), max(spec.expansions)
            ipg = max([1] + [g for g in spec.group_sizes])
            for b in range(spec.blocks):
                ops = tuple(op for op in spec.ops if op != "skip")
                slots.append(SlotBank(ops, cin if b == 0 else width, width, kernel, expansion, ipg))
            cin = width
        self.slots = nn.ModuleList(slots)
        self.top = ConvBNBank(max(space.head_filters), cin, 1)
        self.fc = nn.Linear(max(space.head_filters), num_classes)

    def layers(self, arch: Architecture) -> tuple[list[tuple[list[Layer], bool]], Layer, Layer]:
        """Stem layer, per non-skip block (its layers, residual flag), top layer of the (proxy) ``arch``."""
        if len(arch.blocks) != len(self.slots):
            raise ValueError(f"architecture has {len(arch.blocks)} block slots: expected {len(self.slots)}")
        stem = self.stem.take(arch.stem_filters, self.in_channels, arch.stem_kernel, arch.stem_stride)
        blocks, cin = [], arch.stem_filters
        for slot, block in zip(self.slots, arch.blocks, strict=True):
            if block.op != "skip":
                blocks.append((slot.layers(block, cin), block.has_residual(cin)))
            cin = block.filters
        return stem, blocks, self.top.take(arch.head_filters, cin, 1)

    def forward(self, x: torch.Tensor, arch: Architecture) -> torch.Tensor:
        """Logits of the path ``arch`` (BN with batch statistics)."""
        stem, blocks, top = self.layers(arch)
        x = _run(stem, x)
        for layers, residual in blocks:
            out = x
            for layer in layers:
                out = _run(layer, out)
            x = out + x if residual else out
        x = _run(top, x).mean(dim=(2, 3))
        x = F.dropout(x, self.dropout, self.training)
        return F.linear(x, self.fc.weight[:, :arch.head_filters], self.fc.bias)

    @torch.no_grad()
    def extract(self, arch: Architecture) -> nn.Module:
        """A standalone :func:`nasgym.build_model` network of ``arch`` with the shared weights copied in."""
        model = build_model(arch, num_classes=self.num_classes, in_channels=self.in_channels)
        stem, blocks, top = self.layers(arch)
        flat = [stem] + [layer for layers, _ in blocks for layer in layers] + [top]
        convbns = [model.backbone.stem]
        convbns += [convbn for block in model.backbone.blocks for convbn in block.body]
        convbns.append(model.backbone.top)
        if len(convbns) != len(flat):
            raise RuntimeError(f"supernet path has {len(flat)} convs but the built model has {len(convbns)}")
        for convbn, layer in zip(convbns, flat, strict=True):
            convbn[0].weight.copy_(layer.weight)
            convbn[1].weight.copy_(layer.bn_weight)
            convbn[1].bias.copy_(layer.bn_bias)
        model.head.fc.weight.copy_(self.fc.weight[:, :arch.head_filters])
        model.head.fc.bias.copy_(self.fc.bias)
        return model
