"""The ``train`` evaluator on the segmentation and text tasks (``TaskEvaluator``: its ``kind: task`` alias) on small
data: config validation, fingerprints, determinism and learned behaviour."""

import random

import numpy as np
import pytest

import nasgym
from nasgym.quality import Evaluator, TaskEvaluator
from nasgym.tasks.registry import TaskSpec, get_task, register_task, task_names
from nasgym.tasks.segmentation import read_mosaics
from nasgym.tasks.text_data import SENTIMENTS

DIGIT_MOSAICS = {"source": "digits", "train_size": 300, "val_size": 60, "test_size": 10}


@pytest.fixture(scope="module")
def arch():
    """A fixed `proxy`-space member (the space's first sample before it gained narrower widths): the measured
    figures quoted below are of this network."""
    return nasgym.Architecture.parse("in224x224x3|stem:k3o16s2|dw:k3e1o16s1|fused:k3e2o24s2|dw:k3e4o24s2,"
                                     "gcdw:k5e4o24s1g16|gcfused:k5e4o64s2g16,skip:k1e1o64s1|gcdw:k5e2o64s2g8|top:o256")


@pytest.fixture(scope="module")
def keyword_corpus(tmp_path_factory):
    """A learnable sentiment corpus: one keyword decides the label, the rest is random filler."""
    rng = random.Random(0)
    keywords = {"negative": "awful", "neutral": "okay", "positive": "lovely"}
    filler = [f"w{i}" for i in range(40)]
    rows = ["sentiment,confidence,text"]
    for i in range(900):
        sentiment = SENTIMENTS[i % 3]
        words = rng.sample(filler, 6)
        words.insert(rng.randrange(7), keywords[sentiment])
        rows.append(f"{sentiment},1,{' '.join(words)} n{i}")
    path = tmp_path_factory.mktemp("corpus") / "keywords.csv"
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def _segmentation(steps: int) -> TaskEvaluator:
    return TaskEvaluator(task="segmentation", data=DIGIT_MOSAICS, steps=steps, batch_size=16, lr=0.01,
                         bn_images=64)


def test_segmentation_training_learns_and_scores_mean_iou(arch):
    untrained = _segmentation(1).evaluate(arch, seed=0)
    trained = _segmentation(40).evaluate(arch, seed=0)
    assert trained["accuracy"] == trained["miou"]
    assert trained["miou"] > 0.25 and trained["miou"] > untrained["miou"] + 0.2  # measured: 0.37 vs 0.04
    assert 0.0 <= trained["miou"] <= trained["pixel_accuracy"] <= 1.0
    assert trained["train_images"] == 40 * 16 and trained["params"] > 0
    assert trained["eval_seconds"] > 0 and trained["cpu_seconds"] > 0
    assert "failed" not in trained


def test_test_split_scores_the_same_trained_network_on_the_test_mosaics(arch):
    val = _segmentation(3).evaluate(arch, seed=5)
    test = TaskEvaluator(task="segmentation", data=DIGIT_MOSAICS, steps=3, batch_size=16, lr=0.01, bn_images=64,
                         split="test").evaluate(arch, seed=5)
    assert test["train_loss"] == val["train_loss"] and test["miou"] != val["miou"]
    with pytest.raises(ValueError, match="split='train' is invalid: expected one of 'val', 'test'"):
        TaskEvaluator(split="train")


def test_same_seed_same_metrics_other_seed_other_metrics(arch):
    a, b = _segmentation(3).evaluate(arch, seed=5), _segmentation(3).evaluate(arch, seed=5)
    c = _segmentation(3).evaluate(arch, seed=6)
    assert a["miou"] == b["miou"] and a["train_loss"] == b["train_loss"]
    assert c["train_loss"] != a["train_loss"]


def test_text_training_learns_a_keyword_rule_in_1d(arch, keyword_corpus):
    def run(steps):
        ev = TaskEvaluator(task="text", data_dir=keyword_corpus, data={"seq_len": 16, "min_count": 1}, steps=steps,
                           batch_size=32, lr=0.01, embed_dim=16, bn_images=128)
        return ev.evaluate(arch, seed=0)

    untrained, trained = run(1), run(60)
    assert trained["accuracy"] > 0.85 and untrained["accuracy"] < 0.6  # measured: 0.96 vs 0.39
    assert trained["params"] == nasgym.count(
        nasgym.tasks.text_proxy(arch, 16, 16), 3, task="text").params


