"""The task kinds are reachable through the shared factories (make_evaluator, make_cost_model)."""

import numpy as np
import pytest

import nasgym
from nasgym.hw import EdgeTPUCostModel, make_cost_model
from nasgym.quality import evaluator_kinds, make_evaluator
from nasgym.tasks import TaskEvaluator


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
