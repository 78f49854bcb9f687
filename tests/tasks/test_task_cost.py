"""The Edge TPU cost model with a task head: the simulator on the task networks at the deployment input."""

import numpy as np
import pytest

import nasgym
from nasgym.hw import EdgeTPUCostModel, make_cost_model, simulate


@pytest.fixture(scope="module")
def arch(sample_archs):
    return sample_archs("proxy", 1, 1)[0]


def task_cost(task: str, **spec) -> EdgeTPUCostModel:
    return make_cost_model({"kind": "task", "task": task, **spec})


def test_segmentation_cost_is_the_simulated_fcn_at_the_deployment_resolution(arch):
    model = task_cost("segmentation", hardware="coral-usb", input_shape=[512, 512, 3])
    cost = model.evaluate(arch)
    layers = nasgym.lower(arch, (512, 512, 3), 11, task="segmentation")
    assert cost == pytest.approx(simulate(layers, hardware="coral-usb").totals(), rel=1e-12)
    assert cost["macs"] == nasgym.count(arch, 11, (512, 512, 3), task="segmentation").macs
    up = layers[-1]
    assert up["transposed"] and (up["h_out"], up["w_out"], up["k"], up["stride"]) == (512, 512, 64, 32)
    report = model.simulate(arch)
    assert report.layers[-1].op == "tconv" and report.layers[-1].ms > 0
    smaller = task_cost("segmentation", hardware="coral-usb", input_shape=[256, 256, 3]).evaluate(arch)
    assert smaller["latency_ms"] < cost["latency_ms"] and smaller["macs"] * 4 == pytest.approx(cost["macs"], 0.02)


def test_text_cost_is_the_simulated_1d_network(arch):
    model = task_cost("text", hardware="coral-usb")
    assert model.input_shape == (64, 1, 64) and model.num_classes == 3 and model.head.one_d
    cost = model.evaluate(arch)
    layers = nasgym.lower(arch, (64, 1, 64), 3, task="text")
    assert cost == pytest.approx(simulate(layers, hardware="coral-usb").totals(), rel=1e-12)
    assert cost["params"] == nasgym.count(arch, 3, (64, 1, 64), task="text").params
    longer = task_cost("text", hardware="coral-usb", input_shape=[256, 1, 64]).evaluate(arch)
    assert longer["latency_ms"] > cost["latency_ms"] and longer["params"] == cost["params"]


@pytest.mark.parametrize(("task", "hardware"), [("segmentation", "coral-usb"), ("text", "tensor-g1"),
                                                ("segmentation", "tensor-g1")])
def test_block_memo_matches_the_full_simulation(task, hardware):
    space, rng = nasgym.load_space("proxy"), np.random.default_rng(3)
    memo, plain = task_cost(task, hardware=hardware), task_cost(task, hardware=hardware, memoize=False)
    for _ in range(40):
        arch = space.sample(rng)
        expected = simulate(plain.layers(arch), hardware=hardware).totals()
        assert memo.evaluate(arch) == pytest.approx(expected, rel=1e-12)
        assert plain.evaluate(arch) == pytest.approx(expected, rel=1e-12)
    assert len(memo._memo) > 0


def test_fingerprint_names_head_hardware_and_shape():
    a = task_cost("segmentation", input_shape=[512, 512, 3])
    b = task_cost("segmentation", input_shape=[256, 256, 3])
    c = task_cost("text")
    assert a.fingerprint.startswith("edgetpu:") and a.fingerprint.endswith(":11:512x512x3:segmentation")
    assert len({a.fingerprint, b.fingerprint, c.fingerprint, EdgeTPUCostModel("coral-usb").fingerprint}) == 4
    assert EdgeTPUCostModel("coral-usb", 11, (512, 512, 3), head="segmentation").fingerprint == a.fingerprint


def test_bad_specs_raise_value_errors(arch):
    with pytest.raises(ValueError, match="task='depth' is invalid: expected one of classification, segmentation, text"):
        task_cost("depth")
    with pytest.raises(ValueError, match=r"input_shape=\[64, 2, 64\] is invalid for task 'text'"):
        task_cost("text", input_shape=[64, 2, 64])
    with pytest.raises(ValueError, match=r"input_shape=\(512, 512\) is invalid"):
        task_cost("segmentation", input_shape=[512, 512])
    with pytest.raises(ValueError, match="num_classes=0 is invalid"):
        task_cost("segmentation", num_classes=0)
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['resolution'\]"):
        make_cost_model({"kind": "task", "resolution": 512})
    with pytest.raises(ValueError, match="task='depth' is invalid: expected one of classification"):
        EdgeTPUCostModel(head="depth")
    with pytest.raises(ValueError, match="arch='x' is invalid: expected an Architecture"):
        task_cost("text").evaluate("x")