def test_text_on_a_small_slice_of_the_shipped_corpus(arch):
    ev = TaskEvaluator(task="text", data={"train_size": 400, "val_size": 100}, steps=3, batch_size=32, repeats=2,
                       embed_dim=16, bn_images=64)
    metrics = ev.evaluate(arch, seed=1)
    assert len(metrics["seed_accuracies"]) == 2 and metrics["accuracy_std"] >= 0.0
    assert metrics["accuracy"] == pytest.approx(np.mean(metrics["seed_accuracies"]))
    assert all(round(a * 100) == a * 100 for a in metrics["seed_accuracies"])  # k correct out of 100
    assert ev.dataset().num_classes == 3 and len(ev.dataset().x_val) == 100


def test_diverging_training_reports_failure_instead_of_raising(arch):
    ev = TaskEvaluator(task="segmentation", data=DIGIT_MOSAICS, steps=3, batch_size=16, lr=1e9, optimizer="sgd",
                       bn_images=16)
    metrics = ev.evaluate(arch, seed=0)
    assert metrics["accuracy"] == 0.0 and "loss" in metrics["failed"]


def test_fingerprint_depends_on_task_data_and_budget_not_on_data_dir():
    seg = TaskEvaluator(task="segmentation", data=DIGIT_MOSAICS)
    assert isinstance(seg, Evaluator) and seg.fingerprint.startswith("task-segmentation-v1-")
    assert TaskEvaluator(task="segmentation", data=DIGIT_MOSAICS).fingerprint == seg.fingerprint
    assert TaskEvaluator(task="segmentation", data=DIGIT_MOSAICS, data_dir="/x").fingerprint == seg.fingerprint
    others = {TaskEvaluator(task="text").fingerprint, TaskEvaluator(task="segmentation").fingerprint,
              TaskEvaluator(task="segmentation", data=DIGIT_MOSAICS, steps=7).fingerprint}
    assert seg.fingerprint not in others and len(others) == 3


def test_bad_configs_raise_value_errors():
    with pytest.raises(ValueError, match=r"task evaluator field task='depth' is invalid: expected a registered task"):
        TaskEvaluator(task="depth")
    with pytest.raises(ValueError, match=r"unknown task evaluator field\(s\) 'epochs': valid fields are kind, task"):
        TaskEvaluator(epochs=3)
    with pytest.raises(ValueError, match="task evaluator field steps=0 is invalid: expected an int >= 1"):
        TaskEvaluator(steps=0)
    with pytest.raises(ValueError, match="task evaluator field data=3 is invalid"):
        TaskEvaluator(data=3)
    ev = TaskEvaluator(task="segmentation", data={"source": "digits", "tiles": 3})
    with pytest.raises(ValueError, match=r"unknown segmentation data option\(s\) \[.tiles.\]: valid options"):
        ev.dataset()


def test_registry_lists_the_tasks_and_accepts_new_ones():
    assert task_names()[:3] == ("classification", "segmentation", "text")
    assert get_task("segmentation").metric == "miou" and get_task("text").head == "text"
    spec = register_task(TaskSpec("coarse-seg", head="segmentation", reader=read_mosaics, metric="miou",
                                  num_classes=11, deployment_shape=(256, 256, 3)))
    try:
        assert TaskEvaluator(task="coarse-seg").spec is spec
    finally:
        from nasgym.tasks.registry import TASK_REGISTRY

        del TASK_REGISTRY["coarse-seg"]
    with pytest.raises(ValueError, match="head='depth' is invalid"):
        TaskSpec("x", head="depth", reader=read_mosaics, metric="miou", num_classes=2, deployment_shape=(8, 8, 1))
    with pytest.raises(ValueError, match="metric='f1' is invalid: expected one of miou, accuracy"):
        TaskSpec("x", head="text", reader=read_mosaics, metric="f1", num_classes=2, deployment_shape=(8, 1, 8))
    with pytest.raises(ValueError, match="task='nope' is invalid"):
        get_task("nope")


def test_a_text_head_task_needs_a_reader_with_a_vocabulary(arch):
    from nasgym.tasks.registry import TASK_REGISTRY

    register_task(TaskSpec("mosaic-as-text", head="text", reader=read_mosaics, metric="accuracy", num_classes=11,
                           deployment_shape=(64, 1, 64)))
    try:
        ev = TaskEvaluator(task="mosaic-as-text", data=DIGIT_MOSAICS)
        with pytest.raises(ValueError, match="returned a Dataset without a vocabulary: expected a TextDataset"):
            ev.evaluate(arch, seed=0)
    finally:
        del TASK_REGISTRY["mosaic-as-text"]
