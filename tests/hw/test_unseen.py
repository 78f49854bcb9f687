"""Networks outside the calibration set: built as published, and the mechanisms that move their predictions."""

import pytest
import torch
from torch import nn

from nasgym.hw import load_hardware, simulate
from nasgym.hw.fx_import import module_layers
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


class PreActivation(nn.Module):
    """BN after a conv (folds), BN-ReLU after a concat (pre-activation: cannot fold), a conv read twice."""

    def __init__(self) -> None:
        super().__init__()
        self.a, self.bn_a = nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8)
        self.b, self.bn_cat = nn.Conv2d(8, 8, 1), nn.BatchNorm2d(16)
        self.c, self.bn_c = nn.Conv2d(16, 4, 1), nn.BatchNorm2d(4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.bn_a(self.a(x))
        y = torch.relu(self.bn_cat(torch.cat([x, self.b(x)], 1)))
        z = self.c(y)
        return self.bn_c(z) + z  # z is also read by the add: its BN cannot fold either


def test_batch_norm_folds_only_into_a_producer_it_alone_reads():
    layers = module_layers(PreActivation(), (3, 8, 8))
    assert [(layer["name"], layer["op"]) for layer in layers] == [
        ("a", "conv"), ("b", "conv"), ("cat", "concat"), ("bn_cat.mul", "add"), ("bn_cat.add", "add"), ("c", "conv"),
        ("bn_c.mul", "add"), ("bn_c.add", "add"), ("add", "add")]
    assert (layers[3]["cin"], layers[3]["h_in"], layers[3]["w_in"]) == (16, 8, 8)


def test_densenet_has_its_non_foldable_batch_norms_inception_none():
    dense = unseen_layers("DenseNet-121")
    elementwise = [layer["name"] for layer in dense if layer["name"].endswith((".mul", ".add"))]
    assert len(elementwise) == 2 * (58 + 3 + 1)  # per dense layer, transition and the final BN: MUL + ADD
    assert sum(layer["op"] == "add" for layer in dense) == len(elementwise)
    assert not any(layer["op"] == "add" for layer in unseen_layers("Inception v3"))


@pytest.mark.parametrize("name", ["DenseNet-121", "Inception v3"])
@pytest.mark.parametrize("preset", ["coral-usb", "coral-pcie"])
def test_unseen_networks_stream_exactly_their_excess_in_execution_order(name, preset):
    layers = unseen_layers(name)
    report = simulate(layers, preset)
    hw = load_hardware(preset)
    cache = hw.cache_bytes(sum(r.ops for r in report.layers))
    assert not report.fits_on_chip and report.streamed_bytes == report.param_bytes - cache
    streamed = [r.bytes_offchip > 0 for r in report.layers if r.param_bytes > 0]
    first = streamed.index(True)
    assert all(streamed[first:]) and not any(streamed[:first])  # a cached prefix, then every layer streams
    assert simulate(layers, preset, param_cache_mib=64).fits_on_chip


def test_densenet_fits_without_its_executable_share():
    """7.6 MiB of parameters fit 8 MiB of SRAM, but not beside the executable of its ~300 device ops."""
    layers = unseen_layers("DenseNet-121")
    report = simulate(layers, "coral-usb")
    ops = sum(r.ops for r in report.layers)
    assert ops == 120 + 58 + 124 + 6  # convs, concats, BN mul/add, pools (stem, 3 transitions, global) + fc
    assert simulate(layers, "coral-usb", executable_kib_per_op=0).fits_on_chip
    assert report.streamed_bytes == report.param_bytes - (8 * 2**20 - ops * 4 * 1024)
