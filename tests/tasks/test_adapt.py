"""Proxy networks of the tasks: strides/width mapping, 1-D lowering, the built modules' shapes and counts."""

import pytest
import torch

import nasgym
from nasgym.tasks.adapt import segmentation_proxy, text_proxy


@pytest.fixture(scope="module")
def arch(sample_archs):
    return sample_archs("proxy", 1, 3)[0]


def _strides(a):
    return [a.stem_stride] + [b.stride for b in a.blocks]


def test_segmentation_proxy_keeps_the_blocks_and_drops_strides_only_below_min_resolution(arch):
    proxy = segmentation_proxy(arch, (56, 56, 1))
    assert proxy.input_shape == (56, 56, 1)
    assert _strides(proxy) == _strides(arch) and proxy.output_resolution() == (2, 2)
    assert [(b.op, b.kernel, b.expansion, b.filters) for b in proxy.blocks] == \
        [(b.op, b.kernel, b.expansion, b.filters) for b in arch.blocks]
    finer = segmentation_proxy(arch, (56, 56, 1), min_resolution=4)
    assert _strides(finer) == [1] + _strides(arch)[1:] and finer.output_resolution() == (4, 4)


def test_segmentation_model_outputs_per_pixel_logits_at_the_input_size(arch):
    proxy = segmentation_proxy(arch, (56, 56, 1), min_resolution=4)
    model = nasgym.build_model(proxy, 11, task="segmentation", in_channels=1).eval()
    out = model(torch.zeros(2, 1, 56, 56))
    assert out.shape == (2, 11, 56, 56)
    params = sum(p.numel() for p in model.parameters())
    assert params == nasgym.count(proxy, 11, task="segmentation").params


def test_text_proxy_is_1d_and_keeps_every_stride_for_64_tokens(arch):
    proxy = text_proxy(arch, 64, 64)
    assert proxy.input_shape == (64, 1, 64)
    assert _strides(proxy) == _strides(arch)
    short = text_proxy(arch, 16, 64)  # 16 tokens / 32 < 2 positions: the stem stride goes first
    assert _strides(short)[0] == 1 and short.output_resolution()[0] >= 2


def test_text_lowering_is_kx1_with_width_one_everywhere(arch):
    layers = nasgym.lower(text_proxy(arch, 64, 64), num_classes=3, task="text")
    convs = [layer for layer in layers if layer["op"] == "conv"]
    assert all(layer["w_in"] == 1 and layer["w_out"] == 1 for layer in layers if layer["op"] != "fc")
    assert all(layer.get("kw", 1) == 1 for layer in convs)
    assert any(layer["k"] > 1 and layer["kh"] == layer["k"] for layer in convs)
    assert layers[0]["cin"] == 64 and layers[-1]["cout"] == 3


def test_text_model_runs_on_token_ids_and_counts_match_without_the_embedding(arch):
    proxy = text_proxy(arch, 64, 32)
    model = nasgym.build_model(proxy, 3, task="text", vocab_size=100).eval()
    logits = model(torch.randint(0, 100, (4, 64)))
    assert logits.shape == (4, 3)
    params = sum(p.numel() for p in model.parameters()) - 100 * 32
    assert params == nasgym.count(proxy, 3, task="text").params


def test_bad_arguments_raise_value_errors(arch):
    with pytest.raises(ValueError, match="seq_len=0 is invalid: expected a positive int"):
        text_proxy(arch, 0, 64)
    with pytest.raises(ValueError, match="embed_dim=True is invalid"):
        text_proxy(arch, 64, True)
    with pytest.raises(ValueError, match="width_multiplier=0 is invalid"):
        segmentation_proxy(arch, (56, 56, 1), width_multiplier=0)
