"""torch.fx import: every supported node kind, and a clear error for the rest."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from nasgym.hw import simulate
from nasgym.hw.fx_import import module_layers

torch.set_num_threads(1)


class Everything(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 16, (1, 7), stride=(1, 2), padding=(0, 3), bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.act = nn.Hardswish()
        self.dw = nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.group = nn.Conv2d(16, 32, 3, padding=1, groups=4)
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.head = nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self.bn(self.stem(x)))                 # 16 x 32 x 16
        y = F.relu6(self.dw(x))
        x = x + y
        a, b = torch.chunk(x, 2, dim=1)
        x = torch.cat([a, b], dim=1)
        x = self.pool(self.group(x))                        # 32 x 16 x 8
        x = self.up(x)                                      # 16 x 32 x 16
        x = F.interpolate(x, scale_factor=0.5)              # 16 x 16 x 8
        x = torch.cat([x, F.avg_pool2d(x, 3, 1, 1)], 1)     # 32 x 16 x 8
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.head(x)


def test_every_supported_node():
    layers = module_layers(Everything(), (3, 32, 32))
    ops = [(layer["name"], layer["op"]) for layer in layers]
    assert [op for _, op in ops] == ["conv", "conv", "add", "concat", "conv", "pool", "conv", "resize", "pool",
                                     "concat", "pool", "fc"]
    stem = layers[0]
    assert (stem["kh"], stem["kw"], stem["stride"], stem["h_out"], stem["w_out"]) == (1, 7, [1, 2], 32, 16)
    assert layers[1]["groups"] == 16 and layers[4]["groups"] == 4
    assert layers[6]["transposed"] is True and (layers[6]["h_in"], layers[6]["h_out"]) == (16, 32)
    assert layers[5]["pool"] == "max" and layers[8]["pool"] == "avg"
    assert layers[9]["inputs"] == [16, 16]
    assert layers[-1]["cin"] == 32 and layers[-1]["cout"] == 10
    report = simulate(Everything(), "tensor-g1", input_shape=(1, 3, 32, 32))
    assert [r.op for r in report.layers][:3] == ["conv", "dwconv", "add"]
    assert report.layers[6].op == "tconv"
    assert report.layers[6].macs == 16 * 8 * 2 * 2 * 32 * 16  # input positions x taps x cin x cout


class Unsupported(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.gelu = nn.GELU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.gelu(self.conv(x))


class Sigmoid(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(x)


class Dilated(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, dilation=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


@pytest.mark.parametrize(
    ("module", "needle"),
    [
        (Unsupported(), r"node 'gelu' \(module 'gelu', GELU\) is unsupported"),
        (Sigmoid(), r"node 'sigmoid' \(call_function sigmoid\) is unsupported"),
        (Dilated(), "dilation=.* is unsupported"),
    ],
)
def test_unsupported_nodes_are_named(module, needle):
    with pytest.raises(ValueError, match=needle):
        simulate(module, input_shape=(3, 16, 16))


def test_input_shape_errors():
    with pytest.raises(ValueError, match="input_shape=None is invalid for a torch module"):
        simulate(Dilated())
    with pytest.raises(ValueError, match=r"input_shape=\(16, 16, 3\) does not fit Dilated"):
        simulate(Dilated(), input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match=r"input_shape=\(2, 3, 16, 16\) is invalid"):
        simulate(Dilated(), input_shape=(2, 3, 16, 16))


GROUP_OPS = ("ibn_fused_grouped", "ibn_grouped")


def group_conv_archs(space_name: str, count: int, seed: int) -> list:
    """``count`` sampled architectures of a space with at least one GC-IBN block."""
    import numpy as np

    import nasgym

    rng = np.random.default_rng(seed)
    archs = [a for a in (nasgym.load_space(space_name).sample(rng) for _ in range(300))
             if any(b.op in GROUP_OPS for b in a.blocks)]
    assert len(archs) >= count
    return archs[:count]


@pytest.mark.parametrize(("space_name", "seed"), [("proxy", 11), ("edgetpu-v2", 12)])
def test_split_group_convs_cost_what_the_env_reports(space_name, seed):
    """The Edge TPU form (slice -> per-group convs -> concat) imports as the grouped form's layers, so its simulated
    latency is the env's latency on both calibrated devices."""
    import nasgym
    from nasgym.hw import EdgeTPUCostModel

    for arch in group_conv_archs(space_name, 3, seed):
        grouped = nasgym.build_model(arch, 1000, group_conv="grouped").eval()
        split = nasgym.build_model(arch, 1000, group_conv="split").eval()
        layers = module_layers(split, (3, 224, 224))
        assert layers == module_layers(grouped, (3, 224, 224))
        assert sum(layer["op"] == "conv" and 1 < layer["groups"] < layer["cin"] for layer in layers) >= 1
        assert not any(layer["op"] == "concat" or ".convs." in layer["name"] for layer in layers)
        for hardware in ("tensor-g1", "coral-usb"):
            report = simulate(split, hardware, input_shape=(3, 224, 224))
            assert report.to_dict() == simulate(grouped, hardware, input_shape=(3, 224, 224)).to_dict()
            env = EdgeTPUCostModel(hardware, 1000).evaluate(arch)
            assert report.latency_ms == pytest.approx(env["latency_ms"], rel=1e-12, abs=0)
            assert report.energy_mj == pytest.approx(env["energy_mj"], rel=1e-12, abs=0)


