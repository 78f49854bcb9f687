"""The block structure table (nasgym.space.convs): one structure per op, consistent conv chains, memoized."""

import copy
import dataclasses
import pickle

import numpy as np
import pytest

import nasgym
from nasgym.space.block import OPS, Block
from nasgym.space.convs import KINDS, STRUCTURES, block_convs


def test_every_op_has_a_structure():
    assert set(STRUCTURES) == set(OPS)


@pytest.mark.parametrize("space", ["proxy", "edgetpu-v2"])
def test_conv_chains_connect_and_carry_one_stride(space):
    rng = np.random.default_rng(0)
    for _ in range(100):
        arch = nasgym.load_space(space).sample(rng)
        cin = arch.stem_filters
        for block in arch.blocks:
            convs = block.convs(cin)
            if block.op == "skip":
                assert convs == ()
            else:
                assert convs[0].cin == cin and convs[-1].cout == block.filters
                assert all(a.cout == b.cin for a, b in zip(convs, convs[1:], strict=False))
                assert sorted(c.stride for c in convs)[-1] == block.stride
                assert sum(c.stride > 1 for c in convs) == (block.stride > 1)
                assert not convs[-1].act and all(c.kind in KINDS for c in convs)
                assert all(c.cin % c.groups == 0 and c.cout % c.groups == 0 for c in convs)
            cin = block.filters


def test_expansion_one_omits_convs_unless_every():
    dw, fused = Block("ibn_dw", 16, 3, 1), Block("ibn_fused", 16, 3, 1, 2)
    assert [c.name for c in dw.convs(16)] == ["dw", "project"]
    assert [c.name for c in dw.convs(16, every=True)] == ["expand", "dw", "project"]
    assert [(c.name, c.stride) for c in fused.convs(8)] == [("project", 2)]
    assert [(c.name, c.stride) for c in fused.convs(8, every=True)] == [("fused", 2), ("project", 1)]


def test_grouped_ops_use_the_group_size():
    gc = Block("ibn_fused_grouped", 32, 3, 4, group_size=16).convs(32)
    assert (gc[0].name, gc[0].kind, gc[0].groups) == ("fused", "group", 8)
    group = Block("ibn_grouped", 32, 5, 2, group_size=8).convs(32)[1]
    assert (group.name, group.kind, group.groups, group.k) == ("group", "group", 8, 5)


def test_memoized_by_value():
    a, b = Block("ibn_dw", 24, 5, 4), Block("ibn_dw", 24, 5, 4)
    assert a is not b and block_convs(a, 16) is block_convs(b, 16)
    assert a.key == b.key and a.key != Block("ibn_dw", 24, 5, 4, residual=False).key


def test_key_tells_every_field_apart():
    block = Block("ibn_grouped", 32, 5, 2, 2, group_size=8, residual=False)
    changed = [dataclasses.replace(block, **{name: value}) for name, value in
               [("op", "ibn_fused_grouped"), ("filters", 64), ("kernel", 3), ("expansion", 4), ("stride", 1),
                ("group_size", 16), ("residual", True)]]
    assert isinstance(block.key, int) and len({block.key, *(other.key for other in changed)}) == 8


def test_key_survives_pickling():
    """Keys are interned per process: an unpickled block takes the key of this process, not the pickled one."""
    block = Block("ibn_dw", 40, 3, 6, 2)
    state = dict(block.__dict__, key=-1)  # as if pickled in a process that interned the fields differently
    clone = Block.__new__(Block)
    clone.__setstate__(state)
    assert clone == block and clone.key == block.key
    assert pickle.loads(pickle.dumps(block)).key == copy.deepcopy(block).key == block.key


def test_block_keeps_its_last_convs_per_input():
    block = Block("ibn_grouped", 32, 3, 2, group_size=8)
    first = block.convs(16)
    assert block.convs(16) is first and block.convs(32) == block_convs(block, 32) != first
    assert block.convs(16, every=True) == block_convs(block, 16, every=True)
    assert block.convs(16) is block_convs(block, 16)
    assert "_last_convs" not in pickle.loads(pickle.dumps(block)).__getstate__()
