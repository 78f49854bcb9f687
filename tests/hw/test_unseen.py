"""Networks outside the calibration set: built as published, and the mechanisms that move their predictions."""

import pytest
import torch

from nasgym.hw import simulate
from nasgym.hw.zoo_unseen import unseen_layers, unseen_model

torch.set_num_threads(1)


@pytest.mark.parametrize(("name", "params"), [("DenseNet-121", 7_978_856), ("Inception v3", 23_836_617)])
def test_unseen_networks_have_their_published_sizes(name, params):
    module, _ = unseen_model(name)
    assert sum(p.numel() for p in module.parameters()) == params  # torchvision's counts (Inception v3: 1001 classes)


def test_unseen_network_structure():
    dense = unseen_layers("DenseNet-121")
    assert sum(layer["op"] == "concat" for layer in dense) == 58  # one per dense layer
    assert sum(layer["op"] == "conv" for layer in dense) == 120
    inception = unseen_layers("Inception v3")
    assert {(layer.get("kh"), layer.get("kw")) for layer in inception} >= {(1, 7), (7, 1), (1, 3), (3, 1)}
    assert inception[0]["h_in"] == 299 and inception[-1]["cout"] == 1001
    with pytest.raises(ValueError, match="unknown network 'AlexNet'"):
        unseen_model("AlexNet")


@pytest.mark.parametrize("preset", ["coral-usb", "coral-pcie"])
def test_many_ops_leave_less_cache_densenet_streams(preset):
    """DenseNet-121's 7.6 MiB of parameters fit 8 MiB of SRAM, but not beside the executable of its ~180 device ops."""
    layers = unseen_layers("DenseNet-121")
    report = simulate(layers, preset)
    no_executable = simulate(layers, preset, executable_kib_per_op=0)
    assert no_executable.fits_on_chip and not report.fits_on_chip
    assert report.streamed_bytes == report.param_bytes
    assert report.latency_ms > 2.4 * no_executable.latency_ms
