"""Fast lowering of an :class:`~nasgym.space.Architecture` to numeric layer rows, the simulator's hot path.

A row is ``(op code, cin, cout, kh, kw, groups, h_in, w_in, h_out, w_out, transposed)`` with the op codes of
:data:`OP_CODES`. The rows of an architecture equal those of ``check_layers(nasgym.lower(arch))`` (a test pins
this); they skip building and validating layer dicts, which costs more than the simulation itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from nasgym.hw.layers import LayerKey
from nasgym.space.architecture import Architecture
from nasgym.space.block import Block
from nasgym.space.convs import MEMO_SIZE, block_convs

OP_CODES = {"conv": 0, "fc": 1, "add": 2, "pool": 3, "concat": 4, "resize": 5}
Row = tuple[int, int, int, int, int, int, int, int, int, int, int]


def layer_row(layer: dict) -> Row:
    """The row of a layer dict that nasgym's own lowering made (trusted: not validated)."""
    k = layer["k"]
    return (OP_CODES[layer["op"]], layer["cin"], layer["cout"], layer.get("kh", k), layer.get("kw", k),
            layer["groups"], layer["h_in"], layer["w_in"], layer["h_out"], layer["w_out"],
            int(layer.get("transposed", False)))


def one_d_row(row: Row) -> Row:
    """A conv row of a 1-D network: its kxk kernel becomes kx1 (see :func:`nasgym.model.heads.one_d_layer`)."""
    return row[:4] + (1,) + row[5:]


def output_size(rows: Sequence[Row]) -> int:
    """Elements of the output of the last row (channels x height x width)."""
    last = rows[-1]
    return last[2] * last[8] * last[9]


def key_row(key: LayerKey) -> Row:
    """The row of a validated layer."""
    return (OP_CODES[key.op], key.cin, key.cout, key.kh, key.kw, key.groups, key.h_in, key.w_in, key.h_out,
            key.w_out, int(key.transposed))


_ROWS: dict[tuple[int, int, int, int], tuple[Row, ...]] = {}


def block_rows(block: Block, cin: int, h: int, w: int) -> tuple[Row, ...]:
    """Rows of one block for a ``cin`` x ``h`` x ``w`` input (its :meth:`~nasgym.space.Block.convs`, then the add;
    the layers of ``nasgym.model.lowering.lower_block``), memoized per (block, cin, h, w)."""
    key = (block.key, cin, h, w)
    rows = _ROWS.get(key)
    if rows is None:
        if len(_ROWS) >= MEMO_SIZE:
            _ROWS.clear()
        rows = _ROWS[key] = uncached_block_rows(block, cin, h, w)
    return rows


def uncached_block_rows(block: Block, cin: int, h: int, w: int) -> tuple[Row, ...]:
    """:func:`block_rows` without its memo (the cost model keeps its own per-block memo: one store, not two)."""
    rows = []
    h_in, w_in = h, w
    for _, _, conv_in, cout, k, s, groups, _ in block_convs(block, cin):
        if s == 1:
            rows.append((0, conv_in, cout, k, k, groups, h, w, h, w, 0))
        else:
            ho, wo = -(-h // s), -(-w // s)
            rows.append((0, conv_in, cout, k, k, groups, h, w, ho, wo, 0))
            h, w = ho, wo
    if block.has_residual(cin):
        rows.append((2, block.filters, block.filters, 1, 1, 1, h_in, w_in, h_in, w_in, 0))
    return tuple(rows)


def stem_row(arch: Architecture, h: int, w: int, c: int) -> Row:
    """The stem conv's row."""
    k, s = arch.stem_kernel, arch.stem_stride
    return (0, c, arch.stem_filters, k, k, 1, h, w, -(-h // s), -(-w // s), 0)


def head_rows(cin: int, head: int, h: int, w: int, num_classes: int) -> list[Row]:
    """Rows of the 1x1 top conv, the global average pool and the classifier."""
    return [(0, cin, head, 1, 1, 1, h, w, h, w, 0), (3, head, head, h, w, 1, h, w, 1, 1, 0),
            (1, head, num_classes, 1, 1, 1, 1, 1, 1, 1, 0)]


def arch_rows(arch: Architecture, input_shape: Sequence[int] | None = None, num_classes: int = 1000) -> list[Row]:
    """Every layer row of ``arch`` (input (height, width, channels), default its own), in execution order."""
    h, w, c = tuple(input_shape) if input_shape is not None else arch.input_shape
    stem = stem_row(arch, h, w, c)
    rows = [stem]
    h, w, cin = stem[8], stem[9], arch.stem_filters
    memo = _ROWS
    for block in arch.blocks:
        if block.op != "skip":
            rows += memo.get((block.key, cin, h, w)) or block_rows(block, cin, h, w)
            s = block.stride
            if s != 1:
                h, w = -(-h // s), -(-w // s)
        cin = block.filters
    rows += head_rows(cin, arch.head_filters, h, w, num_classes)
    return rows
