"""Published reference networks expressed exactly in nasgym's architecture format.

MobileNetEdgeTPUV2 (Tiny..L), MobileNetEdgeTPU v1 at several depth multipliers, MobileNetV2 1.0 and
EfficientNet-EdgeTPU-S, each from its published definition; their parameter counts at 1001 classes are pinned in
``tests/model/test_counting.py`` (and listed in the README).
"""

from __future__ import annotations

from collections.abc import Callable

from nasgym.space.architecture import Architecture
from nasgym.space.block import Block

# --------------------------------------------------------------------------- MobileNetEdgeTPUV2
# (op, kernel, expansion, stride) per block of the 7 block groups.
_V2_GROUPS: tuple[tuple[tuple[str, int, int, int], ...], ...] = (
    (("ibn_fused", 3, 1, 1),),
    (("ibn_fused", 3, 8, 2), ("ibn_fused_grouped", 3, 4, 1)),
    (("ibn_fused", 3, 8, 2), ("ibn_fused_grouped", 3, 4, 1), ("ibn_fused", 3, 4, 1), ("ibn_fused_grouped", 3, 4, 1)),
    (("ibn_fused", 3, 8, 2),) + (("ibn_dw", 3, 4, 1),) * 3,
    (("ibn_dw", 3, 8, 1),) + (("ibn_dw", 3, 4, 1),) * 3,
    (("ibn_dw", 3, 8, 2),) + (("ibn_dw", 3, 4, 1),) * 3,
    (("ibn_dw", 3, 8, 1),),
)
_TINY_GROUPED = {(2, 0), (2, 2), (3, 0)}

# variant: (stem filters, stem kernel, filters per group, top filters, group size)
_V2_VARIANTS: dict[str, tuple[int, int, tuple[int, ...], int, int]] = {
    "tiny": (32, 5, (16, 32, 48, 80, 112, 160, 192), 1280, 64),
    "xs": (32, 5, (16, 32, 48, 96, 144, 160, 192), 1280, 64),
    "s": (64, 5, (24, 48, 64, 128, 160, 192, 256), 1280, 64),
    "m": (64, 5, (32, 64, 80, 160, 192, 240, 320), 1344, 64),
    "l": (64, 7, (32, 64, 96, 192, 240, 256, 384), 1408, 128),
}


def mobilenet_edgetpu_v2(variant: str) -> Architecture:
    """MobileNetEdgeTPUV2 ``tiny``/``xs``/``s``/``m``/``l`` at 224x224x3."""
    stem, stem_kernel, filters, top, group_size = _V2_VARIANTS[variant]
    stages = []
    for g, (group, width) in enumerate(zip(_V2_GROUPS, filters, strict=True)):
        blocks = []
        for b, (op, kernel, expansion, stride) in enumerate(group):
            if variant == "tiny" and (g, b) in _TINY_GROUPED:
                op = "ibn_fused_grouped"
            grouped = op in ("ibn_fused_grouped", "ibn_grouped")
            blocks.append(Block(op, width, kernel, expansion, stride, group_size if grouped else None))
        stages.append(tuple(blocks))
    return Architecture(tuple(stages), stem_filters=stem, stem_kernel=stem_kernel, head_filters=top)


# --------------------------------------------------------------------------- MobileNetEdgeTPU v1
# (op, cout, kernel, repeats, expansion, stride, residual) per block row.
_V1_ROWS: tuple[tuple[str, int, int, int, int, int, bool], ...] = (
    ("ibn_fused", 16, 3, 1, 1, 1, True),
    ("ibn_fused", 32, 3, 1, 8, 2, True),
    ("ibn_fused", 32, 3, 3, 4, 1, True),
    ("ibn_fused", 48, 3, 1, 8, 2, True),
    ("ibn_fused", 48, 3, 3, 4, 1, True),
    ("ibn_dw", 96, 3, 1, 8, 2, True),
    ("ibn_dw", 96, 3, 3, 4, 1, True),
    ("ibn_dw", 96, 3, 1, 8, 1, False),
    ("ibn_dw", 96, 3, 3, 4, 1, True),
    ("ibn_dw", 160, 5, 1, 8, 2, True),
    ("ibn_dw", 160, 5, 3, 4, 1, True),
    ("ibn_dw", 192, 3, 1, 8, 1, True),
)


