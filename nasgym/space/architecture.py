"""A complete network: stem, stages of IBN blocks, head. Immutable, validated, hashable, serializable."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from nasgym.space.block import Block, check_int

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Architecture:
    """A classification backbone in the MobileNetEdgeTPUV2 template.

    Stem: ``stem_kernel`` x ``stem_kernel`` conv with ``stem_stride``, BN, ReLU. Then the blocks of each stage in
    order. Then a 1x1 "top" conv to ``head_filters`` (BN, ReLU), global average pooling and the task head.

    Attributes:
        stages: Blocks grouped by stage (a stage usually starts with its strided block).
        stem_filters: Output channels of the stem conv.
        stem_kernel: Kernel size of the stem conv.
        stem_stride: Stride of the stem conv.
        head_filters: Output channels of the 1x1 top conv.
        input_shape: Deployment input as (height, width, channels).
    """

    stages: tuple[tuple[Block, ...], ...]
    stem_filters: int = 32
    stem_kernel: int = 3
    stem_stride: int = 2
    head_filters: int = 1280
    input_shape: tuple[int, int, int] = (224, 224, 3)
    _hash: str = field(default="", init=False, repr=False, compare=False)
    _json: str = field(default="", init=False, repr=False, compare=False)
    _blocks: ClassVar[tuple[Block, ...]]  # not a field: set per instance in __post_init__ (blocks, flattened)

    def __post_init__(self) -> None:
        stages = _as_stages(self.stages)
        object.__setattr__(self, "stages", stages)
        check_int("stem_filters", self.stem_filters, "a positive int")
        if self.stem_kernel not in (1, 3, 5, 7) or isinstance(self.stem_kernel, bool):
            raise ValueError(f"stem_kernel={self.stem_kernel!r} is invalid: expected one of (1, 3, 5, 7)")
        if self.stem_stride not in (1, 2) or isinstance(self.stem_stride, bool):
            raise ValueError(f"stem_stride={self.stem_stride!r} is invalid: expected 1 or 2")
        check_int("head_filters", self.head_filters, "a positive int")
        shape = tuple(self.input_shape) if isinstance(self.input_shape, list | tuple) else None
        if shape is None or len(shape) != 3:
            raise ValueError(f"input_shape={self.input_shape!r} is invalid: expected (height, width, channels)")
        for name, value in zip(("height", "width", "channels"), shape, strict=True):
            check_int(f"input_shape {name}", value, "a positive int")
        object.__setattr__(self, "input_shape", shape)
        object.__setattr__(self, "_blocks", tuple(block for stage in stages for block in stage))
        cin = self.stem_filters
        for s, b, block in self.iter_blocks():
            block.check_input(cin, where=f"stage {s} block {b}")
            cin = block.filters
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        object.__setattr__(self, "_json", text)  # computed once: the env and the cache both need it
        object.__setattr__(self, "_hash", hashlib.sha1(text.encode()).hexdigest()[:12])

    # ----------------------------------------------------------------- structure
    def iter_blocks(self) -> Iterator[tuple[int, int, Block]]:
        """Yield ``(stage_index, block_index, block)`` in network order."""
        for s, stage in enumerate(self.stages):
            for b, block in enumerate(stage):
                yield s, b, block

    @property
    def blocks(self) -> tuple[Block, ...]:
        """All blocks, flattened, in network order."""
        return self._blocks

    @property
    def depth(self) -> int:
        """Number of blocks that are not ``skip``."""
        return sum(block.op != "skip" for block in self.blocks)

    @property
    def hash(self) -> str:
        """Stable 12-hex-digit content hash of the canonical JSON."""
        return self._hash

    def output_resolution(self) -> tuple[int, int]:
        """Spatial size after the last block, for the deployment input."""
        h, w = self.input_shape[:2]
        strides = [self.stem_stride] + [block.stride for block in self.blocks]
        for stride in strides:
            h, w = math.ceil(h / stride), math.ceil(w / stride)
        return h, w

    def replace(self, **changes: object) -> Architecture:
        """A copy with some fields changed (validated again)."""
        data = {name: getattr(self, name) for name in _FIELDS}
        data.update(changes)
        return Architecture(**data)

    # ------------------------------------------------------------- serialization
    def to_dict(self) -> dict:
        """Canonical plain-dict form."""
        return {
            "format": FORMAT_VERSION,
            "input_shape": list(self.input_shape),
            "stem": {"filters": self.stem_filters, "kernel": self.stem_kernel, "stride": self.stem_stride},
            "stages": [[block.to_dict() for block in stage] for stage in self.stages],
            "head": {"filters": self.head_filters},
        }

    def to_json(self, indent: int | None = None) -> str:
        """Canonical JSON (sorted keys, no whitespace unless ``indent``)."""
        if indent is None:
            return self._json
        return json.dumps(self.to_dict(), sort_keys=True, indent=indent)

    @classmethod
    def from_dict(cls, data: dict) -> Architecture:
        """Inverse of :meth:`to_dict`; unknown or missing keys raise ``ValueError``.

        A record that holds an architecture under ``"arch"`` (a run's ``best.json``, a finalized ``final.json``)
        is read as that architecture, so those files load as written.
        """
        if not isinstance(data, dict):
            raise ValueError(f"architecture must be a JSON object, got {type(data).__name__}")
        if "stages" not in data and isinstance(data.get("arch"), dict):
            data = data["arch"]
        expected = {"format", "input_shape", "stem", "stages", "head"}
        unknown, missing = set(data) - expected, expected - {"format"} - set(data)
        if unknown or missing:
            raise ValueError(
                f"architecture JSON has unknown keys {sorted(unknown)} / missing keys {sorted(missing)}: "
                f"expected {sorted(expected)}"
            )
        if data.get("format", FORMAT_VERSION) != FORMAT_VERSION:
            raise ValueError(f"architecture format={data['format']!r} is unsupported: expected {FORMAT_VERSION}")
        stem, head = data["stem"], data["head"]
        if not isinstance(stem, dict) or set(stem) != {"filters", "kernel", "stride"}:
            raise ValueError(f"stem={stem!r} is invalid: expected keys filters, kernel, stride")
        if not isinstance(head, dict) or set(head) != {"filters"}:
            raise ValueError(f"head={head!r} is invalid: expected the key filters")
        if not isinstance(data["stages"], list):
            raise ValueError(f"stages={data['stages']!r} is invalid: expected a list of lists of blocks")
        stages = []
        for stage in data["stages"]:
            if not isinstance(stage, list):
                raise ValueError(f"stage={stage!r} is invalid: expected a list of blocks")
            stages.append(tuple(Block.from_dict(block) for block in stage))
        return cls(
            stages=tuple(stages),
            stem_filters=stem["filters"],
            stem_kernel=stem["kernel"],
            stem_stride=stem["stride"],
            head_filters=head["filters"],
            input_shape=tuple(data["input_shape"]) if isinstance(data["input_shape"], list) else None,
        )

    @classmethod
    def from_json(cls, text: str) -> Architecture:
        """Parse canonical (or any equivalent) JSON."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueError(f"architecture JSON is malformed: {err}") from err
        return cls.from_dict(data)

    def to_string(self) -> str:
        """Compact one-line form, e.g. ``in224x224x3|stem:k5o32s2|fused:k3e1o16s1|...|top:o1280``.

        Stages are separated by ``|``, blocks within a stage by ``,``. :meth:`parse` reads it back.
        """
        h, w, c = self.input_shape
        parts = [f"in{h}x{w}x{c}", f"stem:k{self.stem_kernel}o{self.stem_filters}s{self.stem_stride}"]
        parts += [",".join(block.token() for block in stage) for stage in self.stages]
        parts.append(f"top:o{self.head_filters}")
        return "|".join(parts)

    @classmethod
    def parse(cls, text: str) -> Architecture:
        """Inverse of :meth:`to_string`."""
        parts = text.strip().split("|")
        expected = "in<H>x<W>x<C>|stem:k<K>o<F>s<S>|<blocks>|...|top:o<F>"
        if len(parts) < 3:
            raise ValueError(f"architecture string {text!r} is invalid: expected {expected}")
        try:
            shape = tuple(int(v) for v in parts[0].removeprefix("in").split("x"))
            stem = parts[1].removeprefix("stem:k")
            kernel, rest = stem.split("o")
            filters, stride = rest.split("s")
            head = int(parts[-1].removeprefix("top:o"))
            int(kernel), int(filters), int(stride)
        except ValueError as err:
            raise ValueError(f"architecture string {text!r} is invalid: expected {expected}") from err
        stages = tuple(tuple(Block.parse(tok) for tok in part.split(",")) for part in parts[2:-1])
        return cls(
            stages=stages,
            stem_filters=int(filters),
            stem_kernel=int(kernel),
            stem_stride=int(stride),
            head_filters=head,
            input_shape=shape,
        )

    def __str__(self) -> str:
        h, w, c = self.input_shape
        lines = [
            f"Architecture {self.hash}  input {h}x{w}x{c}  {self.depth} blocks",
            f"  stem   conv k{self.stem_kernel} s{self.stem_stride} -> {self.stem_filters}",
        ]
        cin = self.stem_filters
        for s, b, block in self.iter_blocks():
            if block.op == "skip":
                desc = "skip"
            else:
                desc = f"{block.op:<18} k{block.kernel} e{block.expansion} s{block.stride}"
                if block.group_size is not None:
                    desc += f" g{block.group_size}"
                desc += f"  {cin:>4} -> {block.filters:<4}"
                if block.has_residual(cin):
                    desc += " +res"
            lines.append(f"  {s}.{b:<4} {desc}")
            cin = block.filters
        lines.append(f"  head   conv 1x1 -> {self.head_filters}, global avg pool, classifier")
        return "\n".join(lines)


_FIELDS = ("stages", "stem_filters", "stem_kernel", "stem_stride", "head_filters", "input_shape")


def _as_stages(stages: object) -> tuple[tuple[Block, ...], ...]:
    if not isinstance(stages, list | tuple) or not stages:
        raise ValueError(f"stages={stages!r} is invalid: expected a non-empty sequence of stages")
    result = []
    for s, stage in enumerate(stages):
        if not isinstance(stage, list | tuple) or not stage:
            raise ValueError(f"stage {s}={stage!r} is invalid: expected a non-empty sequence of Block")
        for block in stage:
            if not isinstance(block, Block):
                raise ValueError(f"stage {s} holds {block!r}: expected Block instances")
        result.append(tuple(stage))
    return tuple(result)
