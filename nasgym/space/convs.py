"""The convolutions of each block op, written once.

:func:`block_convs` lists the convs a block executes, in order, as :class:`ConvSpec` records. Everything that needs
a block's layer structure derives it from this list: the torch module (:mod:`nasgym.model.builder`), the lowered
layer dicts (:mod:`nasgym.model.lowering`), the simulator's numeric rows (:mod:`nasgym.hw.rows`) and the
weight-sharing supernet's weight banks (:mod:`nasgym.quality.supernet`). The residual add is not a conv: it follows
from :meth:`nasgym.space.Block.has_residual`.

To add a block op, add its name to ``OPS`` (and its short code to ``OP_CODES``) in :mod:`nasgym.space.block` and its
structure function to :data:`STRUCTURES` here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from nasgym.space.block import Block

KINDS: tuple[str, ...] = ("full", "depthwise", "group")


class ConvSpec(NamedTuple):
    """One 'same'-padded conv of a block, followed by BatchNorm (and ReLU when ``act``).

    A named tuple: the hot paths (lowering, the simulator's rows) unpack it at C speed.

    Attributes:
        name: Its role in the block ("expand", "dw", "group", "fused", "project"): the lowered layer's name suffix
            and the supernet's weight-bank key.
        kind: "full" (groups 1), "depthwise" (one channel per group) or "group" (``group_size`` input channels per
            group); the supernet sizes a bank's input dimension by it.
        cin: Input channels.
        cout: Output channels.
        k: Square kernel size.
        stride: Stride.
        groups: Groups.
        act: Whether a ReLU follows the BatchNorm.
    """

    name: str
    kind: str
    cin: int
    cout: int
    k: int
    stride: int = 1
    groups: int = 1
    act: bool = True


Structure = Callable[["Block", int, bool], list[ConvSpec]]


def _expand(block: Block, cin: int, mid: int, every: bool) -> list[ConvSpec]:
    """The 1x1 expansion conv, omitted at expansion 1 unless ``every``."""
    return [ConvSpec("expand", "full", cin, mid, 1)] if block.expansion > 1 or every else []


def _project(mid: int, cout: int) -> ConvSpec:
    return ConvSpec("project", "full", mid, cout, 1, act=False)


def _ibn_dw(block: Block, cin: int, every: bool) -> list[ConvSpec]:
    """1x1 expand (omitted at expansion 1), depthwise kxk with the stride, 1x1 project."""
    mid = block.expanded(cin)
    dw = ConvSpec("dw", "depthwise", mid, mid, block.kernel, block.stride, mid)
    return [*_expand(block, cin, mid, every), dw, _project(mid, block.filters)]


def _ibn_grouped(block: Block, cin: int, every: bool) -> list[ConvSpec]:
    """1x1 expand, group kxk with the stride, 1x1 project."""
    mid = block.expanded(cin)
    group = ConvSpec("group", "group", mid, mid, block.kernel, block.stride, block.groups(cin))
    return [ConvSpec("expand", "full", cin, mid, 1), group, _project(mid, block.filters)]


def _ibn_fused(block: Block, cin: int, every: bool) -> list[ConvSpec]:
    """Full (or, for GC-IBN, group) kxk expand with the stride, 1x1 project; at expansion 1 (fused IBN only, unless
    ``every``) just the projection, which then carries the stride."""
    if block.op == "ibn_fused" and block.expansion == 1 and not every:
        return [ConvSpec("project", "full", cin, block.filters, 1, block.stride, act=False)]
    mid, groups = block.expanded(cin), block.groups(cin)
    fused = ConvSpec("fused", "group" if block.is_grouped else "full", cin, mid, block.kernel, block.stride, groups)
    return [fused, _project(mid, block.filters)]


STRUCTURES: dict[str, Structure] = {
    "ibn_dw": _ibn_dw,
    "ibn_fused": _ibn_fused,
    "ibn_fused_grouped": _ibn_fused,
    "ibn_grouped": _ibn_grouped,
    "skip": lambda block, cin, every: [],
}


MEMO_SIZE = 1 << 16  # entries kept by the per-block memos here and in nasgym.hw.rows before they are cleared
_CONVS: dict[tuple[int, int, bool], tuple[ConvSpec, ...]] = {}


def block_convs(block: Block, cin: int, every: bool = False) -> tuple[ConvSpec, ...]:
    """The convs ``block`` executes for ``cin`` input channels, in order (memoized per (block, cin)).

    Args:
        block: The block.
        cin: Its input channels.
        every: Also list the convs the op omits at expansion 1 (sized as at expansion 1): the weight banks a
            supernet allocates for the op, whatever the expansion of a path.
    """
    key = (block.key, cin, every)
    convs = _CONVS.get(key)
    if convs is None:
        if len(_CONVS) >= MEMO_SIZE:
            _CONVS.clear()
        convs = _CONVS[key] = tuple(STRUCTURES[block.op](block, cin, every))
    return convs
