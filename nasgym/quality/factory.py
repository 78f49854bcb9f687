"""``make_evaluator(spec)``: an evaluator from a plain dict such as ``{"kind": "train", "steps": 250}``."""

from __future__ import annotations

from collections.abc import Callable

from nasgym.quality.base import Evaluator
from nasgym.quality.supernet_evaluator import SupernetEvaluator
from nasgym.quality.train_evaluator import TrainEvaluator
from nasgym.quality.zero_cost import ZeroCostEvaluator


def _task_evaluator(**fields: object) -> Evaluator:
    """The ``task`` evaluator (segmentation, text, ...) of :mod:`nasgym.tasks`, imported on first use."""
    from nasgym.tasks.evaluator import TaskEvaluator

    return TaskEvaluator(**fields)


EVALUATORS: dict[str, Callable[..., Evaluator]] = {
    "zero_cost": ZeroCostEvaluator,
    "train": TrainEvaluator,
    "supernet": SupernetEvaluator,
    "task": _task_evaluator,
}


def evaluator_kinds() -> tuple[str, ...]:
    """The valid ``kind`` values."""
    return tuple(EVALUATORS)


def make_evaluator(spec: dict) -> Evaluator:
    """Build an evaluator from ``{"kind": KIND, **config fields}`` (cheap: datasets and supernets load lazily).

    Raises:
        ValueError: On a missing or unknown ``kind`` or an unknown/invalid config field (named, with valid ones).
    """
    if not isinstance(spec, dict):
        raise ValueError(f"evaluator spec={spec!r} is invalid: expected a dict with a 'kind' key")
    if "kind" not in spec:
        raise ValueError(f"evaluator spec {spec!r} has no 'kind': expected one of {', '.join(EVALUATORS)}")
    kind = spec["kind"]
    if kind not in EVALUATORS:
        raise ValueError(f"evaluator kind={kind!r} is invalid: expected one of {', '.join(EVALUATORS)}")
    return EVALUATORS[kind](**{k: v for k, v in spec.items() if k != "kind"})
