"""The environment's flat float32 observation and its incremental update.

Layout for a space with ``D`` decisions and ``C = max_choices`` (length ``D*C + D + 2``):

- ``[0, D*C)``: one-hot of each decision's chosen index, decision ``i`` at ``[i*C, i*C + C)``; all zeros for a
  decision not made yet (padding past a decision's own choices stays 0);
- ``[D*C, D*C + D + 1)``: one-hot of the position (number of decisions made, ``0..D``);
- last entry: partial cost, the MACs of the stem, blocks and top conv whose shape is fully decided so far (at the
  deployment input), squashed to ``[0, 1)`` as ``m / (m + M)`` where ``M`` is the MACs of the space's "middle"
  architecture (every decision at the middle of its valid choices). It is monotone in the MACs so far.

Every entry lies in ``[0, 1]``, so the observation space is ``Box(0, 1, (D*C + D + 2,), float32)``.
"""

from __future__ import annotations

import math

import numpy as np

from nasgym.model.counting import block_counts
from nasgym.model.layers import conv_layer, layer_macs
from nasgym.space.block import GROUPED_OPS
from nasgym.space.search_space import SearchSpace, canonical_action, shared_block


class ObservationEncoder:
    """Builds and updates the observation vector of one episode (see the module docstring for the layout)."""

    def __init__(self, space: SearchSpace) -> None:
        self.space = space
        self.num_decisions = len(space.decisions)
        self.max_choices = space.max_choices
        self.position_offset = self.num_decisions * self.max_choices
        self.size = self.position_offset + self.num_decisions + 2
        self._resolutions = self._stage_resolutions()
        self._macs_cache: dict[tuple, int] = {}
        self._completes = self._completion_schedule()
        self._initial_macs = sum(self._unit_macs(unit, {}) for unit in self._completes.get(-1, ()))
        self.macs_scale = float(max(self._middle_macs(), 1))

    # ------------------------------------------------------------------ episode
    def reset(self) -> tuple[np.ndarray, float]:
        """A fresh observation (no decision made) and its partial MACs."""
        obs = np.zeros(self.size, dtype=np.float32)
        obs[self.position_offset] = 1.0
        obs[-1] = self._squash(self._initial_macs)
        return obs, float(self._initial_macs)

    def update(self, obs: np.ndarray, position: int, index: int, values: dict, macs: float) -> float:
        """Record decision ``position`` = ``index`` in ``obs`` (in place); returns the new partial MACs."""
        obs[position * self.max_choices + index] = 1.0
        offset = self.position_offset + position
        obs[offset] = 0.0
        obs[offset + 1] = 1.0
        units = self._completes.get(position)
        if units:
            for unit in units:
                macs += self._unit_macs(unit, values)
            obs[-1] = self._squash(macs)
        return macs

    def _squash(self, macs: float) -> float:
        return macs / (macs + self.macs_scale)

    # ------------------------------------------------------------ partial MACs
    def _stage_resolutions(self) -> list[tuple[int, int]]:
        """(h, w) at the input of each stage, after the stem."""
        h, w, _ = self.space.input_shape
        h, w = math.ceil(h / self.space.stem_stride), math.ceil(w / self.space.stem_stride)
        out = []
        for spec in self.space.stages:
            out.append((h, w))
            h, w = math.ceil(h / spec.stride), math.ceil(w / spec.stride)
        out.append((h, w))
        return out

    def _completion_schedule(self) -> dict[int, list[tuple]]:
        """For each position, the units (stem, blocks, top conv) whose shape is decided once it is made."""
        where: dict[tuple, int] = {}
        for i, d in enumerate(self.space.decisions):
            where[(d.kind, d.stage, d.block)] = i

        def last(*keys: tuple) -> int:
            return max((where.get(key, -1) for key in keys), default=-1)

        schedule: dict[int, list[tuple]] = {}
        stem_keys = [("stem_filters", None, None), ("stem_kernel", None, None)]
        schedule.setdefault(last(*stem_keys), []).append(("stem",))
        for s, spec in enumerate(self.space.stages):
            for b in range(spec.blocks):
                keys = [(kind, s, b) for kind in ("op", "kernel", "expansion", "group_size")] + [("width", s, None)]
                if b == 0:
                    keys.append(("width", s - 1, None) if s > 0 else ("stem_filters", None, None))
                schedule.setdefault(last(*keys), []).append(("block", s, b))
        top_keys = [("head_filters", None, None), ("width", len(self.space.stages) - 1, None)]
        schedule.setdefault(last(*top_keys), []).append(("top",))
        return schedule

    def _unit_macs(self, unit: tuple, values: dict) -> int:
        space = self.space
        if unit[0] == "stem":
            h, w, c = space.input_shape
            key = ("stem", space.value(values, "stem_filters"), space.value(values, "stem_kernel"))
            if key not in self._macs_cache:
                self._macs_cache[key] = layer_macs(conv_layer("stem", c, key[1], key[2], space.stem_stride, 1, h, w))
            return self._macs_cache[key]
        if unit[0] == "top":
            h, w = self._resolutions[-1]
            last_stage = len(space.stages) - 1
            key = ("top", space.value(values, "width", last_stage), space.value(values, "head_filters"))
            if key not in self._macs_cache:
                self._macs_cache[key] = layer_macs(conv_layer("top", key[1], key[2], 1, 1, 1, h, w))
            return self._macs_cache[key]
        _, s, b = unit
        op = space.value(values, "op", s, b)
        cin = space.block_input(values, s, b)
        width = space.value(values, "width", s)
        if op == "skip":
            return 0
        kernel, expansion = space.value(values, "kernel", s, b), space.value(values, "expansion", s, b)
        group = space.value(values, "group_size", s, b) if op in GROUPED_OPS else None
        key = (s, b, op, cin, width, kernel, expansion, group)
        macs = self._macs_cache.get(key)
        if macs is None:
            stride = space.stages[s].stride if b == 0 else 1
            h, w = self._resolutions[s] if b == 0 else self._resolutions[s + 1]
            block = shared_block((op, width, kernel, expansion, stride, group))
            macs = block_counts(block, cin, h, w, False)[1]  # the sum of layer_macs over lower_block's layers
            self._macs_cache[key] = macs
        return macs

    def _middle_macs(self) -> int:
        """MACs (stem, blocks, top) of the architecture taking the middle valid choice at every decision."""
        cursor = self.space.cursor()
        macs = self._initial_macs
        while not cursor.done:
            position, mask = cursor.position, cursor.mask()
            cursor.choose(canonical_action(mask, len(mask) // 2))
            for unit in self._completes.get(position, ()):
                macs += self._unit_macs(unit, cursor.values)
        return macs
