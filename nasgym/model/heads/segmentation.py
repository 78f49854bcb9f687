"""``segmentation``: FCN-style light head on the last feature map.

1x1 conv to class logits + BN, then a learned depthwise transposed conv (kernel 2s, stride s, initialized to
bilinear interpolation) + BN that upsamples by the backbone's total stride s; the output is cropped to the input
size. Every op runs on the Edge TPU.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nasgym.model.heads.base import Head, register_head
from nasgym.model.layers import Layer, conv_layer
from nasgym.space.architecture import Architecture

if TYPE_CHECKING:
    from torch import nn


class Segmentation(Head):
    """Per-pixel class logits at the input resolution (see the module docstring)."""

    name = "segmentation"

    def layers(self, channels: int, h: int, w: int, num_classes: int, stride: int) -> list[Layer]:
        layers = [conv_layer("seg/logits", channels, num_classes, 1, 1, 1, h, w)]
        if stride > 1:
            layers.append({
                "name": "seg/upsample", "op": "conv", "cin": num_classes, "cout": num_classes, "k": 2 * stride,
                "stride": stride, "groups": num_classes, "h_in": h, "w_in": w, "h_out": h * stride,
                "w_out": w * stride, "transposed": True,
            })
        return layers

    def build(self, arch: Architecture, num_classes: int, group_conv: str, in_channels: int | None,
              **options: Any) -> nn.Module:
        from nasgym.model.builder import Backbone, Network, SegmentationHead, total_stride

        backbone = Backbone(arch, in_channels, group_conv)
        return Network(backbone, SegmentationHead(backbone.out_channels, num_classes, total_stride(arch)))


register_head(Segmentation())
