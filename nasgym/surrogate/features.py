"""Architecture features for the surrogate: per-decision one-hot encoding, counts and per-stage figures.

The vector of an architecture of a search space is, in this order:

- one block of columns per decision of the space (``space.decisions``), the one-hot of its choice; a decision the
  architecture ignores (kernel/expansion/group size of a ``skip``, group size of an ungrouped op) is all zeros;
- counts: blocks per op (``nasgym.space.block.OPS``), depth (non-skip blocks), log10 params and log10 MACs of the
  whole network (deployment input, :data:`NUM_CLASSES` classes);
- per stage: log10 MACs and log10 params of the stage's blocks (0 for a stage of skips only).

The one-hot part decodes back to the architecture (:meth:`FeatureEncoder.decode`). Encoding is table-driven: per
block slot, a memo maps (block, input channels, resolution) to the slot's one-hot columns, op and figures, filled on
first sight from the decisions of the space, so a new architecture costs one dict lookup per block (~10 us).
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
_SKIP = OPS.index("skip")


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
        params_column: The column of log10 params of the whole network (``macs_column``: of its MACs).
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
        self.params_column, self.macs_column = len(names) - 2, len(names) - 1
        names += [f"s{s}.{kind}" for s in range(len(space.stages)) for kind in ("log10_macs", "log10_params")]
        self.names: tuple[str, ...] = tuple(names)
        self.dim = len(names)
        self._index = [{choice: i for i, choice in enumerate(d.choices)} for d in space.decisions]
        self._shape = tuple(spec.blocks for spec in space.stages)
        # decision positions by owner: the architecture (stem/head), or a block slot (its block decisions and, for
        # the first block of a stage, the stage width: the block's filters)
        slot_of = {(s, b): i for i, (s, b) in enumerate((s, b) for s, n in enumerate(self._shape) for b in range(n))}
        self._frame_decisions: list[int] = []
        self._slot_decisions: list[list[int]] = [[] for _ in slot_of]
        for i, d in enumerate(space.decisions):
            if d.stage is None:
                self._frame_decisions.append(i)
            else:
                self._slot_decisions[slot_of[(d.stage, 0 if d.block is None else d.block)]].append(i)
        self._frames: dict[tuple, tuple[int, ...]] = {}  # (stem filters, stem kernel, head filters) -> columns
        # per slot: (block key, input channels, h, w) -> (columns, op index, MACs, params, h_out, w_out)
        self._slots: list[dict[tuple, tuple]] = [{} for _ in slot_of]
        self._outside: dict[tuple, tuple[int, int]] = {}  # (stem, head, last block's output) -> (MACs, params)

    def _columns(self, arch: Architecture, positions: list[int]) -> tuple[int, ...]:
        """The one-hot columns of the decisions at ``positions`` for ``arch`` (ignored decisions have none)."""
        columns = []
        for i in positions:
            d, index = self.space.decisions[i], self._index[i]
            value = _value(arch, d)
            if value is None:
                continue
            if value not in index:
                raise ValueError(f"architecture {arch.to_string()!r} is not in space {self.space.name!r}: "
                                 f"{d.name}={value!r}, expected one of {list(d.choices)}")
            columns.append(self.slices[i][0] + index[value])
        return tuple(columns)

    def encode(self, arch: Architecture) -> np.ndarray:
        """The float64 feature vector of ``arch``.

        Raises:
            ValueError: ``arch`` has another stage layout than the space, or a choice the space does not offer.
        """
        if tuple(map(len, arch.stages)) != self._shape:
            raise ValueError(f"architecture {arch.to_string()!r} is not in space {self.space.name!r}: blocks per "
                             f"stage {[len(stage) for stage in arch.stages]}, expected {list(self._shape)}")
        frame = (arch.stem_filters, arch.stem_kernel, arch.head_filters)
        ones = self._frames.get(frame)
        if ones is None:
            ones = self._frames[frame] = self._columns(arch, self._frame_decisions)
        ones = list(ones)
        counts = [0] * len(OPS)
        h, w = arch.input_shape[:2]
        h, w = math.ceil(h / arch.stem_stride), math.ceil(w / arch.stem_stride)
        cin = arch.stem_filters
        stage_macs, stage_params = [], []
        slot = 0
        for stage in arch.stages:
            macs = params = 0
            for block in stage:
                key = (block.key, cin, h, w)
                entry = self._slots[slot].get(key)
                if entry is None:
                    entry = self._slots[slot][key] = (self._columns(arch, self._slot_decisions[slot]),
                                                       OPS.index(block.op), *block_figures(block, cin, h, w))
                columns, op, m, p, h, w = entry
                ones += columns
                counts[op] += 1
                macs, params, cin, slot = macs + m, params + p, block.filters, slot + 1
            stage_macs.append(macs)
            stage_params.append(params)
        key = (arch.stem_filters, arch.stem_kernel, arch.stem_stride, arch.input_shape, arch.head_filters, cin, h, w)
        outside = self._outside.get(key)
        if outside is None:  # stem, top conv and classifier: the whole count less the blocks
            total = count(arch, num_classes=NUM_CLASSES)
            outside = self._outside[key] = (total.macs - sum(stage_macs), total.params - sum(stage_params))
        tail = [*counts, len(arch.blocks) - counts[_SKIP], _log(outside[1] + sum(stage_params)),
                _log(outside[0] + sum(stage_macs))]
        for macs, params in zip(stage_macs, stage_params, strict=True):
            tail += (_log(macs), _log(params))
        x = np.zeros(self.dim)
        x[ones] = 1.0
        x[self.n_onehot:] = tail
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
