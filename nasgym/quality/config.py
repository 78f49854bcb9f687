"""Evaluator configs: dataclasses built from plain dicts with every field validated, and their fingerprints."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# A check is (predicate, description of what is expected).
Check = tuple[Callable[[Any], bool], str]


def positive_int(minimum: int = 1) -> Check:
    """An int (not bool) >= ``minimum``."""
    return (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= minimum, f"an int >= {minimum}")


def number_in(low: float, high: float, low_open: bool = False) -> Check:
    """A real number in [low, high] (or (low, high] when ``low_open``)."""
    def ok(v: Any) -> bool:
        if isinstance(v, bool) or not isinstance(v, int | float) or v != v:
            return False
        return (v > low if low_open else v >= low) and v <= high
    return ok, f"a number in {'(' if low_open else '['}{low:g}, {high:g}]"


def number_pair(low: float, high: float) -> Check:
    """A list or tuple [a, b] of real numbers with low < a <= b <= high."""
    def ok(v: Any) -> bool:
        if not isinstance(v, list | tuple) or len(v) != 2:
            return False
        if any(isinstance(x, bool) or not isinstance(x, int | float) or x != x for x in v):
            return False
        return low < v[0] <= v[1] <= high
    return ok, f"[a, b] with {low:g} < a <= b <= {high:g}"


def fractions() -> Check:
    """A list of distinct numbers in (0, 1), increasing (may be empty)."""
    def ok(v: Any) -> bool:
        if not isinstance(v, list | tuple):
            return False
        if any(isinstance(x, bool) or not isinstance(x, int | float) or not 0 < x < 1 for x in v):
            return False
        return all(a < b for a, b in zip(v, v[1:], strict=False))
    return ok, "a list of increasing numbers in (0, 1), e.g. [0.25, 0.5]"


def one_of(*choices: Any) -> Check:
    """One of ``choices``."""
    return (lambda v: any(v == c and type(v) is type(c) for c in choices),
            f"one of {', '.join(repr(c) for c in choices)}")


def boolean() -> Check:
    """True or False."""
    return (lambda v: isinstance(v, bool), "true or false")


def optional_str() -> Check:
    """A string or None."""
    return (lambda v: v is None or isinstance(v, str), "a path string or null")


def parse_config(cls: type[T], spec: dict, checks: dict[str, Check], kind: str) -> T:
    """Build the config dataclass ``cls`` from ``spec``, validating every given field.

    Raises:
        ValueError: Naming an unknown field (and listing the valid ones) or a bad value (and what was expected).
    """
    if not isinstance(spec, dict):
        raise ValueError(f"{kind} evaluator config={spec!r} is invalid: expected a dict")
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(spec) - set(names))
    if unknown:
        raise ValueError(
            f"unknown {kind} evaluator field(s) {', '.join(map(repr, unknown))}: valid fields are "
            f"kind, {', '.join(names)}"
        )
    for name, value in spec.items():
        ok, expected = checks[name]
        if not ok(value):
            raise ValueError(f"{kind} evaluator field {name}={value!r} is invalid: expected {expected}")
    return cls(**spec)


# Version of the proxy width-scaling rule (nasgym.quality.proxy), in the fingerprint of scaled configs only:
# 3 = widths to multiples of 4 (at least 8) with group sizes scaled along (2 = multiples of 8; 1 = multiples of the
# largest group size).
WIDTH_RULE = 3


def fingerprint(kind: str, config: object, version: int, exclude: tuple[str, ...] = ("data_dir",)) -> str:
    """``KIND-vVERSION-HASH``: a stable id of the config fields that affect results, plus the evaluator version."""
    fields = {k: v for k, v in dataclasses.asdict(config).items() if k not in exclude}
    if not fields.get("curve", ()):  # configs without learning-curve points keep their fingerprint
        fields.pop("curve", None)
        fields.pop("curve_val_images", None)
    if fields.get("calibration", 0) is None:  # uncalibrated configs keep their fingerprint
        fields.pop("calibration")
    if fields.get("width_multiplier", 1.0) != 1.0:
        fields["width_rule"] = WIDTH_RULE  # scaled proxies of older rules are other networks
    digest = hashlib.sha1(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:10]
    return f"{kind}-v{version}-{digest}"
