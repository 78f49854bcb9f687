"""Declarative pieces of a search space: per-stage choice sets and the ordered decisions."""

from __future__ import annotations

from dataclasses import dataclass

from nasgym.space.block import GROUPED_OPS, KERNELS, OPS, grouping_error

DECISION_KINDS = ("stem_filters", "stem_kernel", "width", "op", "kernel", "expansion", "group_size", "head_filters")
STAGE_FIELDS = ("blocks", "stride", "widths", "ops", "kernels", "expansions", "group_sizes")


@dataclass(frozen=True)
class Decision:
    """One categorical choice of an episode.

    Attributes:
        name: Readable id, e.g. ``"stem.filters"``, ``"s2.width"`` or ``"s2b1.op"``.
        kind: One of :data:`DECISION_KINDS`.
        choices: The values this decision picks from (index = action).
        stage: Stage index for width and block decisions, else ``None``.
        block: Block index within the stage for block decisions, else ``None``.
    """

    name: str
    kind: str
    choices: tuple
    stage: int | None = None
    block: int | None = None


@dataclass(frozen=True)
class StageSpec:
    """The choices of one stage: every block of the stage picks from the same sets.

    Attributes:
        blocks: Number of block slots (``skip`` in ``ops`` makes depth searchable).
        stride: Stride of the first block.
        widths: Output-channel choices, one per stage.
        ops: Block op choices.
        kernels: Kernel choices.
        expansions: Expansion-ratio choices.
        group_sizes: Group-size choices (used by grouped ops only).
    """

    blocks: int
    stride: int
    widths: tuple[int, ...]
    ops: tuple[str, ...]
    kernels: tuple[int, ...]
    expansions: tuple[int, ...]
    group_sizes: tuple[int, ...]

    def __post_init__(self) -> None:
        where = "stage"
        _positive_int(f"{where} blocks", self.blocks)
        if self.stride not in (1, 2):
            raise ValueError(f"{where} stride={self.stride!r} is invalid: expected 1 or 2")
        for name in ("widths", "kernels", "expansions", "group_sizes"):
            values = getattr(self, name)
            _choice_list(f"{where} {name}", values, allow_empty=name == "group_sizes")
            for value in values:
                _positive_int(f"{where} {name} entry", value)
        _choice_list(f"{where} ops", self.ops)
        for op in self.ops:
            if op not in OPS:
                raise ValueError(f"{where} ops entry {op!r} is invalid: expected one of {', '.join(OPS)}")
        for kernel in self.kernels:
            if kernel not in KERNELS:
                raise ValueError(f"{where} kernels entry {kernel!r} is invalid: expected one of {KERNELS}")
        if any(op in GROUPED_OPS for op in self.ops) and not self.group_sizes:
            raise ValueError(f"{where} allows grouped ops {self.ops} but group_sizes is empty: expected sizes")


def _positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}={value!r} is invalid: expected a positive int")


def _choice_list(name: str, values: object, allow_empty: bool = False) -> None:
    if not isinstance(values, tuple) or (not values and not allow_empty):
        raise ValueError(f"{name}={values!r} is invalid: expected a non-empty list")
    if len(set(values)) != len(values):
        raise ValueError(f"{name}={list(values)} is invalid: expected distinct values")


def group_size_ok(op: str, cin: int, expansion: int, group_size: int) -> bool:
    """Whether a grouped ``op`` can use ``group_size`` here (the rule of :func:`nasgym.space.block.grouping_error`)."""
    return grouping_error(op, cin, expansion, group_size) is None
