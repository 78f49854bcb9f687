import numpy as np

import nasgym
from nasgym.model import lower

REQUIRED = {"name", "op", "cin", "cout", "k", "stride", "groups", "h_in", "w_in", "h_out", "w_out"}
OPTIONAL = {"kh", "kw", "pool", "transposed", "inputs"}


def test_layers_follow_the_schema_and_chain():
    space = nasgym.load_space("edgetpu-v2")
    for seed in range(20):
        arch = space.sample(np.random.default_rng(seed))
        layers = lower(arch)
        names = [layer["name"] for layer in layers]
        assert len(names) == len(set(names))
        for layer in layers:
            assert REQUIRED <= set(layer) <= REQUIRED | OPTIONAL
            assert layer["op"] in {"conv", "add", "concat", "pool", "fc"}
        convs = [layer for layer in layers if layer["op"] == "conv"]
        for prev, nxt in zip(convs, convs[1:], strict=False):
            if nxt["name"].endswith(("/expand", "/fused", "/dw", "/group")) or nxt["name"] == "top":
                continue
            assert nxt["cin"] == prev["cout"] and nxt["h_in"] == prev["h_out"]
        assert layers[-1]["op"] == "fc" and layers[-2]["op"] == "pool"


def test_tiny_layers():
    arch = nasgym.reference("mobilenet_edgetpu_v2_tiny")
    layers = {layer["name"]: layer for layer in lower(arch, num_classes=1001)}
    assert layers["stem"] == {
        "name": "stem", "op": "conv", "cin": 3, "cout": 32, "k": 5, "stride": 2, "groups": 1,
        "h_in": 224, "w_in": 224, "h_out": 112, "w_out": 112,
    }
    assert layers["s0b0/project"]["k"] == 1 and "s0b0/fused" not in layers  # e == 1: projection only
    assert layers["s1b1/fused"]["groups"] == 2  # GC-IBN: 32 * 4 / 64
    assert layers["s3b1/dw"]["groups"] == 80 * 4
    assert layers["s3b1/add"]["op"] == "add"
    assert "s3b0/add" not in layers
    assert layers["s6b0/project"]["h_out"] == 7
    assert layers["fc"]["cout"] == 1001


def test_input_shape_override():
    arch = nasgym.reference("mobilenet_v2_1.0")
    layers = lower(arch, input_shape=(96, 96, 1), num_classes=10)
    assert layers[0]["cin"] == 1 and layers[0]["h_out"] == 48
    assert layers[-2]["h_in"] == 3
