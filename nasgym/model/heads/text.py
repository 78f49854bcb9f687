"""``text``: the blocks in 1-D over token embeddings, then classification.

The input is (batch, length) token ids; an embedding table (looked up on the host, not part of the accelerator
graph or of :func:`~nasgym.count`) gives (batch, E, L, 1) with ``E = arch.input_shape[2]``; every kxk conv becomes a
kx1 conv along the sequence (depthwise IBN: depthwise kx1; fused IBN: full kx1 conv; GC-IBN: group kx1 conv),
strides subsample the sequence, then global pooling and a classifier. On the Edge TPU a conv1d is lowered as a kx1
conv on an (L, 1, C) tensor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nasgym.model.heads.base import Classification, register_head
from nasgym.space.architecture import Architecture

if TYPE_CHECKING:
    from torch import nn


class Text(Classification):
    """Sequence classification with a 1-D backbone (layers after the top conv as in classification)."""

    name = "text"
    one_d = True

    def check_input(self, input_shape: Sequence[int]) -> None:
        if input_shape[1] != 1:
            raise ValueError(f"input_shape={list(input_shape)} is invalid for task 'text': expected (seq_len, 1, "
                             "embed_dim) (a 1-D network)")

    def build(self, arch: Architecture, num_classes: int, group_conv: str, in_channels: int | None,
              **options: Any) -> nn.Module:
        from torch import nn

        from nasgym.model.builder import Backbone, ClassificationHead, TextNetwork

        vocab_size = options.get("vocab_size")
        if isinstance(vocab_size, bool) or not isinstance(vocab_size, int) or vocab_size < 1:
            raise ValueError(f"vocab_size={vocab_size!r} is invalid: expected a positive int for task 'text'")
        backbone = Backbone(arch, arch.input_shape[2], group_conv, one_d=True)
        embedding = nn.Embedding(vocab_size, arch.input_shape[2], padding_idx=0)
        return TextNetwork(embedding, backbone, ClassificationHead(backbone.out_channels, num_classes))


register_head(Text())
