"""SearchSpace: ordered categorical decisions whose valid choices depend on earlier ones.

Decision order: stem filters, stem kernel, then per stage its width followed by each block's op, kernel,
expansion and group size, then head filters. A decision with a single choice is fixed and not asked. Validity:

- ``group_size`` is only free for grouped ops (else only index 0 is valid and it is ignored), and must divide the
  expanded channels (GC-IBN: the input channels must also split into the groups);
- ``skip`` is only valid where input and output shapes match (stride 1 and equal widths);
- after ``skip``, kernel/expansion/group size are ignored: only index 0 is valid.

Every width choice leaves at least one valid block (checked on construction), so masks never dead-end.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from nasgym.space.architecture import Architecture
from nasgym.space.block import GROUPED_OPS, Block
from nasgym.space.convs import MEMO_SIZE
from nasgym.space.spec import Decision, StageSpec, group_size_ok

# Block fields (op, filters, kernel, expansion, stride, group_size) -> the Block that build() puts in its
# architectures: blocks are immutable, so architectures share them, and an env episode neither validates its ~20 blocks
# again nor interns their memo keys again (Block.key, set on first use, stays on the shared block).
_BLOCKS: dict[tuple, Block] = {}

Key = tuple[str, int | None, int | None]


class SearchSpace:
    """A search space over :class:`Architecture` (see module docstring for the decision order and masks)."""

    def __init__(
        self,
        name: str,
        stages: Sequence[StageSpec],
        stem_filters: Sequence[int] = (32,),
        stem_kernels: Sequence[int] = (3,),
        stem_stride: int = 2,
        head_filters: Sequence[int] = (1280,),
        input_shape: Sequence[int] = (224, 224, 3),
        description: str = "",
    ) -> None:
        self.name = name
        self.description = description
        self.stages = tuple(stages)
        self.stem_filters = tuple(stem_filters)
        self.stem_kernels = tuple(stem_kernels)
        self.stem_stride = stem_stride
        self.head_filters = tuple(head_filters)
        self.input_shape = tuple(input_shape)
        if not self.stages:
            raise ValueError(f"space {name!r} has no stages: expected at least one")
        self.decisions: tuple[Decision, ...] = tuple(self._make_decisions())
        self.max_choices = max((len(d.choices) for d in self.decisions), default=1)
        self._mask_cache: dict[tuple, np.ndarray] = {}
        self._check_no_dead_ends()
        # Validates stem/head/input fields through Architecture's own checks.
        Architecture(((Block.skip(self.stem_filters[0]),),), self.stem_filters[0], self.stem_kernels[0],
                     stem_stride, self.head_filters[0], self.input_shape)

    # ------------------------------------------------------------------ decisions
    def _make_decisions(self) -> list[Decision]:
        out = []
        if len(self.stem_filters) > 1:
            out.append(Decision("stem.filters", "stem_filters", self.stem_filters))
        if len(self.stem_kernels) > 1:
            out.append(Decision("stem.kernel", "stem_kernel", self.stem_kernels))
        for s, stage in enumerate(self.stages):
            if len(stage.widths) > 1:
                out.append(Decision(f"s{s}.width", "width", stage.widths, s))
            group_sizes = stage.group_sizes if any(op in GROUPED_OPS for op in stage.ops) else ()
            for b in range(stage.blocks):
                for kind, choices in (("op", stage.ops), ("kernel", stage.kernels),
                                      ("expansion", stage.expansions), ("group_size", group_sizes)):
                    if len(choices) > 1:
                        out.append(Decision(f"s{s}b{b}.{kind}", kind, choices, s, b))
        if len(self.head_filters) > 1:
            out.append(Decision("head.filters", "head_filters", self.head_filters))
        return out

    def _fixed(self, kind: str, stage: int | None) -> object:
        if kind == "stem_filters":
            return self.stem_filters[0]
        if kind == "stem_kernel":
            return self.stem_kernels[0]
        if kind == "head_filters":
            return self.head_filters[0]
        spec = self.stages[stage]
        choices = {"width": spec.widths, "op": spec.ops, "kernel": spec.kernels, "expansion": spec.expansions,
                   "group_size": spec.group_sizes or (None,)}[kind]
        return choices[0]

    def value(self, values: dict[Key, object], kind: str, stage: int | None = None, block: int | None = None):
        """The chosen value of a decision, or its fixed value when it is not asked."""
        found = values.get((kind, stage, block))
        return found if found is not None else self._fixed(kind, stage)

    def block_input(self, values: dict[Key, object], stage: int, block: int) -> int:
        """Input channels of a block slot."""
        if block > 0:
            return self.value(values, "width", stage)
        if stage > 0:
            return self.value(values, "width", stage - 1)
        return self.value(values, "stem_filters")

    # ---------------------------------------------------------------------- masks
    def _op_ok(self, op: str, cin: int, width: int, stride: int, spec: StageSpec) -> bool:
        if op == "skip":
            return stride == 1 and cin == width
        if op in GROUPED_OPS:
            return any(group_size_ok(op, cin, e, g) for e in spec.expansions for g in spec.group_sizes)
        return True

    def mask_for(self, position: int, values: dict[Key, object]) -> np.ndarray:
        """Boolean mask over ``decisions[position].choices`` given the earlier ``values`` (read-only array)."""
        d = self.decisions[position]
        if d.stage is None or d.kind == "width":
            context: tuple = ()
        else:
            cin = self.block_input(values, d.stage, d.block)
            width = self.value(values, "width", d.stage)
            op = None if d.kind == "op" else self.value(values, "op", d.stage, d.block)
            exp = self.value(values, "expansion", d.stage, d.block) if d.kind == "group_size" else None
            context = (cin, width, op, exp)
        key = (position, context)
        mask = self._mask_cache.get(key)
        if mask is None:
            mask = self._compute_mask(d, context)
            mask.setflags(write=False)
            self._mask_cache[key] = mask
        return mask

    def _compute_mask(self, d: Decision, context: tuple) -> np.ndarray:
        n = len(d.choices)
        first_only = np.arange(n) == 0
        if not context:
            return np.ones(n, dtype=bool)
        cin, width, op, expansion = context
        spec = self.stages[d.stage]
        stride = spec.stride if d.block == 0 else 1
        if d.kind == "op":
            return np.array([self._op_ok(o, cin, width, stride, spec) for o in d.choices])
        if op == "skip" or (d.kind == "group_size" and op not in GROUPED_OPS):
            return first_only
        if d.kind == "expansion" and op in GROUPED_OPS:
            return np.array([any(group_size_ok(op, cin, e, g) for g in spec.group_sizes) for e in d.choices])
        if d.kind == "group_size":
            return np.array([group_size_ok(op, cin, expansion, g) for g in d.choices])
        return np.ones(n, dtype=bool)

    def _check_no_dead_ends(self) -> None:
        cins = set(self.stem_filters)
        for s, spec in enumerate(self.stages):
            for cin in cins:
                for width in spec.widths:
                    for b in range(spec.blocks):
                        block_cin, stride = (cin, spec.stride) if b == 0 else (width, 1)
                        if not any(self._op_ok(op, block_cin, width, stride, spec) for op in spec.ops):
                            raise ValueError(
                                f"space {self.name!r} stage {s} block {b}: no op in {list(spec.ops)} is valid for "
                                f"{block_cin} -> {width} channels at stride {stride}; expected at least one "
                                "(check group_sizes and expansions)"
                            )
            cins = set(spec.widths)

    # ------------------------------------------------------------------- decoding
    def cursor(self) -> SpaceCursor:
        """A fresh incremental decoder (what the environment steps through)."""
        return SpaceCursor(self)

    def decode(self, indices: Sequence[int]) -> Architecture:
        """The architecture chosen by a full sequence of valid choice indices."""
        if len(indices) != len(self.decisions):
            raise ValueError(
                f"space {self.name!r} needs {len(self.decisions)} decisions, got {len(indices)} indices"
            )
        cursor = self.cursor()
        for index in indices:
            cursor.choose(index)
        return cursor.architecture()

    def build(self, values: dict[Key, object]) -> Architecture:
        """The architecture for a complete set of decision values."""
        stages = []
        for s, spec in enumerate(self.stages):
            width, blocks = self.value(values, "width", s), []
            for b in range(spec.blocks):
                op = self.value(values, "op", s, b)
                if op == "skip":
                    fields = (op, width, 1, 1, 1, None)
                else:
                    fields = (op, width, self.value(values, "kernel", s, b), self.value(values, "expansion", s, b),
                              spec.stride if b == 0 else 1,
                              self.value(values, "group_size", s, b) if op in GROUPED_OPS else None)
                blocks.append(_BLOCKS.get(fields) or shared_block(fields))
            stages.append(tuple(blocks))
        return Architecture(tuple(stages), self.value(values, "stem_filters"), self.value(values, "stem_kernel"),
                            self.stem_stride, self.value(values, "head_filters"), self.input_shape)

    def encode(self, arch: Architecture) -> list[int]:
        """Choice indices that decode to ``arch``; ``ValueError`` if ``arch`` is not a member of this space."""
        shape = [len(stage) for stage in arch.stages]
        expected = [spec.blocks for spec in self.stages]
        if shape != expected:
            raise ValueError(f"architecture is not in space {self.name!r}: blocks per stage {shape}, "
                             f"expected {expected}")
        indices = []
        for d in self.decisions:
            value = decision_value(arch, d)
            if value not in d.choices:
                value = d.choices[0] if decision_ignored(arch, d) else value
            if value not in d.choices:
                raise ValueError(f"architecture is not in space {self.name!r}: {d.name}={value!r}, "
                                 f"expected one of {list(d.choices)}")
            indices.append(d.choices.index(value))
        try:
            decoded = self.decode(indices)
        except ValueError as err:
            raise ValueError(f"architecture is not in space {self.name!r}: {err}") from err
        if decoded != arch:
            raise ValueError(f"architecture is not in space {self.name!r}: a fixed choice differs "
                             f"(space gives {decoded.to_string()})")
        return indices

    def contains(self, arch: Architecture) -> bool:
        """Whether ``arch`` is a member of this space."""
        try:
            self.encode(arch)
        except ValueError:
            return False
        return True

    def sample_indices(self, rng: np.random.Generator | int | None = None) -> list[int]:
        """Valid choice indices, each decision uniform over its valid choices."""
        rng = np.random.default_rng(rng)
        cursor = self.cursor()
        while not cursor.done:
            cursor.choose(int(rng.choice(np.flatnonzero(cursor.mask()))))
        return list(cursor.indices)

    def sample(self, rng: np.random.Generator | int | None = None) -> Architecture:
        """A random valid architecture (see :meth:`sample_indices`)."""
        return self.decode(self.sample_indices(rng))

    # ----------------------------------------------------------------------- size
    def count_architectures(self) -> int:
        """Exact number of distinct valid architectures."""
        total_by_width = {f: 1 for f in self.stem_filters}
        for spec in self.stages:
            nxt: dict[int, int] = {}
            for cin, ways in total_by_width.items():
                for width in spec.widths:
                    n = self._block_variants(spec, cin, width, spec.stride)
                    n *= self._block_variants(spec, width, width, 1) ** (spec.blocks - 1)
                    nxt[width] = nxt.get(width, 0) + ways * n
            total_by_width = nxt
        return sum(total_by_width.values()) * len(self.stem_kernels) * len(self.head_filters)

    def _block_variants(self, spec: StageSpec, cin: int, width: int, stride: int) -> int:
        total = 0
        for op in spec.ops:
            if not self._op_ok(op, cin, width, stride, spec):
                continue
            if op == "skip":
                total += 1
            elif op in GROUPED_OPS:
                pairs = sum(group_size_ok(op, cin, e, g) for e in spec.expansions for g in spec.group_sizes)
                total += len(spec.kernels) * pairs
            else:
                total += len(spec.kernels) * len(spec.expansions)
        return total

    def size(self) -> float:
        """log10 of the number of distinct valid architectures."""
        return math.log10(self.count_architectures())

    def __repr__(self) -> str:
        return (f"SearchSpace({self.name!r}, {len(self.stages)} stages, {len(self.decisions)} decisions, "
                f"10^{self.size():.1f} architectures)")


def shared_block(fields: tuple) -> Block:
    """The :class:`Block` with ``fields`` (op, filters, kernel, expansion, stride, group_size), validated once and
    shared (see ``_BLOCKS``): what :meth:`SearchSpace.build` and the observation's partial MACs use."""
    block = _BLOCKS.get(fields)
    if block is None:
        if len(_BLOCKS) >= MEMO_SIZE:
            _BLOCKS.clear()
        block = _BLOCKS[fields] = Block(*fields)
    return block


