"""One inverted-bottleneck (IBN) block: the unit every search space chooses.

Block types follow MobileNetEdgeTPUV2 (TensorFlow Model Garden):

- ``ibn_dw``: 1x1 expansion conv C -> C*e, depthwise kxk conv (stride s), 1x1 projection -> C_out.
  With ``expansion == 1`` the expansion conv is omitted (MobileNetV2's first block).
- ``ibn_fused``: full kxk conv C -> C*e (stride s), 1x1 projection. With ``expansion == 1`` the block is the
  1x1 projection only (it then carries the stride).
- ``ibn_fused_grouped`` (GC-IBN): group kxk conv C -> C*e with ``groups = C*e / group_size``, 1x1 projection.
- ``ibn_grouped``: 1x1 expansion, group kxk conv on C*e (``groups = C*e / group_size``), 1x1 projection.
- ``skip``: the block is removed (how depth is searched); only valid where input and output shapes match.

A residual add is used when stride == 1, C_in == C_out and ``residual`` is true. The convs of each op are written
once, in :mod:`nasgym.space.convs` (:meth:`Block.convs`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, fields
from typing import ClassVar

from nasgym.space.convs import ConvSpec, block_convs

OPS: tuple[str, ...] = ("ibn_dw", "ibn_fused", "ibn_fused_grouped", "ibn_grouped", "skip")
GROUPED_OPS: frozenset[str] = frozenset({"ibn_fused_grouped", "ibn_grouped"})
KERNELS: tuple[int, ...] = (1, 3, 5, 7, 9)
STRIDES: tuple[int, ...] = (1, 2)

# Short names used by the one-line string form.
OP_CODES: dict[str, str] = {
    "ibn_dw": "dw",
    "ibn_fused": "fused",
    "ibn_fused_grouped": "gcfused",
    "ibn_grouped": "gcdw",
    "skip": "skip",
}
CODE_OPS: dict[str, str] = {code: op for op, code in OP_CODES.items()}

# Block field values -> a small int, the memo key of blocks equal by value (per process: see Block.__setstate__).
_KEYS: dict[tuple, int] = {}
_NEXT_KEY = itertools.count()  # next() is atomic: two blocks interned at once never share an id


def block_key(values: tuple) -> int:
    """The per-process int that stands for a block's field values (equal values, equal key; distinct, distinct)."""
    key = _KEYS.get(values)
    return _KEYS.setdefault(values, next(_NEXT_KEY)) if key is None else key


