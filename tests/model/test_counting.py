import numpy as np
import pytest
import torch

import nasgym
from nasgym.model import layer_macs, layer_params

V2_PARAMS = {"tiny": 3_762_729, "xs": 4_462_697, "s": 5_987_737, "m": 8_464_233, "l": 10_923_049}


def module_params(arch, num_classes):
    with torch.device("meta"):
        model = nasgym.build_model(arch, num_classes=num_classes)
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize(("variant", "params"), V2_PARAMS.items())
def test_mobilenet_edgetpu_v2_exact_params(variant, params):
    arch = nasgym.reference(f"mobilenet_edgetpu_v2_{variant}")
    assert nasgym.count(arch, num_classes=1001).params == params
    assert module_params(arch, 1001) == params


def test_published_macs_and_params_of_other_references():
    v1 = nasgym.count(nasgym.reference("mobilenet_edgetpu_v1_dm1.0"), num_classes=1001)
    assert v1.macs == pytest.approx(990e6, rel=0.02)
    # Built exactly from the published block table: 4,092,713 (2.3 % above the rounded "4.0 M").
    assert v1.params == 4_092_713
    assert v1.params == pytest.approx(4.0e6, rel=0.025)
    # MobileNetV2 1.0 with 1000 classes: the well-known 3,504,872 parameters and ~300 M MACs.
    mbv2 = nasgym.count(nasgym.reference("mobilenet_v2_1.0"), num_classes=1000)
    assert mbv2.params == 3_504_872
    assert mbv2.macs == pytest.approx(300e6, rel=0.01)
    tiny = nasgym.count(nasgym.reference("mobilenet_edgetpu_v2_tiny"), num_classes=1001)
    assert tiny.macs == pytest.approx(0.51e9, rel=0.02)


def test_v2_macs_increase_with_size():
    macs = [nasgym.count(nasgym.reference(f"mobilenet_edgetpu_v2_{v}")).macs for v in V2_PARAMS]
    assert macs == sorted(macs)


@pytest.mark.parametrize("name", nasgym.reference_names())
def test_references_analytic_equals_module(name):
    arch = nasgym.reference(name)
    assert nasgym.count(arch, num_classes=1001).params == module_params(arch, 1001)


@pytest.mark.parametrize("space_name", ["edgetpu-v2", "ibn-dw-only", "proxy"])
def test_random_samples_analytic_equals_module(space_name):
    space = nasgym.load_space(space_name)
    rng = np.random.default_rng(123)
    for _ in range(200):
        arch = space.sample(rng)
        assert nasgym.count(arch, num_classes=10).params == module_params(arch, 10), arch.to_string()


def test_macs_equal_measured_forward_pass():
    space = nasgym.load_space("proxy")
    rng = np.random.default_rng(5)
    for _ in range(5):
        arch = space.sample(rng).replace(input_shape=(64, 64, 3))
        model = nasgym.build_model(arch, num_classes=10)
        assert nasgym.count(arch, num_classes=10).macs == count_task_macs(model, torch.zeros(1, 3, 64, 64))


def test_lowering_sums_to_count():
    for name in nasgym.reference_names():
        arch = nasgym.reference(name)
        layers = nasgym.lower(arch, num_classes=1001)
        counts = nasgym.count(arch, num_classes=1001)
        assert sum(map(layer_params, layers)) == counts.params
        assert sum(map(layer_macs, layers)) == counts.macs


def count_task_macs(model, example):
    """MACs of convs (transposed: per input position), and linears, measured with hooks on a real forward pass."""
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        if isinstance(module, torch.nn.ConvTranspose2d):
            kh, kw = module.kernel_size
            total += inputs[0].numel() * kh * kw * module.out_channels // module.groups
        elif isinstance(module, torch.nn.Conv2d):
            kh, kw = module.kernel_size
            total += output.numel() * kh * kw * module.in_channels // module.groups
        elif isinstance(module, torch.nn.Linear):
            total += module.in_features * module.out_features

    for module in model.modules():
        module.register_forward_hook(hook)
    model.eval()
    with torch.no_grad():
        model(example)
    return total


@pytest.mark.parametrize("seed", range(4))
def test_segmentation_and_text_counts_equal_modules(seed):
    arch = nasgym.load_space("proxy").sample(np.random.default_rng(seed))
    seg = arch.replace(input_shape=(64, 64, 1))
    model = nasgym.build_model(seg, num_classes=11, task="segmentation")
    counts = nasgym.count(seg, num_classes=11, task="segmentation")
    assert counts.params == sum(p.numel() for p in model.parameters())
    assert counts.macs == count_task_macs(model, torch.zeros(1, 1, 64, 64))
    text = arch.replace(input_shape=(48, 1, 32))
    model = nasgym.build_model(text, num_classes=3, task="text", vocab_size=500)
    counts = nasgym.count(text, num_classes=3, task="text")
    assert counts.params == sum(p.numel() for p in model.parameters()) - 500 * 32  # embedding is host-side
    assert counts.macs == count_task_macs(model, torch.zeros(1, 48, dtype=torch.long))
