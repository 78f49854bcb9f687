"""Mosaic segmentation data: layout, labels, determinism, split hygiene, bad arguments."""

import pytest
import torch

from nasgym.quality.data import load_dataset
from nasgym.tasks.mosaic import MosaicSpec, load_mosaic_dataset, make_mosaics


def _source(n=6, size=4):
    images = torch.arange(n * size * size, dtype=torch.int64).reshape(n, 1, size, size) % 256
    return images.to(torch.uint8), torch.arange(n, dtype=torch.int64) % 3


def test_mosaics_tile_the_items_and_label_ink_with_class_plus_one():
    images, labels = _source()
    mosaics, masks = make_mosaics(images, labels, count=3, grid=2, seed=5, ink_threshold=40)
    assert mosaics.shape == (3, 1, 8, 8) and mosaics.dtype == torch.uint8
    assert masks.shape == (3, 8, 8) and masks.dtype == torch.int64
    for m in range(3):
        for gy in range(2):
            for gx in range(2):
                tile = mosaics[m, 0, gy * 4:(gy + 1) * 4, gx * 4:(gx + 1) * 4]
                matches = [i for i in range(len(images)) if torch.equal(images[i, 0], tile)]
                assert len(matches) == 1  # every source image here is distinct
                cls = int(labels[matches[0]]) + 1
                expected = torch.where(tile > 40, torch.tensor(cls), torch.tensor(0))
                assert torch.equal(masks[m, gy * 4:(gy + 1) * 4, gx * 4:(gx + 1) * 4], expected)


def test_every_source_image_is_used_once_before_any_repeats():
    images, labels = _source(n=6)
    mosaics, _ = make_mosaics(images, labels, count=3, grid=2, seed=1)  # 12 cells = 2 passes over 6 images
    tiles = mosaics[:, 0].reshape(3, 2, 4, 2, 4).permute(0, 1, 3, 2, 4).reshape(12, 4, 4)
    first = [next(i for i in range(6) if torch.equal(images[i, 0], t)) for t in tiles[:6]]
    second = [next(i for i in range(6) if torch.equal(images[i, 0], t)) for t in tiles[6:]]
    assert sorted(first) == list(range(6)) and sorted(second) == list(range(6))


def test_same_seed_same_bytes_other_seed_other_mosaics():
    images, labels = _source(n=20)
    a = make_mosaics(images, labels, 4, seed=3)
    b = make_mosaics(images, labels, 4, seed=3)
    c = make_mosaics(images, labels, 4, seed=4)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], c[0])


def test_digits_mosaic_dataset_splits_come_from_the_matching_source_splits():
    ds = load_mosaic_dataset(source="digits", train_size=40, val_size=10, test_size=10)
    base = load_dataset("digits")
    assert ds.name == "digits_mosaic2x2"
    assert ds.num_classes == 11 and ds.input_shape == (16, 16, 1)
    assert ds.x_train.shape == (40, 1, 16, 16) and ds.y_val.shape == (10, 16, 16) and ds.x_test.shape[0] == 10
    val_tile = ds.x_val[0, 0, :8, :8]
    assert any(torch.equal(val_tile, img[0]) for img in base.x_val)
    assert not any(torch.equal(val_tile, img[0]) for img in base.x_train)
    assert 0 < ds.mean < 1 and ds.std > 0
    assert load_mosaic_dataset(MosaicSpec(source="digits", train_size=40, val_size=10, test_size=10)) is ds


def test_every_label_is_background_or_an_item_class():
    ds = load_mosaic_dataset(source="digits", train_size=40, val_size=10, test_size=10)
    counts = torch.bincount(ds.y_train.flatten(), minlength=11)
    assert counts.numel() == 11 and counts[0] > 0 and (counts[1:] > 0).sum() >= 8
    assert torch.equal(ds.y_train == 0, ds.x_train[:, 0] <= 48)


def test_bad_arguments_raise_value_errors():
    images, labels = _source()
    with pytest.raises(ValueError, match="grid=0 is invalid: expected an int in"):
        make_mosaics(images, labels, 2, grid=0)
    with pytest.raises(ValueError, match="count=0 is invalid"):
        make_mosaics(images, labels, 0)
    with pytest.raises(ValueError, match="ink_threshold=255 is invalid"):
        make_mosaics(images, labels, 2, ink_threshold=255)
    with pytest.raises(ValueError, match=r"images of shape \(6, 4, 4\)"):
        make_mosaics(images[:, 0], labels, 2)
    with pytest.raises(ValueError, match=r"labels shape \(5,\) is invalid"):
        make_mosaics(images, labels[:5], 2)
    with pytest.raises(ValueError, match="source='cifar' is invalid: expected one of fashion_mnist, digits"):
        load_mosaic_dataset(source="cifar")
    with pytest.raises(ValueError, match="train_size=0 is invalid"):
        load_mosaic_dataset(source="digits", train_size=0)
    with pytest.raises(ValueError, match="seed=-1 is invalid"):
        load_mosaic_dataset(source="digits", seed=-1)
    with pytest.raises(ValueError, match=r"pass either spec or fields, not both: got spec and \['grid'\]"):
        load_mosaic_dataset(MosaicSpec(), grid=3)
