import math

import pytest
import torch
from torch import nn

import nasgym
from nasgym.quality import CachedEvaluator, EvaluationCache, make_evaluator
from nasgym.quality.data import Dataset
from nasgym.quality.training import TrainSettings, lr_at, recalibrate_bn

DIGITS = {"kind": "train", "dataset": "digits", "steps": 40, "batch_size": 32, "repeats": 2, "bn_images": 256}


def test_learns_digits_and_reports_metrics(archs):
    metrics = make_evaluator(DIGITS).evaluate(archs[0], seed=0)
    assert "failed" not in metrics
    assert metrics["accuracy"] > 0.6  # chance is 0.1
    assert len(metrics["seed_accuracies"]) == 2 and metrics["accuracy_std"] >= 0
    assert metrics["accuracy"] == pytest.approx(sum(metrics["seed_accuracies"]) / 2)
    assert metrics["train_images"] == 40 * 32 * 2 and metrics["params"] > 0 and metrics["eval_seconds"] > 0


def test_deterministic_per_seed_and_leaves_global_state(archs):
    evaluator = make_evaluator({**DIGITS, "steps": 10, "repeats": 1})
    torch.manual_seed(99)
    expected_next = torch.rand(1)
    torch.manual_seed(99)
    threads = torch.get_num_threads()
    a = evaluator.evaluate(archs[1], seed=3)
    assert torch.equal(torch.rand(1), expected_next) and torch.get_num_threads() == threads
    b = evaluator.evaluate(archs[1], seed=3)
    c = evaluator.evaluate(archs[1], seed=4)
    assert a["seed_accuracies"] == b["seed_accuracies"] and a["train_loss"] == b["train_loss"]
    assert c["train_loss"] != a["train_loss"]


def test_nan_loss_is_a_failed_evaluation_recorded_in_the_cache(tmp_path, archs):
    evaluator = make_evaluator({**DIGITS, "steps": 30, "lr": 1e9, "repeats": 1})
    cached = CachedEvaluator(evaluator, EvaluationCache(tmp_path / "c.sqlite"))
    metrics, hit = cached.evaluate(archs[0], 0)
    assert not hit and metrics["accuracy"] == 0.0
    assert "loss" in metrics["failed"] and "at step" in metrics["failed"]
    again, hit = cached.evaluate(archs[0], 0)
    assert hit and again["failed"] == metrics["failed"]
    assert cached.cache.rows()[0]["failed"] == metrics["failed"]


def test_divergence_threshold_names_the_field(archs):
    metrics = make_evaluator({**DIGITS, "steps": 5, "divergence_loss": 0.01}).evaluate(archs[0], 0)
    assert metrics["accuracy"] == 0.0
    assert metrics["failed"].startswith("diverging loss") and "divergence_loss=0.01 at step 0" in metrics["failed"]


def test_cosine_schedule_with_warmup():
    settings = TrainSettings(steps=110, batch_size=1, lr=0.2, warmup_steps=10)
    assert lr_at(0, settings) == pytest.approx(0.02) and lr_at(9, settings) == pytest.approx(0.2)
    assert lr_at(10, settings) == pytest.approx(0.2) and lr_at(60, settings) == pytest.approx(0.1)
    assert lr_at(110, settings) == pytest.approx(0.0, abs=1e-12)


def test_bn_recalibration_is_the_exact_average():
    images = torch.randint(0, 256, (64, 1, 4, 4), dtype=torch.uint8)
    labels = torch.zeros(64, dtype=torch.int64)
    data = Dataset("toy", images, labels, images, labels, images, labels, mean=0.5, std=0.25, num_classes=1)
    model = nn.Sequential(nn.BatchNorm2d(1))
    model[0].running_mean.fill_(7.0)
    recalibrate_bn(model, data, images=64, batch_size=16, generator=torch.Generator().manual_seed(0),
                   channels_last=False)
    x = data.normalize(images)
    assert float(model[0].running_mean) == pytest.approx(float(x.mean()), abs=1e-5)
    per_batch_var = float(x.var())  # the average of 4 batch variances is close, not equal; check the scale
    assert math.isclose(float(model[0].running_var), per_batch_var, rel_tol=0.1)
    assert model[0].momentum == 0.1


def test_learning_curve_points_leave_the_training_bit_identical():
    torch.set_num_threads(1)
    arch = nasgym.load_space("proxy").sample(1)
    base = {"kind": "train", "dataset": "digits", "steps": 20, "repeats": 2}
    plain = make_evaluator(base).evaluate(arch, 0)
    with_curve = make_evaluator({**base, "curve": [0.25, 0.5]})
    metrics = with_curve.evaluate(arch, 0)
    assert metrics["seed_accuracies"] == plain["seed_accuracies"] and metrics["train_loss"] == plain["train_loss"]
    assert metrics["curve_steps"] == [5, 10] and len(metrics["curve"]) == 2
    assert all(0.0 <= point <= 1.0 for point in metrics["curve"]) and "curve" not in plain
    assert make_evaluator({**base, "curve": []}).fingerprint == make_evaluator(base).fingerprint
    assert with_curve.fingerprint != make_evaluator(base).fingerprint


def test_curve_points_can_score_fewer_validation_images():
    torch.set_num_threads(1)
    arch = nasgym.load_space("proxy").sample(1)
    base = {"kind": "train", "dataset": "digits", "steps": 20, "repeats": 1, "curve": [0.5]}
    full, cheap = (make_evaluator({**base, "curve_val_images": n}).evaluate(arch, 0) for n in (0, 50))
    assert cheap["accuracy"] == full["accuracy"]  # the final score still reads all 300 validation images
    assert round(cheap["curve"][0] * 50) == pytest.approx(cheap["curve"][0] * 50, abs=1e-9)  # k / 50
    assert round(full["curve"][0] * 300) == pytest.approx(full["curve"][0] * 300, abs=1e-9)  # k / 300
    plain = {"kind": "train", "dataset": "digits"}
    assert make_evaluator({**plain, "curve_val_images": 50}).fingerprint == make_evaluator(plain).fingerprint
    assert (make_evaluator({**base, "curve_val_images": 50}).fingerprint
            != make_evaluator(base).fingerprint)


@pytest.mark.parametrize("curve", [[0.5, 0.25], [0.0], [1.0], "half", [True]])
def test_bad_learning_curve_fractions_are_named(curve):
    with pytest.raises(ValueError, match=r"field curve=.* is invalid: expected a list of increasing numbers"):
        make_evaluator({"kind": "train", "dataset": "digits", "curve": curve})
