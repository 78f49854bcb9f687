"""The executor protocol: evaluate (architecture, seed) pairs somewhere else and hand back futures.

An executor only *evaluates*: it runs the quality evaluator on an architecture and returns the metrics dict. The
driver (the process running the search) checks and writes the SQLite evaluation cache, computes cost and reward and
logs, so the cache stays the single record whatever runs the evaluations (threads, processes, Ray workers on other
machines).

Evaluators travel to workers as their *source*: a spec (``{"kind": "train", ...}`` or a named spec such as
``"default"``), rebuilt once per worker process (constructing an evaluator is cheap and its data loads lazily on the
first evaluation, then stays loaded for the worker's later tasks), or an evaluator object, pickled with each task.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any, Protocol, runtime_checkable

from nasgym.space.architecture import Architecture

EvaluatorSource = dict | str | Any  # a spec for make_evaluator, or an evaluator object
_BUILT: dict[str, Any] = {}  # spec (canonical JSON) -> evaluator, per worker process


@runtime_checkable
class Executor(Protocol):
    """Runs quality evaluations; ``workers`` of them at once at most."""

    workers: int

    def submit(self, arch: Architecture, seed: int) -> Future:
        """Start evaluating ``arch`` with evaluation seed ``seed``; the future resolves to its metrics dict."""
        ...

    def close(self) -> None:
        """Release the workers (idempotent); evaluations still running are abandoned."""
        ...


def evaluator_from(source: EvaluatorSource) -> Any:
    """The evaluator of ``source``: built from a spec once per process (memoized by spec), or ``source`` itself."""
    if not isinstance(source, dict | str):
        return source
    key = json.dumps(source, sort_keys=True, default=str)
    evaluator = _BUILT.get(key)
    if evaluator is None:
        from nasgym.quality import make_evaluator

        evaluator = _BUILT[key] = make_evaluator(source)
    return evaluator


def evaluate(source: EvaluatorSource, arch_json: str, seed: int) -> dict:
    """What a worker runs: the metrics of the architecture ``arch_json`` (canonical JSON) for ``seed``."""
    import torch

    with torch.enable_grad():  # evaluators train; the caller may be under no_grad
        return dict(evaluator_from(source).evaluate(Architecture.from_json(arch_json), int(seed)))


def as_completed(futures: Iterable[Future]) -> Iterator[Future]:
    """Yield ``futures`` as they finish; of those finished together, in the order given (so a run whose
    evaluations finish at once, e.g. cache hits or one worker, observes them in submission order)."""
    pending = list(futures)
    while pending:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        first = next(f for f in pending if f in done)
        pending.remove(first)
        yield first


def first_completed(futures: Iterable[Future]) -> Future:
    """The first of ``futures`` to finish (the earliest given among those already finished)."""
    return next(as_completed(futures))
