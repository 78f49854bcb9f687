"""Reference zoo for calibration and fidelity: the networks of ``nasgym/hw/data/coral_latency.csv``.

MobileNet v2 and EfficientNet-EdgeTPU-S come from nasgym's own reference architectures (built with
:func:`nasgym.build_model`); the others are plain PyTorch modules written here: MobileNet v1 1.0, Inception v1
(TF-slim GoogLeNet: 3x3 convs in the "5x5" branch, batch norm), ResNet-50 v1 (stride on the first 1x1 of a
bottleneck) at 299, SqueezeNet 1.0 and VGG16. Modules are created on the ``meta`` device (no weights are allocated);
the simulator only needs their structure.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import torch
from torch import nn

from nasgym.model.builder import build_model
from nasgym.space.reference import reference


def _conv(cin: int, cout: int, k: int, stride: int = 1, groups: int = 1, padding: int | None = None) -> nn.Sequential:
    pad = k // 2 if padding is None else padding
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, pad, groups=groups, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class _Classifier(nn.Module):
    def __init__(self, features: nn.Module, channels: int, num_classes: int) -> None:
        super().__init__()
        self.features = features
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


def mobilenet_v1(num_classes: int = 1001) -> nn.Module:
    """MobileNet v1 1.0 (224): 3x3 stem, 13 depthwise-separable pairs, 1024 features."""
    layers, cin = [_conv(3, 32, 3, 2)], 32
    for cout, stride in ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), *[(512, 1)] * 5, (1024, 2),
                         (1024, 1)):
        layers += [_conv(cin, cin, 3, stride, groups=cin), _conv(cin, cout, 1)]
        cin = cout
    return _Classifier(nn.Sequential(*layers), 1024, num_classes)


class _Inception(nn.Module):
    def __init__(self, cin: int, b1: int, b2r: int, b2: int, b3r: int, b3: int, b4: int) -> None:
        super().__init__()
        self.b1 = _conv(cin, b1, 1)
        self.b2 = nn.Sequential(_conv(cin, b2r, 1), _conv(b2r, b2, 3))
        self.b3 = nn.Sequential(_conv(cin, b3r, 1), _conv(b3r, b3, 3))
        self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, 1), _conv(cin, b4, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1)


def inception_v1(num_classes: int = 1001) -> nn.Module:
    """Inception v1 (TF-slim GoogLeNet, 224)."""
    cfg = {
        "3a": (192, 64, 96, 128, 16, 32, 32), "3b": (256, 128, 128, 192, 32, 96, 64),
        "4a": (480, 192, 96, 208, 16, 48, 64), "4b": (512, 160, 112, 224, 24, 64, 64),
        "4c": (512, 128, 128, 256, 24, 64, 64), "4d": (512, 112, 144, 288, 32, 64, 64),
        "4e": (528, 256, 160, 320, 32, 128, 128), "5a": (832, 256, 160, 320, 32, 128, 128),
        "5b": (832, 384, 192, 384, 48, 128, 128),
    }
    pool = nn.MaxPool2d(3, 2, 1)
    layers: list[nn.Module] = [_conv(3, 64, 7, 2), pool, _conv(64, 64, 1), _conv(64, 192, 3), nn.MaxPool2d(3, 2, 1)]
    for name, args in cfg.items():
        layers.append(_Inception(*args))
        if name in ("3b", "4e"):
            layers.append(nn.MaxPool2d(3, 2, 1))
    return _Classifier(nn.Sequential(*layers), 1024, num_classes)


class _Bottleneck(nn.Module):
    def __init__(self, cin: int, width: int, stride: int) -> None:
        super().__init__()
        cout = 4 * width
        self.body = nn.Sequential(
            _conv(cin, width, 1, stride), _conv(width, width, 3),
            nn.Conv2d(width, cout, 1, bias=False), nn.BatchNorm2d(cout),
        )
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skip = x if self.shortcut is None else self.shortcut(x)
        return self.relu(self.body(x) + skip)


def resnet50_v1(num_classes: int = 1000) -> nn.Module:
    """ResNet-50 v1 (stride on the first 1x1 conv of each downsampling bottleneck)."""
    layers: list[nn.Module] = [_conv(3, 64, 7, 2), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for width, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        for b in range(blocks):
            layers.append(_Bottleneck(cin, width, stride if b == 0 else 1))
            cin = 4 * width
    return _Classifier(nn.Sequential(*layers), 2048, num_classes)


class _Fire(nn.Module):
    def __init__(self, cin: int, squeeze: int, e1: int, e3: int) -> None:
        super().__init__()
        self.squeeze = _conv(cin, squeeze, 1)
        self.e1, self.e3 = _conv(squeeze, e1, 1), _conv(squeeze, e3, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.squeeze(x)
        return torch.cat([self.e1(s), self.e3(s)], 1)


class _SqueezeNet(nn.Module):
    def __init__(self, num_classes: int) -> None:
        super().__init__()
        pool = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.features = nn.Sequential(
            _conv(3, 96, 7, 2, padding=0), pool, _Fire(96, 16, 64, 64), _Fire(128, 16, 64, 64),
            _Fire(128, 32, 128, 128), nn.MaxPool2d(3, 2, ceil_mode=True), _Fire(256, 32, 128, 128),
            _Fire(256, 48, 192, 192), _Fire(384, 48, 192, 192), _Fire(384, 64, 256, 256),
            nn.MaxPool2d(3, 2, ceil_mode=True), _Fire(512, 64, 256, 256), _conv(512, num_classes, 1),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.flatten(self.pool(self.features(x)), 1)


def squeezenet(num_classes: int = 1001) -> nn.Module:
    """SqueezeNet 1.0 (classifier as a 1x1 conv, then global average pooling)."""
    return _SqueezeNet(num_classes)


class _VGG(nn.Module):
    def __init__(self, num_classes: int) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        cin = 3
        for v in (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"):
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(cin, v, 3, 1, 1), nn.ReLU(inplace=True)]
                cin = v
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(inplace=True), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.features(x), 1))


def vgg16(num_classes: int = 1000) -> nn.Module:
    """VGG16 (13 3x3 convs, three fully connected layers)."""
    return _VGG(num_classes)


# CSV model name -> (builder, input shape in torch order)
ZOO = {
    "MobileNet v1": (mobilenet_v1, (3, 224, 224)),
    "MobileNet v2": (lambda: build_model(reference("mobilenet_v2_1.0"), 1001), (3, 224, 224)),
    "Inception v1": (inception_v1, (3, 224, 224)),
    "ResNet-50 V1": (resnet50_v1, (3, 299, 299)),
    "SqueezeNet": (squeezenet, (3, 224, 224)),
    "VGG16": (vgg16, (3, 224, 224)),
    "EfficientNet-EdgeTpu-S": (lambda: build_model(reference("efficientnet_edgetpu_s"), 1001), (3, 224, 224)),
}


def zoo_names() -> list[str]:
    """Model names of the zoo (as in the calibration CSV)."""
    return list(ZOO)


def meta_model(table: dict, name: str, what: str) -> tuple[nn.Module, tuple[int, int, int]]:
    """The module ``name`` of ``table`` (name -> (factory, input shape)) built on the meta device, and its input
    shape (C, H, W); ``what`` names the table in the error."""
    if name not in table:
        raise ValueError(f"unknown {what} {name!r}: expected one of {', '.join(table)}")
    factory, shape = table[name]
    with torch.device("meta"):
        module = factory()
    return module.eval(), shape


@cache
def imported_layers(model: Callable[[str], tuple[nn.Module, tuple[int, int, int]]], name: str) -> tuple:
    """The layers of ``model(name)`` imported once through torch.fx (cached per model function and name)."""
    from nasgym.hw.fx_import import module_layers

    module, shape = model(name)
    return tuple(module_layers(module, shape))


def zoo_model(name: str) -> tuple[nn.Module, tuple[int, int, int]]:
    """The zoo module called ``name`` (on the meta device) and its input shape (C, H, W)."""
    return meta_model(ZOO, name, "zoo model")


def zoo_layers(name: str) -> list[dict]:
    """The zoo model's layers in the JSON layer schema (imported once through torch.fx, then cached)."""
    return [dict(layer) for layer in imported_layers(zoo_model, name)]
