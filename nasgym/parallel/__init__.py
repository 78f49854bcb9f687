"""Parallel evaluation: executors that run quality evaluations elsewhere.

``make_executor(evaluator, workers, address)`` picks the executor: one worker and no address evaluates in this
process; ``workers > 1`` uses a pool of local processes; a Ray ``address`` (``"local"``, ``"auto"``, ``HOST:PORT``)
uses Ray tasks (``pip install 'nasgym[ray]'``). The asynchronous batch ask/tell loop that keeps ``workers``
evaluations of a black-box agent in flight lives with the search runner (:func:`nasgym.search.batched.run_batched`;
``nasgym.parallel.run_batched`` still names it, loaded on first use since that module imports this package).
"""

from __future__ import annotations

from typing import Any

from nasgym.parallel.base import EvaluatorSource, Executor, as_completed, evaluate, evaluator_from, first_completed
from nasgym.parallel.local import InProcessExecutor, ProcessExecutor


def make_executor(evaluator: EvaluatorSource, workers: int = 1, address: str | None = None) -> Executor:
    """The executor for ``workers`` evaluations at once: in-process (1, no address), a local process pool, or Ray
    tasks when ``address`` is given (see :mod:`nasgym.parallel.ray_executor` for the address forms).

    Raises:
        ValueError: ``workers`` not a positive int; Ray missing or the address unreachable (one line).
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers={workers!r} is invalid: expected a positive int")
    if address is not None:
        from nasgym.parallel.ray_executor import RayExecutor

        return RayExecutor(evaluator, workers, address)
    if workers == 1:
        return InProcessExecutor(evaluator)
    return ProcessExecutor(evaluator, workers)


def __getattr__(name: str) -> Any:
    """``run_batched``: the public name it had here (the function is :func:`nasgym.search.batched.run_batched`)."""
    if name == "run_batched":
        from nasgym.search.batched import run_batched

        return run_batched
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["EvaluatorSource", "Executor", "InProcessExecutor", "ProcessExecutor", "as_completed", "evaluate",
           "evaluator_from", "first_completed", "make_executor", "run_batched"]