def grouping_error(op: str, cin: int, expansion: int, group_size: int) -> str | None:
    """Why a grouped ``op`` cannot use ``group_size`` on ``cin`` input channels at ``expansion`` (None if it can).

    The group size must divide the expanded channels; GC-IBN (``ibn_fused_grouped``) groups its input too, so the
    input channels must split into as many groups. The one statement of this rule: :meth:`Block.check_input` raises
    with the reason, the search space masks the choices it rejects (:func:`nasgym.space.spec.group_size_ok`).
    """
    expanded = cin * expansion
    if expanded % group_size:
        return (f"group_size={group_size} does not divide the {expanded} expanded channels ({cin} x expansion "
                f"{expansion}); expected a divisor of {expanded}")
    if op == "ibn_fused_grouped" and cin % (expanded // group_size):
        return (f"{cin} input channels cannot be split into {expanded // group_size} groups (group_size="
                f"{group_size}, expansion={expansion}); expected input channels divisible by the number of groups")
    return None


_TOKEN = re.compile(r"^(?P<code>[a-z]+):k(?P<k>\d+)e(?P<e>\d+)o(?P<o>\d+)s(?P<s>\d+)(?:g(?P<g>\d+))?(?P<n>n)?$")


def check_int(name: str, value: object, allowed: str, minimum: int = 1) -> int:
    """Return ``value`` if it is an int >= ``minimum``, else raise ``ValueError`` naming the field."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name}={value!r} is invalid: expected {allowed}")
    return value


class _Key:
    """``Block.key``: computed on first use, then a plain instance attribute (a non-data descriptor, so the
    instance's own ``__dict__`` entry wins from then on). Blocks that are built but never memoized (validation,
    parsing, the env's canonical steps) do not pay for the interning."""

    def __get__(self, block: Block | None, owner: type | None = None) -> int:
        if block is None:
            return self  # type: ignore[return-value]
        key = block.__dict__["key"] = block_key((block.op, block.filters, block.kernel, block.expansion, block.stride,
                                                 block.group_size, block.residual))
        return key


@dataclass(frozen=True)
class Block:
    """An immutable, validated IBN block.

    Attributes:
        op: One of ``OPS``.
        filters: Output channels.
        kernel: Spatial kernel size of the kxk conv (odd).
        expansion: Expansion ratio e (expanded channels = C_in * e).
        stride: 1 or 2.
        group_size: Channels per group of the group conv; required for grouped ops, ``None`` otherwise.
        residual: Whether a residual add is used when the shapes allow it.
        key: (not a field) an int equal for blocks with equal fields and different otherwise (interned per
            process on first use), the key of the per-block memos: an int hashes and compares faster than the field
            tuple.
    """

    key: ClassVar[int] = _Key()  # type: ignore[assignment]  # not a field: interned on first use
    _last_convs: ClassVar[tuple] = (0, False, ())  # the last convs() answer, (cin, every, convs); per instance once set

    op: str
    filters: int
    kernel: int = 3
    expansion: int = 1
    stride: int = 1
    group_size: int | None = None
    residual: bool = True

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise ValueError(f"op={self.op!r} is invalid: expected one of {', '.join(OPS)}")
        check_int("filters", self.filters, "a positive int")
        if self.kernel not in KERNELS or isinstance(self.kernel, bool):
            raise ValueError(f"kernel={self.kernel!r} is invalid: expected one of {KERNELS}")
        check_int("expansion", self.expansion, "a positive int")
        if self.stride not in STRIDES or isinstance(self.stride, bool):
            raise ValueError(f"stride={self.stride!r} is invalid: expected one of {STRIDES}")
        if not isinstance(self.residual, bool):
            raise ValueError(f"residual={self.residual!r} is invalid: expected true or false")
        if self.op in GROUPED_OPS:
            check_int("group_size", self.group_size, f"a positive int for op {self.op}")
        elif self.group_size is not None:
            raise ValueError(
                f"group_size={self.group_size!r} is invalid for op {self.op}: expected null "
                f"(group size applies only to {', '.join(sorted(GROUPED_OPS))})"
            )
        if self.op == "skip":
            if self.stride != 1:
                raise ValueError(f"stride={self.stride} is invalid for op skip: expected 1")
            if (self.kernel, self.expansion) != (1, 1):
                raise ValueError(
                    f"skip block has kernel={self.kernel}, expansion={self.expansion}: expected 1 and 1 "
                    "(use Block.skip(filters))"
                )

    def __getstate__(self) -> dict:
        """Pickling (also ``copy``): the fields only (the key and the convs cache are per process)."""
        return {field.name: getattr(self, field.name) for field in fields(self)}

    def __setstate__(self, state: dict) -> None:
        """Unpickling (also ``copy``): the fields from ``state`` (the key is interned again on first use)."""
        for field in fields(self):
            object.__setattr__(self, field.name, state[field.name])

    @classmethod
    def skip(cls, filters: int) -> Block:
        """The canonical removed block for a tensor with ``filters`` channels."""
        return cls(op="skip", filters=filters, kernel=1, expansion=1, stride=1)

    @property
    def is_grouped(self) -> bool:
        """Whether the block contains a group convolution."""
        return self.op in GROUPED_OPS

    def expanded(self, cin: int) -> int:
        """Channels after the expansion conv for an input of ``cin`` channels."""
        return cin * self.expansion

    def groups(self, cin: int) -> int:
        """Number of groups of the kxk conv for an input of ``cin`` channels (1 for ungrouped ops)."""
        if not self.is_grouped:
            return 1
        return self.expanded(cin) // self.group_size

    def check_input(self, cin: int, where: str = "block") -> None:
        """Raise ``ValueError`` if this block cannot take ``cin`` input channels."""
        if self.op == "skip":
            if cin != self.filters:
                raise ValueError(
                    f"{where}: skip needs equal input and output channels, got {cin} -> {self.filters}"
                )
            return
        if self.is_grouped:
            error = grouping_error(self.op, cin, self.expansion, self.group_size)
            if error:
                raise ValueError(f"{where}: {error}")

    def convs(self, cin: int, every: bool = False) -> tuple[ConvSpec, ...]:
        """The convs this block executes for ``cin`` input channels, in order (see :mod:`nasgym.space.convs`).

        The last answer is also kept on the block: in an architecture a block always has the same input, and reading
        its own attribute is faster than the shared memo's lookup (lowering and the simulator's rows ask per use).
        """
        last = self._last_convs
        if last[0] == cin and last[1] == every:
            return last[2]
        convs = block_convs(self, cin, every)
        object.__setattr__(self, "_last_convs", (cin, every, convs))
        return convs

    def has_residual(self, cin: int) -> bool:
        """Whether the block adds its input to its output."""
        return self.op != "skip" and self.residual and self.stride == 1 and cin == self.filters

    def to_dict(self) -> dict:
        """Canonical plain-dict form (JSON-ready)."""
        return {"op": self.op, "filters": self.filters, "kernel": self.kernel, "expansion": self.expansion,
                "stride": self.stride, "group_size": self.group_size, "residual": self.residual}

    @classmethod
    def from_dict(cls, data: dict) -> Block:
        """Build from :meth:`to_dict` output; unknown keys raise ``ValueError``."""
        if not isinstance(data, dict):
            raise ValueError(f"block={data!r} is invalid: expected a mapping")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(
                f"block has unknown field(s) {sorted(unknown)}: expected {sorted(cls.__dataclass_fields__)}"
            )
        if "op" not in data or "filters" not in data:
            raise ValueError(f"block={data!r} is missing 'op' or 'filters'")
        return cls(**data)

    def token(self) -> str:
        """Compact one-token form, e.g. ``gcfused:k3e4o32s1g64``; parsed back by :meth:`parse`."""
        text = f"{OP_CODES[self.op]}:k{self.kernel}e{self.expansion}o{self.filters}s{self.stride}"
        if self.group_size is not None:
            text += f"g{self.group_size}"
        if not self.residual:
            text += "n"
        return text

    @classmethod
    def parse(cls, token: str) -> Block:
        """Inverse of :meth:`token`."""
        match = _TOKEN.match(token.strip())
        if not match or match["code"] not in CODE_OPS:
            raise ValueError(
                f"block token {token!r} is invalid: expected OP:k<K>e<E>o<OUT>s<S>[g<G>][n] with OP in "
                f"{', '.join(CODE_OPS)}"
            )
        return cls(
            op=CODE_OPS[match["code"]],
            kernel=int(match["k"]),
            expansion=int(match["e"]),
            filters=int(match["o"]),
            stride=int(match["s"]),
            group_size=int(match["g"]) if match["g"] else None,
            residual=match["n"] is None,
        )
