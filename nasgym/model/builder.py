"""Architecture -> ``torch.nn.Module`` following the MobileNetEdgeTPUV2 block rules, with a task head.

BN (trainable scale and shift) after every conv, convs without bias, ReLU after every conv except the projection,
residual add only when stride 1 and widths are equal, logits with bias. Group convs are built either as one grouped
conv (``group_conv="grouped"``, fast to train) or as channel slice -> one conv per group -> concat
(``group_conv="split"``, the way the Edge TPU executes them); both have the same parameters and function.

The task heads (:mod:`nasgym.model.heads`) put their torch modules together from the pieces here: the backbone
(1-D for the ``text`` head: kxk convs become kx1 convs over the sequence), the classification head, the
segmentation head (FCN-style, learned bilinear-initialized upsampling) and the networks around them.
"""

from __future__ import annotations

import torch
from torch import nn

from nasgym.model.heads import get_head
from nasgym.space.architecture import Architecture
from nasgym.space.block import Block

GROUP_CONV_MODES = ("grouped", "split")


def conv2d(cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1, one_d: bool = False) -> nn.Conv2d:
    """'Same'-padded conv without bias; ``one_d`` makes it a kx1 conv along the height (sequence) axis."""
    if one_d:
        return nn.Conv2d(cin, cout, (kernel, 1), (stride, 1), (kernel // 2, 0), groups=groups, bias=False)
    return nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False)


class SplitGroupConv(nn.Module):
    """A group conv as the Edge TPU runs it: slice the channels, one full conv per group, concatenate."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, groups: int, one_d: bool = False) -> None:
        super().__init__()
        self.groups = groups
        self.convs = nn.ModuleList(
            conv2d(cin // groups, cout // groups, kernel, stride, one_d=one_d) for _ in range(groups)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        parts = torch.chunk(x, self.groups, dim=1)
        return torch.cat([conv(part) for conv, part in zip(self.convs, parts, strict=True)], dim=1)


class ConvBN(nn.Sequential):
    """'Same'-padded conv (no bias) + BatchNorm + optional ReLU."""

    def __init__(
        self, cin: int, cout: int, kernel: int = 1, stride: int = 1, groups: int = 1, act: bool = True,
        group_conv: str = "grouped", one_d: bool = False,
    ) -> None:
        if groups > 1 and groups != cin and group_conv == "split":
            conv: nn.Module = SplitGroupConv(cin, cout, kernel, stride, groups, one_d)
        else:
            conv = conv2d(cin, cout, kernel, stride, groups, one_d)
        layers = [conv, nn.BatchNorm2d(cout)]
        if act:
            layers.append(nn.ReLU(inplace=True))
        super().__init__(*layers)


class IBNBlock(nn.Module):
    """One block (any op of :data:`nasgym.space.block.OPS` except ``skip``): a ConvBN per :meth:`Block.convs`."""

    def __init__(self, block: Block, cin: int, group_conv: str = "grouped", one_d: bool = False) -> None:
        super().__init__()
        self.body = nn.Sequential(*(
            ConvBN(c.cin, c.cout, c.k, c.stride, c.groups, c.act, group_conv, one_d) for c in block.convs(cin)
        ))
        self.residual = block.has_residual(cin)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        return out + x if self.residual else out


class Backbone(nn.Module):
    """Stem, blocks and the 1x1 top conv; returns the final feature map (N, head_filters, H', W')."""

    def __init__(
        self, arch: Architecture, in_channels: int | None = None, group_conv: str = "grouped", one_d: bool = False
    ) -> None:
        super().__init__()
        if group_conv not in GROUP_CONV_MODES:
            raise ValueError(f"group_conv={group_conv!r} is invalid: expected one of {GROUP_CONV_MODES}")
        cin = in_channels if in_channels is not None else arch.input_shape[2]
        self.stem = ConvBN(cin, arch.stem_filters, arch.stem_kernel, arch.stem_stride, one_d=one_d)
        blocks, cin = [], arch.stem_filters
        for _, _, block in arch.iter_blocks():
            if block.op != "skip":
                blocks.append(IBNBlock(block, cin, group_conv, one_d))
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


class SegmentationHead(nn.Module):
    """1x1 conv to class logits + BN, then learned depthwise transposed-conv upsampling (bilinear init) + BN."""

    def __init__(self, channels: int, num_classes: int, upsample: int) -> None:
        super().__init__()
        self.logits = ConvBN(channels, num_classes, 1, act=False)
        self.upsample = upsample
        if upsample > 1:
            self.up = nn.ConvTranspose2d(num_classes, num_classes, 2 * upsample, upsample, upsample // 2,
                                         groups=num_classes, bias=False)
            self.up.weight.data.copy_(bilinear_kernel(2 * upsample).expand_as(self.up.weight))
            self.up_bn = nn.BatchNorm2d(num_classes)

    def forward(self, features: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
        out = self.logits(features)
        if self.upsample > 1:
            out = self.up_bn(self.up(out))
        return out[:, :, : size[0], : size[1]]


def bilinear_kernel(size: int) -> torch.Tensor:
    """The (size x size) kernel of bilinear upsampling by size // 2 as a transposed conv."""
    factor = (size + 1) // 2
    center = factor - 1 if size % 2 == 1 else factor - 0.5
    ramp = 1 - torch.abs(torch.arange(size, dtype=torch.float32) - center) / factor
    return torch.outer(ramp, ramp)


def total_stride(arch: Architecture) -> int:
    """Product of the stem and block strides (the backbone's downsampling factor)."""
    stride = arch.stem_stride
    for block in arch.blocks:
        stride *= block.stride
    return stride


class Network(nn.Module):
    """Backbone + task head (image tasks)."""

    def __init__(self, backbone: Backbone, head: nn.Module) -> None:
        super().__init__()
        self.backbone = backbone
        self.head = head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.backbone(x)
        if isinstance(self.head, SegmentationHead):
            return self.head(features, x.shape[-2:])
        return self.head(features)


class TextNetwork(nn.Module):
    """Token embedding (host side) + 1-D backbone + classification head; input (batch, length) int64 ids."""

    def __init__(self, embedding: nn.Embedding, backbone: Backbone, head: nn.Module) -> None:
        super().__init__()
        self.embedding = embedding
        self.backbone = backbone
        self.head = head

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.embedding(tokens).transpose(1, 2).unsqueeze(-1)  # (N, E, L, 1)
        return self.head(self.backbone(x))


def build_model(
    arch: Architecture,
    num_classes: int = 1000,
    task: str = "classification",
    group_conv: str = "grouped",
    in_channels: int | None = None,
    vocab_size: int | None = None,
) -> nn.Module:
    """Build the PyTorch network of ``arch``.

    Args:
        arch: The architecture.
        num_classes: Output classes of the task head (segmentation: classes per pixel, background included).
        task: A registered head (:func:`nasgym.model.heads.head_names`: classification, segmentation, text).
        group_conv: "grouped" (one grouped conv) or "split" (slice + per-group conv + concat).
        in_channels: Input channels of image tasks; defaults to ``arch.input_shape[2]``.
        vocab_size: Size of the token vocabulary (task "text" only, required there).
    """
    return get_head(task).build(arch, num_classes, group_conv, in_channels, vocab_size=vocab_size)
