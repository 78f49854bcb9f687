"""Networks outside the calibration set, for checking how the simulator generalizes (never fitted to).

DenseNet-121 (Huang et al. 2017: pre-activation BN-ReLU-conv, growth 32, bottleneck 4x, compression 0.5, blocks
6/12/24/16) and Inception v3 (Szegedy et al. 2016, the TF-slim layout at 299x299: factorized 1x7/7x1 and 1x3/3x1
convs, four-branch modules, concat per module), written in plain PyTorch (torchvision is not a dependency) and
created on the ``meta`` device like :mod:`nasgym.hw.zoo`.
"""

from __future__ import annotations

import torch
from torch import nn

from nasgym.hw.zoo import imported_layers, meta_model


def _bn_conv(cin: int, cout: int, kh: int, kw: int | None = None, stride: int = 1, pad: object = "same"
             ) -> nn.Sequential:
    """Conv (no bias) + BN + ReLU; ``pad`` "same" (stride 1 or odd kernels), "valid" or explicit."""
    kw = kh if kw is None else kw
    padding = (kh // 2, kw // 2) if pad == "same" else 0 if pad == "valid" else pad
    return nn.Sequential(nn.Conv2d(cin, cout, (kh, kw), stride, padding, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class _DenseLayer(nn.Module):
    def __init__(self, cin: int, growth: int, bottleneck: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.BatchNorm2d(cin), nn.ReLU(inplace=True), nn.Conv2d(cin, bottleneck * growth, 1, bias=False),
            nn.BatchNorm2d(bottleneck * growth), nn.ReLU(inplace=True),
            nn.Conv2d(bottleneck * growth, growth, 3, 1, 1, bias=False),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([x, self.body(x)], 1)


def densenet121(num_classes: int = 1000) -> nn.Module:
    """DenseNet-121 at 224x224 (7.98 M parameters with 1000 classes)."""
    layers: list[nn.Module] = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
                               nn.MaxPool2d(3, 2, 1)]
    c = 64
    for i, n in enumerate((6, 12, 24, 16)):
        for _ in range(n):
            layers.append(_DenseLayer(c, 32, 4))
            c += 32
        if i < 3:
            layers += [nn.BatchNorm2d(c), nn.ReLU(inplace=True), nn.Conv2d(c, c // 2, 1, bias=False),
                       nn.AvgPool2d(2, 2)]
            c //= 2
    layers += [nn.BatchNorm2d(c), nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
               nn.Linear(c, num_classes)]
    return nn.Sequential(*layers)


class _Branches(nn.Module):
    """Parallel branches over one input, concatenated along channels."""

    def __init__(self, *branches: nn.Module) -> None:
        super().__init__()
        self.branches = nn.ModuleList(branches)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([b(x) for b in self.branches], 1)


def _pool_proj(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.AvgPool2d(3, 1, 1), _bn_conv(cin, cout, 1))


def _split_3(cin: int, cout: int) -> _Branches:
    """The 1x3 / 3x1 pair of Inception v3's last modules."""
    return _Branches(_bn_conv(cin, cout, 1, 3), _bn_conv(cin, cout, 3, 1))


def inception_v3(num_classes: int = 1001) -> nn.Module:
    """Inception v3 at 299x299 (TF-slim layout, no auxiliary head)."""
    s = [_bn_conv(3, 32, 3, stride=2, pad="valid"), _bn_conv(32, 32, 3, pad="valid"), _bn_conv(32, 64, 3),
         nn.MaxPool2d(3, 2), _bn_conv(64, 80, 1), _bn_conv(80, 192, 3, pad="valid"), nn.MaxPool2d(3, 2)]
    c = 192
    for pool in (32, 64, 64):  # Mixed_5b..d, 35x35
        s.append(_Branches(_bn_conv(c, 64, 1), nn.Sequential(_bn_conv(c, 48, 1), _bn_conv(48, 64, 5)),
                           nn.Sequential(_bn_conv(c, 64, 1), _bn_conv(64, 96, 3), _bn_conv(96, 96, 3)),
                           _pool_proj(c, pool)))
        c = 224 + pool
    s.append(_Branches(_bn_conv(c, 384, 3, stride=2, pad="valid"),  # Mixed_6a -> 17x17
                       nn.Sequential(_bn_conv(c, 64, 1), _bn_conv(64, 96, 3),
                                     _bn_conv(96, 96, 3, stride=2, pad="valid")),
                       nn.MaxPool2d(3, 2)))
    c = 768
    for c7 in (128, 160, 160, 192):  # Mixed_6b..e
        s.append(_Branches(
            _bn_conv(c, 192, 1),
            nn.Sequential(_bn_conv(c, c7, 1), _bn_conv(c7, c7, 1, 7), _bn_conv(c7, 192, 7, 1)),
            nn.Sequential(_bn_conv(c, c7, 1), _bn_conv(c7, c7, 7, 1), _bn_conv(c7, c7, 1, 7), _bn_conv(c7, c7, 7, 1),
                          _bn_conv(c7, 192, 1, 7)),
            _pool_proj(c, 192)))
    s.append(_Branches(  # Mixed_7a -> 8x8
        nn.Sequential(_bn_conv(c, 192, 1), _bn_conv(192, 320, 3, stride=2, pad="valid")),
        nn.Sequential(_bn_conv(c, 192, 1), _bn_conv(192, 192, 1, 7), _bn_conv(192, 192, 7, 1),
                      _bn_conv(192, 192, 3, stride=2, pad="valid")),
        nn.MaxPool2d(3, 2)))
    c = 1280
    for _ in range(2):  # Mixed_7b, 7c
        s.append(_Branches(_bn_conv(c, 320, 1), nn.Sequential(_bn_conv(c, 384, 1), _split_3(384, 384)),
                           nn.Sequential(_bn_conv(c, 448, 1), _bn_conv(448, 384, 3), _split_3(384, 384)),
                           _pool_proj(c, 192)))
        c = 2048
    s += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, num_classes)]
    return nn.Sequential(*s)


UNSEEN = {"DenseNet-121": (densenet121, (3, 224, 224)), "Inception v3": (inception_v3, (3, 299, 299))}


def unseen_model(name: str) -> tuple[nn.Module, tuple[int, int, int]]:
    """The network called ``name`` (see :data:`UNSEEN`) on the meta device, and its input shape (C, H, W)."""
    return meta_model(UNSEEN, name, "network")


def unseen_layers(name: str) -> list[dict]:
    """The network's layers in the JSON layer schema (torch.fx import, cached)."""
    return [dict(layer) for layer in imported_layers(unseen_model, name)]
