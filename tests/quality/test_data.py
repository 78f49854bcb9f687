import gzip
import struct

import numpy as np
import pytest
import torch

from nasgym.quality.data import DEFAULT_FASHION_DIR, _split, load_dataset, load_fashion_mnist, read_idx


def _write_idx(path, array: np.ndarray, gz: bool) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.astype(np.uint8).tobytes()
    (gzip.open if gz else open)(path, "wb").write(data)


@pytest.mark.parametrize("gz", [True, False])
def test_read_idx_round_trip(tmp_path, gz):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = tmp_path / ("x.idx.gz" if gz else "x.idx")
    _write_idx(path, array, gz)
    np.testing.assert_array_equal(read_idx(path), array)


def test_read_idx_rejects_bad_magic_and_truncation(tmp_path):
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x01\x02\x08\x01\x00\x00\x00\x01\x00")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(bad)
    short = tmp_path / "short"
    short.write_bytes(bytes([0, 0, 8, 1]) + struct.pack(">I", 10) + b"\x00" * 3)
    with pytest.raises(ValueError, match="expected 10"):
        read_idx(short)


def test_missing_data_names_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setenv("NASGYM_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        load_fashion_mnist()


def test_nasgym_data_overrides_the_directory(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    for stem, shape in (("train-images-idx3-ubyte", (12000, 28, 28)), ("t10k-images-idx3-ubyte", (5, 28, 28))):
        _write_idx(tmp_path / f"{stem}.gz", rng.integers(0, 256, shape), gz=True)
    _write_idx(tmp_path / "train-labels-idx1-ubyte", np.arange(12000) % 10, gz=False)
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.arange(5) % 10, gz=True)
    monkeypatch.setenv("NASGYM_DATA", str(tmp_path))
    data = load_fashion_mnist()
    assert (len(data.x_train), len(data.x_val), len(data.x_test)) == (2000, 10000, 5)
    assert data.input_shape == (28, 28, 1) and data.num_classes == 10


def test_unknown_dataset_is_named():
    with pytest.raises(ValueError, match="dataset='cifar'.*fashion_mnist, digits"):
        load_dataset("cifar")


def test_digits_split_is_fixed_and_disjoint():
    data = load_dataset("digits")
    assert (len(data.x_train), len(data.x_val), len(data.x_test)) == (1197, 300, 300)
    assert data.input_shape == (8, 8, 1) and data.x_train.dtype == torch.uint8
    train, val = _split(1497, 300, 5)
    assert len(set(train) | set(val)) == 1497 and not set(train) & set(val)
    assert np.array_equal(_split(1497, 300, 5)[1], val)
    assert abs(float(data.normalize(data.x_train).mean())) < 1e-4


@pytest.mark.skipif(not __import__("os").path.isdir(DEFAULT_FASHION_DIR), reason="dataset-fashion-mnist not installed")
def test_fashion_mnist_split_sizes_and_determinism():
    data = load_fashion_mnist(DEFAULT_FASHION_DIR)
    assert (len(data.x_train), len(data.x_val), len(data.x_test)) == (50000, 10000, 10000)
    assert data.x_train.shape[1:] == (1, 28, 28) and set(data.y_val.unique().tolist()) == set(range(10))
    again = load_fashion_mnist(DEFAULT_FASHION_DIR)
    assert torch.equal(data.y_val, again.y_val) and torch.equal(data.x_val[:50], again.x_val[:50])