def canonical_action(mask: np.ndarray, action: int) -> int:
    """Map any integer action to a valid index deterministically.

    A valid in-range action is kept; otherwise the action is clipped into range and replaced by the nearest valid
    index (ties go to the lower index).
    """
    n = len(mask)
    clipped = min(max(int(action), 0), n - 1)
    if mask[clipped]:
        return clipped
    valid = np.flatnonzero(mask)
    return int(valid[np.argmin(np.abs(valid - clipped))])


def decision_value(arch: Architecture, d: Decision) -> object:
    """The value ``arch`` has for decision ``d`` (also where ``arch`` ignores it: see :func:`decision_ignored`)."""
    if d.kind == "stem_filters":
        return arch.stem_filters
    if d.kind == "stem_kernel":
        return arch.stem_kernel
    if d.kind == "head_filters":
        return arch.head_filters
    if d.kind == "width":
        return arch.stages[d.stage][0].filters
    block = arch.stages[d.stage][d.block]
    return {"op": block.op, "kernel": block.kernel, "expansion": block.expansion,
            "group_size": block.group_size}[d.kind]


def decision_ignored(arch: Architecture, d: Decision) -> bool:
    """Whether decision ``d`` is ignored for ``arch`` (block attributes of a skip, group size of ungrouped op)."""
    if d.block is None or d.kind == "op":
        return False
    block = arch.stages[d.stage][d.block]
    return block.op == "skip" or (d.kind == "group_size" and block.op not in GROUPED_OPS)


