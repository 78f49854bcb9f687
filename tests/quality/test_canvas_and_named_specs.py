"""The canvas proxy task (items scaled and placed on a larger canvas) and the named evaluator specs."""

import pytest
import torch

import nasgym
from nasgym.quality import NAMED_SPECS, make_evaluator
from nasgym.quality.canvas import canvas_dataset, place_on_canvas
from nasgym.quality.data import load_dataset
from nasgym.quality.named_specs import resolve_spec


def test_items_keep_their_ink_and_land_inside_the_canvas():
    items = torch.zeros((40, 1, 8, 8), dtype=torch.uint8)
    items[:, :, 2:6, 2:6] = 200
    out = place_on_canvas(items, 24, (1.0, 2.0), seed=5)
    assert out.shape == (40, 1, 24, 24) and out.dtype == torch.uint8
    ink = (out > 100).flatten(1).sum(1)
    # a 4x4 square scaled by 1..2 covers 16..64 pixels (bilinear edges aside)
    assert int(ink.min()) >= 12 and int(ink.max()) <= 80
    positions = {tuple(torch.nonzero(o[0] > 100)[0].tolist()) for o in out}
    assert len(positions) > 20  # items are placed at many different positions
    assert torch.equal(out, place_on_canvas(items, 24, (1.0, 2.0), seed=5))
    assert not torch.equal(out, place_on_canvas(items, 24, (1.0, 2.0), seed=6))


def test_canvas_dataset_keeps_labels_and_splits():
    base = load_dataset("digits")
    data = canvas_dataset(base, 16, (1.0, 2.0))
    assert data.input_shape == (16, 16, 1) and data.num_classes == base.num_classes
    assert torch.equal(data.y_train, base.y_train) and torch.equal(data.y_test, base.y_test)
    assert len(data.x_val) == len(base.x_val) and data.name == "digits_canvas16"
    assert canvas_dataset(base, 16, (1.0, 2.0)) is data


@pytest.mark.parametrize(("fields", "match"), [
    ({"canvas": 20, "canvas_scale": [1.0, 3.0]}, "canvas=20 is too small for items of 8 px scaled by up to 3: "
                                                  "expected canvas >= 24"),
    ({"canvas": -1}, "canvas=-1 is invalid: expected an int >= 0"),
    ({"canvas": 16, "canvas_scale": [2.0, 1.0]}, r"canvas_scale=\[2.0, 1.0\] is invalid"),
    ({"canvas": 16, "canvas_scale": 2}, "canvas_scale=2 is invalid"),
])
def test_canvas_config_errors(fields, match):
    with pytest.raises(ValueError, match=match):
        make_evaluator({"kind": "train", "dataset": "digits", **fields})


def test_canvas_task_trains_with_every_stride_kept(archs):
    spec = {"kind": "train", "dataset": "digits", "canvas": 40, "canvas_scale": [1.0, 3.0], "steps": 120,
            "batch_size": 32, "repeats": 1, "bn_images": 256}
    evaluator = make_evaluator(spec)
    metrics = evaluator.evaluate(archs[0], seed=0)
    assert "failed" not in metrics and metrics["accuracy"] > 0.2  # chance is 0.1
    proxy = nasgym.quality.proxy_architecture(archs[0], evaluator.dataset().input_shape)
    assert proxy.stem_stride == archs[0].stem_stride  # 40 px: no stride dropped (28 px drops the stem's)


def test_fingerprint_without_canvas_is_unchanged_and_canvas_fields_enter_it():
    plain = make_evaluator({"kind": "train"}).fingerprint
    assert plain == "train-v1-" + plain.split("-")[-1]
    assert make_evaluator({"kind": "train", "canvas": 0, "canvas_scale": [1.0, 1.5]}).fingerprint == plain
    a = make_evaluator({"kind": "train", "canvas": 56}).fingerprint
    assert a != plain and a != make_evaluator({"kind": "train", "canvas": 56, "canvas_scale": [1.0, 1.5]}).fingerprint


def test_named_specs_resolve_with_overrides():
    assert set(NAMED_SPECS) == {"default", "reference", "fullsize"}
    for name, spec in NAMED_SPECS.items():
        assert make_evaluator(name).fingerprint == make_evaluator(dict(spec)).fingerprint
    reference = make_evaluator("reference")
    assert reference.config.repeats == 12 and reference.config.canvas == 56 and reference.config.steps == 1000
    assert resolve_spec({"kind": "reference", "dataset": "digits"})["dataset"] == "digits"
    assert make_evaluator({"kind": "reference", "steps": 7}).config.steps == 7
    assert resolve_spec({"kind": "train", "steps": 3}) == {"kind": "train", "steps": 3}
    with pytest.raises(ValueError, match="spec='best' is invalid: expected a dict with a 'kind' key or one of the "
                                         "named specs default, reference"):
        make_evaluator("best")


def test_env_accepts_a_named_spec(tmp_path):
    env = nasgym.make_env("EdgeTPU-ZeroCost", evaluator="reference", cache=None)
    assert env.unwrapped.evaluator.fingerprint == make_evaluator("reference").fingerprint
    env.close()
