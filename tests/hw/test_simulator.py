"""simulate() over its three inputs: an Architecture, its lowered layers and its torch module agree."""

import json

import pytest
import torch

import nasgym
from nasgym.hw import EdgeTPUCostModel, simulate
from nasgym.hw.layers import check_layers
from nasgym.hw.rows import arch_rows, key_row

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def samples(sample_archs):
    return sample_archs("edgetpu-v2", 40, 3)


def test_fast_rows_equal_lowering(samples):
    archs = samples + [nasgym.reference(name) for name in nasgym.reference_names()]
    for arch in archs:
        for shape, classes in ((None, 1000), ((96, 128, 1), 10)):
            expected = [key_row(key) for key in check_layers(nasgym.lower(arch, shape, classes))[1]]
            assert arch_rows(arch, shape, classes) == expected


@pytest.mark.parametrize("name", ["mobilenet_edgetpu_v2_tiny", "mobilenet_v2_1.0", "efficientnet_edgetpu_s"])
def test_architecture_layers_and_module_agree(name):
    arch = nasgym.reference(name)
    counts = nasgym.count(arch, 1001)
    from_arch = simulate(arch, "tensor-g1", num_classes=1001)
    from_layers = simulate(nasgym.lower(arch, num_classes=1001), "tensor-g1")
    assert from_arch.to_dict() == from_layers.to_dict()
    assert (from_arch.params, from_arch.macs) == (counts.params, counts.macs)
    for mode in ("grouped", "split"):
        module = nasgym.build_model(arch, 1001, group_conv=mode)
        from_module = simulate(module, "tensor-g1", input_shape=(3, 224, 224))
        assert from_module.latency_ms == pytest.approx(from_arch.latency_ms, rel=1e-12)
        assert from_module.energy_mj == pytest.approx(from_arch.energy_mj, rel=1e-12)
        assert (from_module.params, from_module.macs) == (counts.params, counts.macs)


def test_input_shape_and_classes(samples):
    arch = samples[0]
    small = simulate(arch, "coral-usb", input_shape=(112, 112, 3), num_classes=10)
    big = simulate(arch, "coral-usb")
    assert small.macs < big.macs and small.latency_ms < big.latency_ms
    assert small.layers[-1].shape.startswith(f"{arch.head_filters}x1x1->10x1x1")
    fast = EdgeTPUCostModel("coral-usb", 10, (112, 112, 3)).evaluate(arch)
    assert fast == pytest.approx(small.totals(), rel=1e-12)


def test_hardware_overrides_and_config_object(samples):
    arch = samples[1]
    hw = nasgym.hw.load_hardware("coral-usb")
    assert simulate(arch, hw).latency_ms == simulate(arch, "coral-usb").latency_ms
    slow = simulate(arch, "coral-usb", clock_mhz=250)
    assert slow.latency_ms > simulate(arch, "coral-usb").latency_ms


def test_report_outputs(samples):
    report = simulate(samples[2], "tensor-g1")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["latency_ms"] == report.latency_ms and len(data["layers"]) == len(report.layers)
    assert set(data["layers"][0]) == {"name", "op", "shape", "macs", "params", "param_bytes", "cycles", "ms",
                                      "utilization", "bound", "bytes_onchip", "bytes_offchip", "energy_mj", "ops"}
    table = report.table()
    assert "stem" in table and "hardware tensor-g1: latency" in table
    assert all(r.bound in ("compute", "memory", "overhead") for r in report.layers)


def test_lowered_keys_equal_checked_lowering(samples):
    """The per-layer rows of an Architecture use its own lowering without re-validating it: same names and keys."""
    from nasgym.hw.simulator import lowered_keys

    for arch in samples[:10] + [nasgym.reference(name) for name in nasgym.reference_names()]:
        for shape, classes in ((None, 1000), ((96, 128, 1), 10)):
            assert lowered_keys(arch, shape, classes) == check_layers(nasgym.lower(arch, shape, classes))


def test_per_layer_rows_are_built_on_first_read(samples):
    report = simulate(samples[4], "tensor-g1")
    assert repr(report.layers) == "LayerRows(not built yet)"
    rows = tuple(report.layers)
    assert report.layers == rows and rows == report.layers and report.layers[1:3] == rows[1:3]
    assert len(report.layers) == len(rows) and hash(report.layers) == hash(rows) and report.layers[-1].op == "fc"
    assert sum(r.macs for r in rows) == report.macs and sum(r.params for r in rows) == report.params
    assert simulate(samples[4], "tensor-g1") == report


@pytest.mark.parametrize(("hardware", "cache_mib"), [("coral-usb", 1.0), ("tensor-g1", 1.0), ("tensor-g1", 64.0)])
def test_streamed_bytes_equal_the_layers_off_chip_traffic(samples, hardware, cache_mib):
    """With activations never spilling, each layer's off-chip bytes are its streamed parameters: they sum to the
    report's streamed_bytes in every streaming mode (all, excess, cached)."""
    report = simulate(samples[5], hardware, param_cache_mib=cache_mib, pe_memory_kib=2**20)
    assert sum(r.bytes_offchip for r in report.layers) == pytest.approx(report.streamed_bytes, abs=1e-6)
    assert report.fits_on_chip == (report.streamed_bytes == 0)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [({"num_classes": 0}, "num_classes=0 is invalid: expected a positive int"),
     ({"num_classes": True}, "num_classes=True is invalid"),
     ({"input_shape": (224, 224)}, r"input_shape=\(224, 224\) is invalid for an Architecture: expected \(height"),
     ({"input_shape": (224, 0, 3)}, "input_shape=.* is invalid"),
     ({"clock_mhz": 0}, "clock_mhz=0 is invalid")],
)
def test_bad_arguments_for_an_architecture(samples, kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        simulate(samples[0], "tensor-g1", **kwargs)
