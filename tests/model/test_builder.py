import numpy as np
import pytest
import torch

import nasgym
from nasgym import Architecture, Block
from nasgym.model.builder import SplitGroupConv


def grouped_arch() -> Architecture:
    stages = (
        (Block("ibn_fused", 16, 3, 1),),
        (Block("ibn_fused_grouped", 32, 3, 4, 2, group_size=16), Block("ibn_grouped", 32, 5, 2, group_size=16)),
    )
    return Architecture(stages, stem_filters=16, head_filters=64, input_shape=(32, 32, 3))


def test_forward_shape():
    model = nasgym.build_model(grouped_arch(), num_classes=7)
    out = model(torch.randn(2, 3, 32, 32))
    assert out.shape == (2, 7)


def test_split_and_grouped_are_the_same_function():
    torch.manual_seed(0)
    arch = grouped_arch()
    grouped = nasgym.build_model(arch, num_classes=5, group_conv="grouped").eval()
    split = nasgym.build_model(arch, num_classes=5, group_conv="split").eval()
    assert sum(p.numel() for p in grouped.parameters()) == sum(p.numel() for p in split.parameters())
    assert any(isinstance(m, SplitGroupConv) for m in split.modules())
    # Copy weights: a grouped conv's weight is the per-group convs' weights stacked along the output channels.
    split_state = split.state_dict()
    for name, tensor in grouped.state_dict().items():
        if name in split_state:
            split_state[name] = tensor
        else:
            prefix = name.removesuffix(".weight")
            parts = [k for k in split_state if k.startswith(prefix + ".convs.")]
            for part, chunk in zip(sorted(parts), torch.chunk(tensor, len(parts), dim=0), strict=True):
                split_state[part] = chunk
    split.load_state_dict(split_state)
    x = torch.randn(2, 3, 32, 32)
    torch.testing.assert_close(grouped(x), split(x))


def test_block_rules_in_module():
    model = nasgym.build_model(nasgym.reference("mobilenet_edgetpu_v2_tiny"), num_classes=1001)
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    assert all(conv.bias is None for conv in convs)
    assert model.head.fc.bias is not None
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert len(bns) == len(convs) and all(bn.affine for bn in bns)
    residuals = [block.residual for block in model.backbone.blocks]
    assert sum(residuals) == 13  # 1 + 3 + 3 + 3 + 3 stride-1 equal-width blocks


def test_skip_blocks_are_removed():
    space = nasgym.load_space("proxy")
    arch = next(a for a in (space.sample(np.random.default_rng(s)) for s in range(100)) if a.depth < 7)
    model = nasgym.build_model(arch, num_classes=10)
    assert len(model.backbone.blocks) == arch.depth


def test_bad_builder_arguments():
    with pytest.raises(ValueError, match="group_conv='fancy' is invalid: expected one of"):
        nasgym.build_model(grouped_arch(), group_conv="fancy")
    with pytest.raises(ValueError, match="task='detection' is invalid: expected one of classification"):
        nasgym.build_model(grouped_arch(), task="detection")


def test_segmentation_output_matches_input_size():
    arch = grouped_arch().replace(input_shape=(56, 56, 1))
    model = nasgym.build_model(arch, num_classes=11, task="segmentation").eval()
    assert model(torch.randn(2, 1, 56, 56)).shape == (2, 11, 56, 56)
    assert model(torch.randn(1, 1, 50, 42)).shape == (1, 11, 50, 42)  # cropped when not divisible by the stride


def test_segmentation_upsampling_starts_bilinear():
    from nasgym.model.builder import bilinear_kernel

    kernel = bilinear_kernel(4)
    assert kernel.shape == (4, 4)
    torch.testing.assert_close(kernel[1:3, 1:3], torch.full((2, 2), 0.5625))
    up = torch.nn.functional.conv_transpose2d(torch.ones(1, 1, 3, 3), kernel[None, None], stride=2, padding=1)
    torch.testing.assert_close(up[0, 0, 1:-1, 1:-1], torch.ones(4, 4))  # a constant map stays constant inside


def test_text_model_is_one_dimensional():
    arch = grouped_arch().replace(input_shape=(40, 1, 16))
    model = nasgym.build_model(arch, num_classes=3, task="text", vocab_size=100)
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    assert all(conv.kernel_size[1] == 1 for conv in convs)
    assert any(conv.kernel_size[0] == 5 for conv in convs)
    assert model(torch.randint(0, 100, (4, 40))).shape == (4, 3)
    with pytest.raises(ValueError, match="vocab_size=None is invalid: expected a positive int for task 'text'"):
        nasgym.build_model(arch, num_classes=3, task="text")
