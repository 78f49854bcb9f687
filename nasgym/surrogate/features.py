"""Architecture features for the surrogate: per-decision one-hot encoding, counts and per-stage figures.

The vector of an architecture of a search space is, in this order:

- one block of columns per decision of the space (``space.decisions``), the one-hot of its choice; a decision the
  architecture ignores (kernel/expansion/group size of a ``skip``, group size of an ungrouped op) is all zeros;
- counts: blocks per op (``nasgym.space.block.OPS``), depth (non-skip blocks), log10 params and log10 MACs of the
  whole network (deployment input, :data:`NUM_CLASSES` classes);
- per stage: log10 MACs and log10 params of the stage's blocks (0 for a stage of skips only).

The one-hot part decodes back to the architecture (:meth:`FeatureEncoder.decode`). Block figures are memoized per
(block, input channels, resolution), so a new architecture costs a few dict lookups per block.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from nasgym.model.counting import count
from nasgym.model.lowering import layer_macs, layer_params, lower_block
from nasgym.space.architecture import Architecture
from nasgym.space.block import OPS, Block
from nasgym.space.search_space import SearchSpace, decision_ignored, decision_value
from nasgym.space.spec import Decision

NUM_CLASSES = 10  # the classification task of the evaluators the surrogate learns


@lru_cache(maxsize=100_000)
def block_figures(block: Block, cin: int, h: int, w: int) -> tuple[int, int, int, int]:
    """(MACs, params, h_out, w_out) of one block for a ``cin`` x ``h`` x ``w`` input."""
    layers = lower_block(block, cin, h, w, "b")
    if not layers:
        return 0, 0, h, w
    return (sum(map(layer_macs, layers)), sum(map(layer_params, layers)), layers[-1]["h_out"],
            layers[-1]["w_out"])


def _log(value: float) -> float:
    return math.log10(value) if value > 0 else 0.0


class FeatureEncoder:
    """Feature vectors of the architectures of ``space`` (see the module docstring).

    Attributes:
        names: One readable name per column (``s2b0.op=ibn_dw``, ``count.skip``, ``log10_macs``, ``s3.log10_macs``).
        dim: Number of columns.
    """

    def __init__(self, space: SearchSpace) -> None:
        self.space = space
        self.slices: list[tuple[int, int]] = []
        names: list[str] = []
        for d in space.decisions:
            self.slices.append((len(names), len(d.choices)))
            names += [f"{d.name}={choice}" for choice in d.choices]
        self.n_onehot = len(names)
        names += [f"count.{op}" for op in OPS] + ["depth", "log10_params", "log10_macs"]
        names += [f"s{s}.{kind}" for s in range(len(space.stages)) for kind in ("log10_macs", "log10_params")]
        self.names: tuple[str, ...] = tuple(names)
        self.dim = len(names)
        self._index = [{choice: i for i, choice in enumerate(d.choices)} for d in space.decisions]
        self._outside: dict[tuple, tuple[int, int]] = {}  # (stem, head, last block's output) -> (MACs, params)

    def encode(self, arch: Architecture) -> np.ndarray:
        """The float64 feature vector of ``arch``.

        Raises:
            ValueError: ``arch`` has another stage layout than the space, or a choice the space does not offer.
        """
        shape = [len(stage) for stage in arch.stages]
        if shape != [spec.blocks for spec in self.space.stages]:
            raise ValueError(f"architecture {arch.to_string()!r} is not in space {self.space.name!r}: blocks per "
                             f"stage {shape}, expected {[spec.blocks for spec in self.space.stages]}")
        x = np.zeros(self.dim)
        for d, (start, _), index in zip(self.space.decisions, self.slices, self._index, strict=True):
            value = _value(arch, d)
            if value is None:
                continue
            if value not in index:
                raise ValueError(f"architecture {arch.to_string()!r} is not in space {self.space.name!r}: "
                                 f"{d.name}={value!r}, expected one of {list(d.choices)}")
            x[start + index[value]] = 1.0
        col = self.n_onehot
        for op in OPS:
            x[col] = sum(block.op == op for block in arch.blocks)
            col += 1
        x[col] = arch.depth
        h, w, _ = arch.input_shape
        h, w = math.ceil(h / arch.stem_stride), math.ceil(w / arch.stem_stride)
        cin = arch.stem_filters
        stage_macs, stage_params = [], []
        for s, stage in enumerate(arch.stages):
            macs = params = 0
            for block in stage:
                m, p, h, w = block_figures(block, cin, h, w)
                macs, params, cin = macs + m, params + p, block.filters
            stage_macs.append(macs)
            stage_params.append(params)
            x[col + 3 + 2 * s: col + 5 + 2 * s] = _log(macs), _log(params)
        key = (arch.stem_filters, arch.stem_kernel, arch.stem_stride, arch.input_shape, arch.head_filters, cin, h, w)
        outside = self._outside.get(key)
        if outside is None:  # stem, top conv and classifier: the whole count less the blocks
            total = count(arch, num_classes=NUM_CLASSES)
            outside = self._outside[key] = (total.macs - sum(stage_macs), total.params - sum(stage_params))
        x[col + 1] = _log(outside[1] + sum(stage_params))
        x[col + 2] = _log(outside[0] + sum(stage_macs))
        return x

    def encode_many(self, archs: list[Architecture]) -> np.ndarray:
        """(n, dim) features of ``archs``."""
        return np.stack([self.encode(arch) for arch in archs]) if archs else np.zeros((0, self.dim))

    def decode(self, x: np.ndarray) -> Architecture:
        """The architecture of a feature vector (from its one-hot part; ignored decisions decode to index 0)."""
        indices = [int(np.argmax(x[start:start + n])) for start, n in self.slices]
        return self.space.decode(indices)


def _value(arch: Architecture, d: Decision) -> object:
    """The value of decision ``d`` in ``arch``, ``None`` where ``arch`` ignores it."""
    return None if decision_ignored(arch, d) else decision_value(arch, d)