class PerGroup(nn.Module):
    """Slices of a 32-channel map through one conv each, then a channel concat (variants by ``kind``)."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        kernels = (3, 5) if kind == "mixconv" else (3, 3)
        self.a = nn.Conv2d(32 if kind == "inception" else 16, 24, kernels[0], 2, kernels[0] // 2, bias=False)
        self.b = nn.Conv2d(32 if kind == "inception" else 16, 24, kernels[1], 2, kernels[1] // 2, bias=False)
        self.bn = nn.BatchNorm2d(48)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.kind == "inception":  # two convs on the whole input: a genuine concat
            parts = [self.a(x), self.b(x)]
        elif self.kind == "slices":
            parts = [self.a(x[:, :16]), self.b(x[:, 16:])]
        else:
            first, second = torch.chunk(x, 2, dim=1)
            if self.kind == "swapped":
                first, second = second, first
            parts = [self.a(first), self.b(second)]
        y = self.bn(torch.cat(parts, dim=1))
        return y


@pytest.mark.parametrize("kind", ["chunk", "slices"])
def test_per_group_convs_merge_into_one_grouped_conv(kind):
    layers = module_layers(PerGroup(kind), (32, 16, 16))
    assert layers == [{"name": "cat", "op": "conv", "cin": 32, "cout": 48, "k": 3, "stride": 2, "groups": 2,
                       "h_in": 16, "w_in": 16, "h_out": 8, "w_out": 8}]  # the BN folds into it


@pytest.mark.parametrize("kind", ["inception", "mixconv", "swapped"])
def test_a_genuine_concat_of_convs_is_not_merged(kind):
    layers = module_layers(PerGroup(kind), (32, 16, 16))
    assert [(layer["name"], layer["op"], layer["groups"]) for layer in layers] == [
        ("a", "conv", 1), ("b", "conv", 1), ("cat", "concat", 1)]
    assert layers[-1]["inputs"] == [24, 24]


def test_per_group_conv_read_elsewhere_is_not_merged():
    class Reused(PerGroup):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            first, second = torch.chunk(x, 2, dim=1)
            a = self.a(first)
            return torch.cat([a, self.b(second)], dim=1) + torch.cat([a, a], dim=1)

    ops = [(layer["name"], layer["op"]) for layer in module_layers(Reused("chunk"), (32, 16, 16))]
    assert ops == [("a", "conv"), ("b", "conv"), ("cat", "concat"), ("cat_1", "concat"), ("add", "add")]


def test_single_channel_slices_are_not_merged():
    class PerChannel(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.convs = nn.ModuleList(nn.Conv2d(1, 1, 3, padding=1) for _ in range(4))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.cat([conv(p) for conv, p in zip(self.convs, torch.chunk(x, 4, dim=1), strict=True)], 1)

    layers = module_layers(PerChannel(), (4, 8, 8))
    assert [layer["op"] for layer in layers] == ["conv"] * 4 + ["concat"]
