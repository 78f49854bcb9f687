import numpy as np
import pytest

import nasgym
from nasgym.surrogate.features import FeatureEncoder

SPACE = nasgym.load_space("proxy")
ENCODER = FeatureEncoder(SPACE)


def test_exact_dimensions():
    onehot = sum(len(d.choices) for d in SPACE.decisions)
    assert ENCODER.n_onehot == onehot == 78
    assert ENCODER.dim == onehot + 5 + 1 + 2 + 2 * len(SPACE.stages) == 96 == len(ENCODER.names)
    assert ENCODER.encode(SPACE.sample(0)).shape == (96,)


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
