"""EdgeTPUCostModel and make_cost_model: the contract the environment relies on."""

import pytest

import nasgym
from nasgym.hw import CostModel, EdgeTPUCostModel, MacsCostModel, make_cost_model, simulate

KEYS = {"latency_ms", "energy_mj", "params", "macs", "param_bytes", "fits_on_chip"}


@pytest.fixture(scope="module")
def archs(sample_archs):
    return sample_archs("edgetpu-v2", 12, 0) + [nasgym.reference("mobilenet_edgetpu_v2_s")]


def test_protocol_and_keys(archs):
    model = EdgeTPUCostModel("tensor-g1")
    assert isinstance(model, CostModel)
    out = model.evaluate(archs[-1])
    assert set(out) == KEYS
    assert isinstance(out["fits_on_chip"], bool)
    counts = nasgym.count(archs[-1], 1000)
    assert out["params"] == counts.params and out["macs"] == counts.macs


@pytest.mark.parametrize("memoize", [True, False])
@pytest.mark.parametrize("hardware", ["tensor-g1", "coral-usb"])
def test_evaluate_equals_full_simulation(archs, memoize, hardware):
    model = EdgeTPUCostModel(hardware, num_classes=10, input_shape=(160, 160, 3), memoize=memoize)
    for _ in range(2):  # second pass hits the memo
        for arch in archs:
            fast = model.evaluate(arch)
            full = simulate(arch, hardware, input_shape=(160, 160, 3), num_classes=10).totals()
            assert fast.keys() == full.keys()
            for key in fast:
                assert fast[key] == pytest.approx(full[key], rel=1e-12), key


def test_fingerprint_tracks_config():
    base = EdgeTPUCostModel("tensor-g1").fingerprint
    assert base == EdgeTPUCostModel("tensor-g1", memoize=False).fingerprint
    others = {
        EdgeTPUCostModel("coral-usb").fingerprint,
        EdgeTPUCostModel("tensor-g1", clock_mhz=800).fingerprint,
        EdgeTPUCostModel("tensor-g1", num_classes=10).fingerprint,
        EdgeTPUCostModel("tensor-g1", input_shape=(32, 32, 3)).fingerprint,
    }
    assert base not in others and len(others) == 4
    assert "sim" in base


def test_make_cost_model():
    model = make_cost_model({"kind": "edgetpu", "hardware": "coral-usb", "input_shape": [96, 96, 3],
                             "overrides": {"clock_mhz": 250}})
    assert isinstance(model, EdgeTPUCostModel)
    assert model.hw.clock_mhz == 250 and model.input_shape == (96, 96, 3)
    assert isinstance(make_cost_model({"kind": "macs", "ms_per_gmac": 2.0}), MacsCostModel)


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ({"kind": "gpu"}, "kind='gpu' is unknown: expected one of edgetpu, macs"),
        ({"hardware": "coral-usb"}, "kind=None is unknown"),
        ({"kind": "edgetpu", "hw": "x"}, "unknown key(s) ['hw']: expected ['kind', 'hardware'"),
        ({"kind": "macs", "hardware": "x"}, "unknown key(s) ['hardware']"),
        ({"kind": "edgetpu", "hardware": "tpu-v9"}, "unknown hardware 'tpu-v9': expected one of coral-pcie"),
        ({"kind": "edgetpu", "overrides": {"clock": 1}}, "unknown field(s) ['clock']"),
        ({"kind": "edgetpu", "num_classes": 0}, "num_classes=0 is invalid"),
        ({"kind": "edgetpu", "input_shape": [224, 224]}, "input_shape=(224, 224) is invalid"),
        ("edgetpu", "expected a mapping"),
    ],
)
def test_make_cost_model_errors(spec, needle):
    with pytest.raises(ValueError) as err:
        make_cost_model(spec)
    assert needle in str(err.value)


def test_evaluate_rejects_non_architecture():
    with pytest.raises(ValueError, match="expected an Architecture"):
        EdgeTPUCostModel().evaluate([{"op": "conv"}])
