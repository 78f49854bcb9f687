"""``make_evaluator(spec)``: an evaluator from a plain dict such as ``{"kind": "train", "steps": 250}``."""

from __future__ import annotations

from collections.abc import Callable

from nasgym.quality.base import Evaluator
from nasgym.quality.named_specs import NAMED_SPECS, resolve_spec
from nasgym.quality.supernet_evaluator import SupernetEvaluator
from nasgym.quality.train_evaluator import TaskEvaluator, TrainEvaluator
from nasgym.quality.zero_cost import ZeroCostEvaluator
from nasgym.registry import Registry


def _surrogate(**fields: object) -> Evaluator:
    """``kind: surrogate`` (imported on use: nasgym.surrogate's evaluator imports this package)."""
    from nasgym.surrogate.evaluator import SurrogateEvaluator

    return SurrogateEvaluator(**fields)


EVALUATORS: Registry[Callable[..., Evaluator]] = Registry("evaluator kind")
EVALUATORS.register("zero_cost", ZeroCostEvaluator)
EVALUATORS.register("train", TrainEvaluator)  # any registered task (nasgym.tasks); classification by default
EVALUATORS.register("supernet", SupernetEvaluator)
EVALUATORS.register("task", TaskEvaluator)  # alias of train whose default task is segmentation
EVALUATORS.register("surrogate", _surrogate)  # predicted from measured rows (nasgym.surrogate)


def evaluator_kinds() -> tuple[str, ...]:
    """The valid ``kind`` values."""
    return EVALUATORS.names()


def make_evaluator(spec: str | dict) -> Evaluator:
    """Build an evaluator from ``{"kind": KIND, **config fields}`` or a named spec (``"default"``, ``"reference"``,
    or ``{"kind": NAME, **overrides}``; see :mod:`nasgym.quality.named_specs`). Cheap: data loads lazily.

    Raises:
        ValueError: On a missing or unknown ``kind`` or an unknown/invalid config field (named, with valid ones).
    """
    spec = resolve_spec(spec)
    if not isinstance(spec, dict):
        raise ValueError(f"evaluator spec={spec!r} is invalid: expected a dict with a 'kind' key or one of the "
                         f"named specs {', '.join(NAMED_SPECS)}")
    if "kind" not in spec:
        raise ValueError(f"evaluator spec {spec!r} has no 'kind': expected one of {', '.join(EVALUATORS)}")
    make = EVALUATORS.get(spec["kind"], hint=f" or a named spec ({', '.join(NAMED_SPECS)})")
    return make(**{k: v for k, v in spec.items() if k != "kind"})
