"""TaskCostModel: the simulator on the task networks at the deployment input."""

import numpy as np
import pytest

import nasgym
from nasgym.hw import simulate
from nasgym.tasks.cost import TaskCostModel, make_task_cost_model


@pytest.fixture(scope="module")
def arch():
    return nasgym.load_space("proxy").sample(np.random.default_rng(1))


def test_segmentation_cost_is_the_simulated_fcn_at_the_deployment_resolution(arch):
    model = TaskCostModel("segmentation", hardware="coral-usb", input_shape=(512, 512, 3))
    cost = model.evaluate(arch)
    layers = nasgym.lower(arch, (512, 512, 3), 11, task="segmentation")
    assert cost == simulate(layers, hardware="coral-usb").totals()
    assert cost["macs"] == nasgym.count(arch, 11, (512, 512, 3), task="segmentation").macs
    up = layers[-1]
    assert up["transposed"] and (up["h_out"], up["w_out"], up["k"], up["stride"]) == (512, 512, 64, 32)
    report = model.simulate(arch)
    assert report.layers[-1].op == "tconv" and report.layers[-1].ms > 0
    smaller = TaskCostModel("segmentation", hardware="coral-usb", input_shape=[256, 256, 3]).evaluate(arch)
    assert smaller["latency_ms"] < cost["latency_ms"] and smaller["macs"] * 4 == pytest.approx(cost["macs"], 0.02)


def test_text_cost_is_the_simulated_1d_network(arch):
    model = make_task_cost_model({"kind": "task", "task": "text", "hardware": "coral-usb"})
    assert model.input_shape == (64, 1, 64) and model.num_classes == 3
    cost = model.evaluate(arch)
    layers = nasgym.lower(arch, (64, 1, 64), 3, task="text")
    assert cost == simulate(layers, hardware="coral-usb").totals()
    assert cost["params"] == nasgym.count(arch, 3, (64, 1, 64), task="text").params
    longer = TaskCostModel("text", hardware="coral-usb", input_shape=(256, 1, 64)).evaluate(arch)
    assert longer["latency_ms"] > cost["latency_ms"] and longer["params"] == cost["params"]


def test_fingerprint_names_task_hardware_and_shape():
    a = TaskCostModel("segmentation", input_shape=(512, 512, 3))
    b = TaskCostModel("segmentation", input_shape=(256, 256, 3))
    c = TaskCostModel("text")
    assert a.fingerprint.startswith("task-segmentation:") and a.fingerprint.endswith(":11:512x512x3")
    assert len({a.fingerprint, b.fingerprint, c.fingerprint}) == 3


def test_bad_specs_raise_value_errors(arch):
    with pytest.raises(ValueError, match="task='depth' is invalid: expected one of segmentation, text"):
        TaskCostModel("depth")
    with pytest.raises(ValueError, match=r"input_shape=\[64, 2, 64\] is invalid for task 'text'"):
        TaskCostModel("text", input_shape=[64, 2, 64])
    with pytest.raises(ValueError, match=r"input_shape=\(512, 512\) is invalid"):
        TaskCostModel("segmentation", input_shape=(512, 512))
    with pytest.raises(ValueError, match="num_classes=0 is invalid"):
        TaskCostModel("segmentation", num_classes=0)
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['resolution'\]"):
        make_task_cost_model({"kind": "task", "resolution": 512})
    with pytest.raises(ValueError, match="expected a mapping with kind 'task'"):
        make_task_cost_model({"kind": "edgetpu"})
    with pytest.raises(ValueError, match="arch='x' is invalid: expected an Architecture"):
        TaskCostModel("text").evaluate("x")
