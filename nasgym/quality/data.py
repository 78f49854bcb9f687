"""Datasets for the quality evaluators: Fashion-MNIST from IDX files and scikit-learn's digits.

Fashion-MNIST comes from Debian's ``dataset-fashion-mnist`` package (IDX files, optionally gzipped, under
``/usr/share/datasets/fashion-mnist``); the directory can be overridden by the ``data_dir`` argument or the
``NASGYM_DATA`` environment variable. The 60k training images are split once, with a fixed seed, into 50k for
training and 10k for validation; the 10k test images are only for final reporting. Nothing is downloaded.

``digits`` (scikit-learn's bundled 8x8 digits, 1797 images) is a tiny dataset for tests: 1197 train, 300
validation, 300 test, also split with a fixed seed.
"""

from __future__ import annotations

import gzip
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

DEFAULT_FASHION_DIR = "/usr/share/datasets/fashion-mnist"
DATASETS: tuple[str, ...] = ("fashion_mnist", "digits")
IMAGE_SIDES: dict[str, int] = {"fashion_mnist": 28, "digits": 8}  # side of one image, in pixels
SPLIT_SEED = 20220601
INSTALL_HINT = "sudo apt-get install dataset-fashion-mnist (or point NASGYM_DATA at a directory with the IDX files)"

_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"),
              0x0E: np.dtype(">f8")}


@dataclass(frozen=True)
class Dataset:
    """Images as uint8 tensors (N, 1, H, W) plus int64 labels, split into train / val / test.

    Attributes:
        name: Dataset name.
        x_train, y_train: Training split.
        x_val, y_val: Validation split (what evaluators score on).
        x_test, y_test: Test split (final reporting only).
        mean, std: Pixel statistics (in [0, 1] units) of the training split, for normalization.
        num_classes: Number of classes.
    """

    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    mean: float
    std: float
    num_classes: int

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(height, width, channels) of one image."""
        _, c, h, w = self.x_train.shape
        return (h, w, c)

    def normalize(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 images -> normalized float32."""
        return (images.float() / 255.0 - self.mean) / self.std


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (gzipped or not) into a numpy array.

    Raises:
        ValueError: If the file is not a valid IDX file.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        data = handle.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise ValueError(f"{path} is not an IDX file: expected a 0x0000 magic number and a known type code")
    dtype, ndim = np.dtype(_IDX_TYPES[data[2]]), data[3]
    header = 4 + 4 * ndim
    dims = struct.unpack(f">{ndim}I", data[4:header])
    expected = int(np.prod(dims)) * dtype.itemsize
    if len(data) - header != expected:
        raise ValueError(f"{path} has {len(data) - header} data bytes: expected {expected} for shape {dims}")
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(dims)


def fashion_mnist_dir(data_dir: str | Path | None = None) -> Path:
    """The Fashion-MNIST directory: ``data_dir``, else ``$NASGYM_DATA``, else Debian's location."""
    return Path(data_dir or os.environ.get("NASGYM_DATA") or DEFAULT_FASHION_DIR)


def _idx_file(directory: Path, stem: str) -> Path:
    for candidate in (directory / f"{stem}.gz", directory / stem):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"Fashion-MNIST file {stem}[.gz] not found in {directory}: install it with {INSTALL_HINT}"
    )


def _split(n: int, n_val: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def _make(name: str, x: np.ndarray, y: np.ndarray, xt: np.ndarray, yt: np.ndarray, n_val: int) -> Dataset:
    train, val = _split(len(x), n_val, SPLIT_SEED)
    x_train = torch.from_numpy(x[train])
    pixels = x_train.float() / 255.0
    return Dataset(
        name=name,
        x_train=x_train,
        y_train=torch.from_numpy(y[train].astype(np.int64)),
        x_val=torch.from_numpy(x[val]),
        y_val=torch.from_numpy(y[val].astype(np.int64)),
        x_test=torch.from_numpy(np.array(xt)),
        y_test=torch.from_numpy(yt.astype(np.int64)),
        mean=float(pixels.mean()),
        std=float(pixels.std()),
        num_classes=int(y.max()) + 1,
    )


def load_fashion_mnist(data_dir: str | Path | None = None) -> Dataset:
    """Fashion-MNIST: 50k train / 10k validation (fixed split of the 60k training images) / 10k test."""
    directory = fashion_mnist_dir(data_dir)
    arrays = {stem: read_idx(_idx_file(directory, stem)) for stem in (
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
    x, y = arrays["train-images-idx3-ubyte"], arrays["train-labels-idx1-ubyte"]
    xt, yt = arrays["t10k-images-idx3-ubyte"], arrays["t10k-labels-idx1-ubyte"]
    if x.ndim != 3 or len(x) != len(y) or xt.ndim != 3 or len(xt) != len(yt):
        raise ValueError(f"Fashion-MNIST files in {directory} have inconsistent shapes {x.shape}/{y.shape}")
    return _make("fashion_mnist", x[:, None], y, xt[:, None], yt, n_val=10_000)


def load_digits() -> Dataset:
    """scikit-learn's 8x8 digits (bundled, no download): 1197 train / 300 validation / 300 test."""
    from sklearn.datasets import load_digits as sk_digits

    bunch = sk_digits()
    images = np.clip(bunch.images * (255.0 / 16.0), 0, 255).round().astype(np.uint8)[:, None]
    labels = bunch.target.astype(np.int64)
    rest, test = _split(len(images), 300, SPLIT_SEED + 1)
    return _make("digits", images[rest], labels[rest], images[test], labels[test], n_val=300)


_LOADED: dict[tuple[str, str], Dataset] = {}


def load_dataset(name: str, data_dir: str | Path | None = None) -> Dataset:
    """Load (and memoize per process) a dataset by name.

    Raises:
        ValueError: If ``name`` is unknown.
        FileNotFoundError: If the Fashion-MNIST files are missing (the message gives the install command).
    """
    if name not in DATASETS:
        raise ValueError(f"dataset={name!r} is invalid: expected one of {', '.join(DATASETS)}")
    key = (name, str(fashion_mnist_dir(data_dir)) if name == "fashion_mnist" else "")
    if key not in _LOADED:
        _LOADED[key] = load_fashion_mnist(data_dir) if name == "fashion_mnist" else load_digits()
    return _LOADED[key]