def round_filters(filters: float, multiplier: float, divisor: int = 8) -> int:
    """Scale ``filters`` by ``multiplier`` and round to a multiple of ``divisor`` (never down by > 10 %)."""
    scaled = filters * multiplier
    rounded = max(divisor, int(scaled + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * scaled:
        rounded += divisor
    return int(rounded)


def _stages_from_rows(rows: tuple, multiplier: float = 1.0) -> tuple[tuple[Block, ...], ...]:
    """Group block rows into stages: a new stage starts at every strided row (and at the first)."""
    stages: list[list[Block]] = []
    for op, cout, kernel, repeats, expansion, stride, residual in rows:
        width = round_filters(cout, multiplier)
        for r in range(repeats):
            block = Block(op, width, kernel, expansion, stride if r == 0 else 1, residual=residual)
            if not stages or (r == 0 and stride == 2):
                stages.append([])
            stages[-1].append(block)
    return tuple(tuple(stage) for stage in stages)


def mobilenet_edgetpu_v1(multiplier: float) -> Architecture:
    """MobileNetEdgeTPU (v1) with its filters scaled by ``multiplier`` (the depth multiplier dm)."""
    return Architecture(
        _stages_from_rows(_V1_ROWS, multiplier),
        stem_filters=round_filters(32, multiplier),
        stem_kernel=3,
        head_filters=round_filters(1280, multiplier) if multiplier > 1 else 1280,
    )


# --------------------------------------------------------------------------- MobileNetV2 1.0
_MBV2_ROWS = tuple(
    ("ibn_dw", c, 3, n, t, s, True)
    for t, c, n, s in ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
                       (6, 320, 1, 1))
)


def mobilenet_v2() -> Architecture:
    """MobileNetV2 1.0 at 224 (inverted residuals, ReLU here as on the Edge TPU)."""
    return Architecture(_stages_from_rows(_MBV2_ROWS), stem_filters=32, stem_kernel=3, head_filters=1280)


# --------------------------------------------------------------------------- EfficientNet-EdgeTPU-S
def efficientnet_edgetpu_s() -> Architecture:
    """EfficientNet-EdgeTPU-S at 224.

    The first block string is ``r1_k3_s11_e4_i24_o24_c1_noskip`` on the 32-channel stem: the builder expands to
    ``i * e = 96`` channels, which nasgym writes as expansion 3 on the actual 32 input channels (same net).
    Fused blocks put the stride on the kxk expansion conv, as the TPU EfficientNet builder does.
    """
    rows = (
        ("ibn_fused", 32, 3, 2, 8, 2, True),
        ("ibn_fused", 48, 3, 4, 8, 2, True),
        ("ibn_dw", 96, 5, 5, 8, 2, True),
        ("ibn_dw", 144, 5, 4, 8, 1, True),
        ("ibn_dw", 192, 5, 2, 8, 2, True),
    )
    first = (Block("ibn_fused", 24, 3, 3, 1, residual=False),)
    stages = (first,) + _stages_from_rows(rows)
    return Architecture(stages, stem_filters=32, stem_kernel=3, head_filters=1280)


_REFERENCES: dict[str, Callable[[], Architecture]] = {
    **{f"mobilenet_edgetpu_v2_{v}": (lambda v=v: mobilenet_edgetpu_v2(v)) for v in _V2_VARIANTS},
    **{f"mobilenet_edgetpu_v1_dm{m}": (lambda m=m: mobilenet_edgetpu_v1(m)) for m in (0.75, 1.0, 1.25, 1.5, 1.75)},
    "mobilenet_v2_1.0": mobilenet_v2,
    "efficientnet_edgetpu_s": efficientnet_edgetpu_s,
}


def reference_names() -> list[str]:
    """Names accepted by :func:`reference`."""
    return list(_REFERENCES)


def reference(name: str) -> Architecture:
    """The published architecture called ``name`` (see :func:`reference_names`)."""
    if name not in _REFERENCES:
        raise ValueError(f"unknown reference network {name!r}: expected one of {', '.join(_REFERENCES)}")
    return _REFERENCES[name]()