class SpaceCursor:
    """Incremental decoder: holds the choices made so far and the mask of the next decision."""

    def __init__(self, space: SearchSpace) -> None:
        self.space = space
        self.indices: list[int] = []
        self.values: dict[Key, object] = {}
        self._mask: tuple[int, np.ndarray | None] = (-1, None)  # (position, its mask): asked twice per Box step

    @property
    def position(self) -> int:
        """Index of the next decision."""
        return len(self.indices)

    @property
    def done(self) -> bool:
        """Whether every decision has been made."""
        return len(self.indices) == len(self.space.decisions)

    @property
    def decision(self) -> Decision:
        """The next decision."""
        return self.space.decisions[self.position]

    def mask(self) -> np.ndarray:
        """Valid choices of the next decision."""
        position = len(self.indices)
        cached = self._mask
        if cached[0] == position:
            return cached[1]
        mask = self.space.mask_for(position, self.values)
        self._mask = (position, mask)
        return mask

    def choose(self, index: int, canonicalize: bool = False) -> int:
        """Make the next decision; returns the index used.

        Args:
            index: Choice index.
            canonicalize: Map an invalid index to a valid one (:func:`canonical_action`) instead of raising.
        """
        decisions = self.space.decisions
        position = len(self.indices)
        if position == len(decisions):
            raise ValueError("all decisions are already made: expected no further choice")
        decision, mask = decisions[position], self.mask()
        valid = 0 <= index < len(mask) and bool(mask[index])
        if not valid:
            if not canonicalize:
                allowed = [decision.choices[i] for i in np.flatnonzero(mask)]
                raise ValueError(f"choice index {index!r} for {decision.name} is invalid: expected an index of a "
                                 f"valid choice among {list(decision.choices)} (valid now: {allowed})")
            index = canonical_action(mask, index)
        self.indices.append(int(index))
        self.values[(decision.kind, decision.stage, decision.block)] = decision.choices[index]
        return int(index)

    def architecture(self) -> Architecture:
        """The finished architecture."""
        if not self.done:
            raise ValueError(f"architecture is incomplete: {self.position} of {len(self.space.decisions)} "
                             "decisions made")
        return self.space.build(self.values)
