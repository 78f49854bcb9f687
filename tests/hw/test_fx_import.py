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
