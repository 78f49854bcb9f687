"""Semantic-segmentation data: mosaics of classification images with per-pixel labels.

A mosaic tiles ``grid`` x ``grid`` images of a classification dataset (Fashion-MNIST 28x28 -> 56x56 canvas for
``grid=2``; scikit-learn's 8x8 digits -> 16x16 for tests). Every pixel is labeled with ``1 + class`` of the item it
belongs to where that item's ink is (pixel value > ``ink_threshold``), and 0 (background) elsewhere; so there are
``num_classes + 1`` segmentation classes. The items of each mosaic split come only from the same split of the
source dataset (train / validation / test, see :mod:`nasgym.quality.data`), drawn without replacement through
seeded shuffles (every source image is used once before any is reused). Everything is a pure function of the
arguments: same arguments, same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from nasgym.quality.data import Dataset, load_dataset

MOSAIC_SOURCES: tuple[str, ...] = ("fashion_mnist", "digits")
MOSAIC_SEED = 20221107
BACKGROUND = 0


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name}={value!r} is invalid: expected an int in [{low}, {high}]")


def make_mosaics(
    images: torch.Tensor, labels: torch.Tensor, count: int, grid: int = 2, seed: int = MOSAIC_SEED,
    ink_threshold: int = 48,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` mosaics of ``grid`` x ``grid`` items and their label maps.

    Args:
        images: Source images, uint8 (N, 1, h, w).
        labels: Source classes, int64 (N,).
        count: Number of mosaics.
        grid: Items per side.
        seed: Seed of the item order.
        ink_threshold: A pixel brighter than this is the item's ink (labeled with its class), else background.

    Returns:
        (mosaics uint8 (count, 1, grid*h, grid*w), label maps int64 (count, grid*h, grid*w)).

    Raises:
        ValueError: On bad shapes or arguments.
    """
    if images.ndim != 4 or images.shape[1] != 1 or images.dtype != torch.uint8:
        raise ValueError(f"images of shape {tuple(images.shape)} / {images.dtype} are invalid: expected uint8 "
                         "(N, 1, h, w)")
    if labels.shape != (images.shape[0],) or len(labels) == 0:
        raise ValueError(f"labels shape {tuple(labels.shape)} is invalid: expected ({images.shape[0]},) with N > 0")
    _check_int("count", count, 1, 10_000_000)
    _check_int("grid", grid, 1, 16)
    _check_int("ink_threshold", ink_threshold, 0, 254)
    n, (h, w), cells = len(images), images.shape[2:], count * grid * grid
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(n) for _ in range(-(-cells // n))])[:cells]
    index = torch.from_numpy(order).reshape(count, grid, grid)
    tiles = images[:, 0][index]  # (count, grid, grid, h, w)
    mosaics = tiles.permute(0, 1, 3, 2, 4).reshape(count, grid * h, grid * w)
    classes = (labels[index] + 1)[..., None, None].expand(-1, -1, -1, h, w)
    classes = classes.permute(0, 1, 3, 2, 4).reshape(count, grid * h, grid * w)
    masks = torch.where(mosaics > ink_threshold, classes, torch.full_like(classes, BACKGROUND))
    return mosaics[:, None].contiguous(), masks.contiguous()


@dataclass(frozen=True)
class MosaicSpec:
    """What :func:`load_mosaic_dataset` builds (its cache key)."""

    source: str = "fashion_mnist"
    grid: int = 2
    train_size: int = 10_000
    val_size: int = 1_000
    test_size: int = 1_000
    ink_threshold: int = 48
    seed: int = MOSAIC_SEED


_LOADED: dict[tuple[MosaicSpec, str], Dataset] = {}


def load_mosaic_dataset(spec: MosaicSpec | None = None, data_dir: str | Path | None = None, **fields) -> Dataset:
    """The mosaic segmentation dataset (memoized per process); ``fields`` override :class:`MosaicSpec`.

    ``y_*`` are label maps (N, H, W); ``num_classes`` counts the background. Train/val/test mosaics are drawn
    with seeds ``seed``, ``seed + 1``, ``seed + 2`` from the source's train/val/test splits.

    Raises:
        ValueError: On an unknown source or a bad size.
        FileNotFoundError: If the Fashion-MNIST files are missing.
    """
    if spec is not None and fields:
        raise ValueError(f"pass either spec or fields, not both: got spec and {sorted(fields)}")
    spec = spec or MosaicSpec(**fields)
    if spec.source not in MOSAIC_SOURCES:
        raise ValueError(f"source={spec.source!r} is invalid: expected one of {', '.join(MOSAIC_SOURCES)}")
    for name in ("train_size", "val_size", "test_size"):
        _check_int(name, getattr(spec, name), 1, 1_000_000)
    _check_int("seed", spec.seed, 0, 2**62)
    key = (spec, str(data_dir or ""))
    if key in _LOADED:
        return _LOADED[key]
    base = load_dataset(spec.source, data_dir)
    splits = {}
    for offset, (split, size) in enumerate((("train", spec.train_size), ("val", spec.val_size),
                                            ("test", spec.test_size))):
        splits[split] = make_mosaics(getattr(base, f"x_{split}"), getattr(base, f"y_{split}"), size, spec.grid,
                                     spec.seed + offset, spec.ink_threshold)
    pixels = splits["train"][0].float() / 255.0
    dataset = Dataset(
        name=f"{spec.source}_mosaic{spec.grid}x{spec.grid}",
        x_train=splits["train"][0], y_train=splits["train"][1],
        x_val=splits["val"][0], y_val=splits["val"][1],
        x_test=splits["test"][0], y_test=splits["test"][1],
        mean=float(pixels.mean()), std=float(pixels.std()),
        num_classes=base.num_classes + 1,
    )
    _LOADED[key] = dataset
    return dataset
