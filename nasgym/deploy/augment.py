"""Data augmentation for final training, in torch (no torchvision): random shifts of uint8 image batches.

Fashion-MNIST, digits and the canvas task are all centred or placed objects whose classes are not mirror-invariant
in general (shoes point one way, digits are not symmetric), so the augmentation is a random translation by up to
``max_shift`` pixels in each direction (zero-padded, the "pad and random crop" of CIFAR training), no flips.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def default_shift(image_side: int) -> int:
    """The shift for an image side: 2 px at 28, 1 px on 8x8 digits, 1/14 of the side otherwise (at least 1)."""
    return max(1, round(image_side / 14))


def random_shift(images: torch.Tensor, max_shift: int, generator: torch.Generator) -> torch.Tensor:
    """Each image of a (N, C, H, W) batch translated by a uniform random (dy, dx) in [-max_shift, max_shift]^2.

    The output has the input's shape and dtype; uncovered pixels are 0 (the background of every shipped task).
    """
    if max_shift <= 0:
        return images
    n, _, h, w = images.shape
    s = max_shift
    padded = F.pad(images, (s, s, s, s))
    offsets = torch.randint(0, 2 * s + 1, (n, 2), generator=generator)
    rows = (offsets[:, 0, None] + torch.arange(h))[:, None, :, None]  # (N, 1, H, 1)
    cols = (offsets[:, 1, None] + torch.arange(w))[:, None, None, :]  # (N, 1, 1, W)
    batch = torch.arange(n)[:, None, None, None]
    channels = torch.arange(images.shape[1])[None, :, None, None]
    return padded[batch, channels, rows, cols]
