import dataclasses
import math

import numpy as np
import pytest

import nasgym
from nasgym.space.block import OPS
from nasgym.surrogate.features import FeatureEncoder, block_figures

SPACE = nasgym.load_space("proxy")
ENCODER = FeatureEncoder(SPACE)


def test_exact_dimensions():
    onehot = sum(len(d.choices) for d in SPACE.decisions)
    assert ENCODER.n_onehot == onehot == 84  # 78 before the proxy space gained narrower widths (v2)
    assert ENCODER.dim == onehot + 5 + 1 + 2 + 2 * len(SPACE.stages) == 102 == len(ENCODER.names)
    assert ENCODER.encode(SPACE.sample(0)).shape == (102,)


def test_round_trip_and_counts():
    rng = np.random.default_rng(3)
    for _ in range(40):
        arch = SPACE.sample(rng)
        x = ENCODER.encode(arch)
        assert ENCODER.decode(x) == arch
        counts = nasgym.count(arch, num_classes=10)
        named = dict(zip(ENCODER.names, x, strict=True))
        assert named["log10_macs"] == pytest.approx(np.log10(counts.macs), abs=1e-12)
        assert named["log10_params"] == pytest.approx(np.log10(counts.params), abs=1e-12)
        assert named["depth"] == arch.depth
        for (start, n), d in zip(ENCODER.slices, SPACE.decisions, strict=True):
            assert x[start:start + n].sum() in (0.0, 1.0), d.name


def test_ignored_decisions_are_zero():
    arch = next(a for a in (SPACE.sample(s) for s in range(200)) if any(b.op == "skip" for b in a.blocks))
    x = ENCODER.encode(arch)
    for (start, n), d in zip(ENCODER.slices, SPACE.decisions, strict=True):
        if d.block is not None and d.kind != "op" and arch.stages[d.stage][d.block].op == "skip":
            assert x[start:start + n].sum() == 0.0, d.name


def test_non_member_is_one_line():
    with pytest.raises(ValueError, match="is not in space 'proxy': blocks per stage") as err:
        ENCODER.encode(nasgym.reference("mobilenet_v2_1.0"))
    assert "\n" not in str(err.value)


def test_counts_and_stage_figures_match_the_blocks():
    rng = np.random.default_rng(5)
    for _ in range(60):  # the table-driven encoder against a direct walk over the blocks
        arch = SPACE.sample(rng)
        named = dict(zip(ENCODER.names, ENCODER.encode(arch), strict=True))
        for op in OPS:
            assert named[f"count.{op}"] == sum(block.op == op for block in arch.blocks)
        h = w = math.ceil(arch.input_shape[0] / arch.stem_stride)
        cin = arch.stem_filters
        for s, stage in enumerate(arch.stages):
            macs = params = 0
            for block in stage:
                m, p, h, w = block_figures(block, cin, h, w)
                macs, params, cin = macs + m, params + p, block.filters
            assert named[f"s{s}.log10_macs"] == (math.log10(macs) if macs else 0.0)
            assert named[f"s{s}.log10_params"] == (math.log10(params) if params else 0.0)


def test_choice_outside_the_space_is_one_line():
    arch = next(a for a in (SPACE.sample(s) for s in range(50)) if a.stages[2][0].op == "ibn_dw")
    stages = [list(stage) for stage in arch.stages]
    stages[2][0] = dataclasses.replace(stages[2][0], kernel=7)
    with pytest.raises(ValueError, match=r"is not in space 'proxy': s2b0.kernel=7, expected one of \[3, 5\]") as err:
        FeatureEncoder(SPACE).encode(arch.replace(stages=tuple(map(tuple, stages))))
    assert "\n" not in str(err.value)
