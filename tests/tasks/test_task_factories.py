"""The task kinds are reachable through the shared factories (make_evaluator, make_cost_model)."""

import subprocess
import sys

import numpy as np
import pytest

import nasgym
from nasgym.hw import EdgeTPUCostModel, make_cost_model
from nasgym.quality import TrainEvaluator, evaluator_kinds, make_evaluator
from nasgym.tasks import TaskEvaluator, get_task


def test_make_evaluator_builds_the_task_evaluator():
    assert "task" in evaluator_kinds()
    ev = make_evaluator({"kind": "task", "task": "text", "steps": 5})
    assert isinstance(ev, TaskEvaluator) and ev.config.steps == 5 and ev.spec.name == "text"
    with pytest.raises(ValueError, match=r"unknown task evaluator field\(s\) 'stepz'"):
        make_evaluator({"kind": "task", "stepz": 5})


def test_make_cost_model_builds_the_task_cost_model():
    cost = make_cost_model({"kind": "task", "task": "segmentation", "hardware": "coral-usb",
                            "input_shape": [256, 256, 3], "overrides": {"clock_mhz": 250}})
    assert isinstance(cost, EdgeTPUCostModel) and cost.input_shape == (256, 256, 3) and cost.hw.clock_mhz == 250
    arch = nasgym.load_space("proxy").sample(np.random.default_rng(0))
    fast = make_cost_model({"kind": "task", "task": "segmentation", "hardware": "coral-usb",
                            "input_shape": [256, 256, 3]})
    assert cost.evaluate(arch)["latency_ms"] > fast.evaluate(arch)["latency_ms"]
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['head'\]"):
        make_cost_model({"kind": "task", "head": "text"})


def test_train_and_task_are_one_evaluator_with_per_task_configs():
    seg = {"task": "segmentation", "steps": 7, "data": {"source": "digits"}}
    by_train, by_task = make_evaluator({"kind": "train", **seg}), make_evaluator({"kind": "task", **seg})
    assert isinstance(by_task, TrainEvaluator) and type(by_train) is TrainEvaluator
    assert by_train.fingerprint == by_task.fingerprint and by_train.config == by_task.config
    assert make_evaluator({"kind": "task", "task": "classification"}).fingerprint == make_evaluator(
        {"kind": "train"}).fingerprint
    assert make_evaluator({"kind": "train"}).spec.name == "classification"  # each kind's default task
    assert make_evaluator({"kind": "task"}).spec.name == "segmentation"
    assert (make_evaluator({"kind": "train"}).config.steps, make_evaluator({"kind": "task"}).config.steps) == (100, 150)
    with pytest.raises(ValueError, match=r"unknown train evaluator field\(s\) 'canvas'"):  # not a segmentation field
        make_evaluator({"kind": "train", "task": "segmentation", "canvas": 56})
    with pytest.raises(ValueError, match=r"train evaluator field task=3 is invalid: expected a registered task"):
        make_evaluator({"kind": "train", "task": 3})


def test_classification_is_a_registered_task():
    spec = get_task("classification")
    assert (spec.head, spec.metric, spec.num_classes, spec.deployment_shape) == (
        "classification", "accuracy", 10, (224, 224, 3))
    arch = nasgym.load_space("proxy").sample(np.random.default_rng(0))
    cost = make_cost_model({"kind": "task", "task": "classification", "hardware": "tensor-g1"})
    plain = make_cost_model({"kind": "edgetpu", "hardware": "tensor-g1", "num_classes": 10,
                             "input_shape": [224, 224, 3]})
    assert cost.evaluate(arch) == plain.evaluate(arch)


@pytest.mark.parametrize("entry", ["import nasgym.tasks", "import nasgym.quality", "import nasgym.tasks.registry",
                                   "import nasgym.quality.data", "import nasgym.tasks.text",
                                   "from nasgym.quality.train_evaluator import TrainEvaluator"])
def test_any_import_order_loads_the_tasks_and_the_evaluators(entry):
    """quality imports the task registry at the top and the tasks import quality modules: any entry point works."""
    code = (f"{entry}\nfrom nasgym.quality import make_evaluator\nfrom nasgym.tasks import TaskEvaluator, task_names\n"
            "print(task_names(), make_evaluator({'kind': 'task'}).fingerprint[:18])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "('classification', 'segmentation', 'text') task-segmentation-"
