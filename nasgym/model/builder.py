"""Architecture -> ``torch.nn.Module`` following the MobileNetEdgeTPUV2 block rules.

BN (trainable scale and shift) after every conv, convs without bias, ReLU after every conv except the projection,
residual add only when stride 1 and widths are equal, logits with bias. Group convs are built either as one grouped
conv (``group_conv="grouped"``, fast to train) or as channel slice -> one conv per group -> concat
(``group_conv="split"``, the way the Edge TPU executes them); both have the same parameters and function.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from nasgym.space.architecture import Architecture
from nasgym.space.block import Block

GROUP_CONV_MODES = ("grouped", "split")


class SplitGroupConv(nn.Module):
    """A group conv as the Edge TPU runs it: slice the channels, one full conv per group, concatenate."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, groups: int) -> None:
        super().__init__()
        self.groups = groups
        self.convs = nn.ModuleList(
            nn.Conv2d(cin // groups, cout // groups, kernel, stride, kernel // 2, bias=False) for _ in range(groups)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        parts = torch.chunk(x, self.groups, dim=1)
        return torch.cat([conv(part) for conv, part in zip(self.convs, parts, strict=True)], dim=1)


class ConvBN(nn.Sequential):
    """'Same'-padded conv (no bias) + BatchNorm + optional ReLU."""

    def __init__(
        self, cin: int, cout: int, kernel: int = 1, stride: int = 1, groups: int = 1, act: bool = True,
        group_conv: str = "grouped",
    ) -> None:
        if groups > 1 and groups != cin and group_conv == "split":
            conv: nn.Module = SplitGroupConv(cin, cout, kernel, stride, groups)
        else:
            conv = nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False)
        layers = [conv, nn.BatchNorm2d(cout)]
        if act:
            layers.append(nn.ReLU(inplace=True))
        super().__init__(*layers)


class IBNBlock(nn.Module):
    """One IBN block (any op of :data:`nasgym.space.block.OPS` except ``skip``)."""

    def __init__(self, block: Block, cin: int, group_conv: str = "grouped") -> None:
        super().__init__()
        k, s, e, mid = block.kernel, block.stride, block.expansion, block.expanded(cin)
        layers: list[nn.Module] = []
        if block.op in ("ibn_dw", "ibn_grouped"):
            if e > 1 or block.op == "ibn_grouped":
                layers.append(ConvBN(cin, mid, 1))
            groups = mid if block.op == "ibn_dw" else block.groups(cin)
            layers.append(ConvBN(mid, mid, k, s, groups, group_conv=group_conv))
            layers.append(ConvBN(mid, block.filters, 1, act=False))
        elif block.op == "ibn_fused" and e == 1:
            layers.append(ConvBN(cin, block.filters, 1, s, act=False))
        else:
            layers.append(ConvBN(cin, mid, k, s, block.groups(cin), group_conv=group_conv))
            layers.append(ConvBN(mid, block.filters, 1, act=False))
        self.body = nn.Sequential(*layers)
        self.residual = block.has_residual(cin)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        return out + x if self.residual else out


class Backbone(nn.Module):
    """Stem, blocks and the 1x1 top conv; returns the final feature map (N, head_filters, H', W')."""

    def __init__(self, arch: Architecture, in_channels: int | None = None, group_conv: str = "grouped") -> None:
        super().__init__()
        if group_conv not in GROUP_CONV_MODES:
            raise ValueError(f"group_conv={group_conv!r} is invalid: expected one of {GROUP_CONV_MODES}")
        cin = in_channels if in_channels is not None else arch.input_shape[2]
        self.stem = ConvBN(cin, arch.stem_filters, arch.stem_kernel, arch.stem_stride)
        blocks, cin = [], arch.stem_filters
        for _, _, block in arch.iter_blocks():
            if block.op != "skip":
                blocks.append(IBNBlock(block, cin, group_conv))
            cin = block.filters
        self.blocks = nn.Sequential(*blocks)
        self.top = ConvBN(cin, arch.head_filters, 1)
        self.out_channels = arch.head_filters

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.top(self.blocks(self.stem(x)))


class ClassificationHead(nn.Module):
    """Global average pooling, dropout, linear classifier with bias."""

    def __init__(self, channels: int, num_classes: int, dropout: float = 0.2) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.fc(self.dropout(features.mean(dim=(2, 3))))


class Network(nn.Module):
    """Backbone + task head."""

    def __init__(self, backbone: Backbone, head: nn.Module) -> None:
        super().__init__()
        self.backbone = backbone
        self.head = head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(x))


HeadFactory = Callable[[int, int], nn.Module]
TASK_HEADS: dict[str, HeadFactory] = {"classification": ClassificationHead}


def build_model(
    arch: Architecture,
    num_classes: int = 1000,
    task: str = "classification",
    group_conv: str = "grouped",
    in_channels: int | None = None,
) -> Network:
    """Build the PyTorch network of ``arch``.

    Args:
        arch: The architecture.
        num_classes: Output classes of the task head.
        task: A key of :data:`TASK_HEADS`.
        group_conv: "grouped" (one grouped conv) or "split" (slice + per-group conv + concat).
        in_channels: Input channels; defaults to ``arch.input_shape[2]``.
    """
    if task not in TASK_HEADS:
        raise ValueError(f"task={task!r} is invalid: expected one of {', '.join(TASK_HEADS)}")
    backbone = Backbone(arch, in_channels, group_conv)
    return Network(backbone, TASK_HEADS[task](backbone.out_channels, num_classes))
