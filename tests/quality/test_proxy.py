import dataclasses
import hashlib
import json
import math

import pytest
import torch

import nasgym
from nasgym.quality.proxy import build_proxy_model, proxy_architecture


def _final(arch) -> int:
    size = arch.input_shape[0]
    for stride in [arch.stem_stride] + [b.stride for b in arch.blocks]:
        size = math.ceil(size / stride)
    return size


def test_proxy_space_gets_stem_stride_one_and_keeps_every_choice(archs):
    for arch in archs:
        proxy = proxy_architecture(arch)
        assert proxy.input_shape == (28, 28, 1) and proxy.stem_stride == 1 and _final(proxy) == 2
        assert [b.stride for b in proxy.blocks] == [b.stride for b in arch.blocks]
        for a, p in zip(arch.blocks, proxy.blocks, strict=True):
            assert (a.op, a.kernel, a.expansion, a.filters, a.group_size) == (
                p.op, p.kernel, p.expansion, p.filters, p.group_size)
        assert (proxy.stem_filters, proxy.stem_kernel, proxy.head_filters) == (
            arch.stem_filters, arch.stem_kernel, arch.head_filters)


def test_reference_nets_only_lose_the_stem_stride_at_28():
    for name in nasgym.reference_names():
        arch = nasgym.reference(name)
        proxy = proxy_architecture(arch)
        assert proxy.stem_stride == 1 and _final(proxy) == 2
        assert [b.stride for b in proxy.blocks] == [b.stride for b in arch.blocks]


def test_tiny_input_drops_the_earliest_block_strides():
    arch = nasgym.reference("mobilenet_edgetpu_v2_tiny")
    strides = [b.stride for b in arch.blocks]
    proxy = proxy_architecture(arch, input_shape=(8, 8, 1))
    first, second = [i for i, s in enumerate(strides) if s == 2][:2]
    expected = [1 if i in (first, second) else s for i, s in enumerate(strides)]
    assert [b.stride for b in proxy.blocks] == expected and _final(proxy) == 2


def test_small_input_drops_more_strides():
    arch = nasgym.load_space("proxy").sample(0)
    proxy = proxy_architecture(arch, input_shape=(8, 8, 1))
    assert _final(proxy) == 2 and sum(b.stride == 2 for b in proxy.blocks) == 2


def test_width_multiplier_rounds_to_valid_widths(archs):
    for arch in archs:
        half = proxy_architecture(arch, width_multiplier=0.5)
        double = proxy_architecture(arch, width_multiplier=2.0)
        for a, h, d in zip(arch.blocks, half.blocks, double.blocks, strict=True):
            assert h.filters % 4 == 0 and h.filters <= max(a.filters, 8) and d.filters >= 2 * a.filters - 4
            assert (h.op, h.kernel, h.expansion) == (a.op, a.kernel, a.expansion)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"input_shape": (28, 28)}, "input_shape"),
    ({"width_multiplier": 0}, "width_multiplier=0"),
    ({"min_resolution": 0}, "min_resolution=0"),
    ({"input_shape": (1, 1, 1), "min_resolution": 2}, "smaller than min_resolution"),
])
def test_bad_arguments_are_named(archs, kwargs, match):
    with pytest.raises(ValueError, match=match):
        proxy_architecture(archs[0], **kwargs)


def test_built_proxy_model_runs_on_fashion_mnist_shape(archs):
    model = build_proxy_model(archs[0], num_classes=10).eval()
    with torch.no_grad():
        assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    params = sum(p.numel() for p in model.parameters())
    assert params == nasgym.count(proxy_architecture(archs[0]), num_classes=10).params


@pytest.mark.parametrize("name", ["mobilenet_edgetpu_v2_tiny", "mobilenet_edgetpu_v2_l", "efficientnet_edgetpu_s"])
def test_scaling_down_shrinks_full_size_networks_and_their_group_sizes(name):
    arch = nasgym.reference(name)
    params = [nasgym.count(proxy_architecture(arch, (56, 56, 1), m), num_classes=10).params for m in (0.25, 0.5, 1.0)]
    assert params[0] < params[1] < params[2]
    half = proxy_architecture(arch, (56, 56, 1), 0.5)
    for full, scaled in zip(arch.blocks, half.blocks, strict=True):
        if full.is_grouped:  # group sizes of 64 / 128 halve with the widths (at most one valid step away)
            assert scaled.group_size <= full.group_size * 0.5 + 8
    nasgym.count(half, num_classes=10)  # every block valid


def test_scaled_widths_round_half_up_to_multiples_of_4_and_at_least_8():
    arch = nasgym.reference("mobilenet_edgetpu_v1_dm1.25")  # stem 40, first blocks 24 / 40 / 64, head 1600
    quarter = proxy_architecture(arch, (56, 56, 1), 0.25)
    assert quarter.stem_filters == 12  # 10 -> 12 (half up)
    assert [b.filters for b in quarter.blocks[:3]] == [8, 12, 12]  # 6 -> 8 (the floor), 10 -> 12
    assert quarter.head_filters == 400
    assert all(b.filters % 4 == 0 and b.filters >= 8 for b in quarter.blocks)


def test_a_wider_family_member_stays_at_least_as_wide_in_every_layer_when_scaled():
    small = proxy_architecture(nasgym.reference("mobilenet_edgetpu_v1_dm1.0"), (56, 56, 1), 0.25)
    large = proxy_architecture(nasgym.reference("mobilenet_edgetpu_v1_dm1.25"), (56, 56, 1), 0.25)
    pairs = list(zip(small.blocks, large.blocks, strict=True))
    assert all(s.filters <= b.filters for s, b in pairs)
    assert sum(s.filters < b.filters for s, b in pairs) == len(pairs) - 1  # all but the first block (8 = 8)


def test_only_scaled_configs_carry_the_width_rule_in_their_fingerprint():
    from nasgym.quality import make_evaluator
    from nasgym.quality.config import WIDTH_RULE

    def digest(fields: dict) -> str:
        return hashlib.sha1(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:10]

    for width in (1.0, 0.5):
        evaluator = make_evaluator({"kind": "train", "width_multiplier": width})
        fields = {k: v for k, v in dataclasses.asdict(evaluator.config).items()
                  if k not in ("data_dir", "device", "canvas", "canvas_scale", "curve", "curve_val_images",
                               "calibration")}  # left out while None
        if width != 1.0:
            fields["width_rule"] = WIDTH_RULE
        assert evaluator.fingerprint == f"train-v1-{digest(fields)}"
