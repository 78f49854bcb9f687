"""Proxy networks of the segmentation and text tasks (same blocks as the searched deployment network).

Both reuse :func:`nasgym.quality.proxy.proxy_architecture` (Fashion-MNIST's rule): every block choice (op,
kernel, expansion, group size, width, depth, residual flags) is kept; strides are dropped from the front (stem
first, then the earliest stride-2 blocks) only until the final feature map is at least ``min_resolution``
positions long; widths are optionally scaled by ``width_multiplier`` (rounded to a multiple of
``max(8, largest group size)``).

- **Segmentation** (:func:`segmentation_proxy`): input = the mosaic (e.g. 56x56x1). With the task's default
  ``min_resolution=2`` a 32x-downsampling backbone (the ``proxy`` and ``edgetpu-v2`` spaces) keeps every stride:
  56 -> 28 -> 14 -> 7 -> 4 -> 2, one final position per 28x28 item, and the head upsamples 32x like the
  deployment network (e.g. 512x512x3, latency). ``min_resolution=4`` drops the stem stride (56 -> 56 -> 28 -> 14
  -> 7 -> 4, 16x upsampling): a finer proxy at about 3x the training time.
- **Text** (:func:`text_proxy`): input = (seq_len, 1, embed_dim), e.g. (64, 1, 64). Strides apply to the
  sequence axis only (the width axis stays 1), so the same rule runs on the sequence length: with
  ``min_length=2`` and 64 tokens a 32x backbone keeps every stride (64 -> 32 -> 16 -> 8 -> 4 -> 2). The proxy is
  then the deployment network itself (the text task is small enough to train at deployment size); widths are
  channel counts over the embedding as in 2-D.

How each block op maps to 1-D (``task="text"`` in :func:`nasgym.build_model` / :func:`nasgym.lower`):

======================  ==========================================  ==========================================
op                      2-D (image)                                  1-D (sequence of ``embed_dim`` channels)
======================  ==========================================  ==========================================
stem                    kxk conv, stride s                           kx1 conv over tokens, stride s on tokens
``ibn_dw``              1x1 expand, depthwise kxk, 1x1 project       1x1 expand, depthwise kx1, 1x1 project
``ibn_fused``           full kxk expand, 1x1 project                 full kx1 expand (a conv1d), 1x1 project
``ibn_fused_grouped``   group kxk expand, 1x1 project                group kx1 expand, 1x1 project
``ibn_grouped``         1x1 expand, group kxk, 1x1 project           1x1 expand, group kx1, 1x1 project
``skip`` / residual     identity / add                               identity / add
top + head              1x1 conv, global pool, fc                    1x1 conv, mean over tokens, fc
======================  ==========================================  ==========================================

On the Edge TPU a conv1d is lowered as a kx1 conv on an (L, 1, C) tensor (layer dicts with ``kh=k, kw=1``).
"""

from __future__ import annotations

from nasgym.quality.proxy import proxy_architecture
from nasgym.space.architecture import Architecture


def segmentation_proxy(
    arch: Architecture, input_shape: tuple[int, int, int], width_multiplier: float = 1.0, min_resolution: int = 2,
) -> Architecture:
    """The segmentation proxy of ``arch`` for ``input_shape`` (height, width, channels); see the module docstring.

    Raises:
        ValueError: On a bad ``input_shape``, ``width_multiplier`` or ``min_resolution``.
    """
    return proxy_architecture(arch, tuple(input_shape), width_multiplier, min_resolution)


def text_proxy(
    arch: Architecture, seq_len: int, embed_dim: int, width_multiplier: float = 1.0, min_length: int = 2,
) -> Architecture:
    """The 1-D proxy of ``arch``: input (seq_len, 1, embed_dim), strides dropped only below ``min_length``.

    Raises:
        ValueError: On a bad ``seq_len``, ``embed_dim``, ``width_multiplier`` or ``min_length``.
    """
    for name, value in (("seq_len", seq_len), ("embed_dim", embed_dim)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name}={value!r} is invalid: expected a positive int")
    square = proxy_architecture(arch, (seq_len, seq_len, embed_dim), width_multiplier, min_length)
    return square.replace(input_shape=(seq_len, 1, embed_dim))
