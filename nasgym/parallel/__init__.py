"""Parallel evaluation: executors that run quality evaluations elsewhere, and the asynchronous batch ask/tell loop.

``make_executor(evaluator, workers, address)`` picks the executor: one worker and no address evaluates in this
process; ``workers > 1`` uses a pool of local processes; a Ray ``address`` (``"local"``, ``"auto"``, ``HOST:PORT``)
uses Ray tasks (``pip install 'nasgym[ray]'``). :func:`run_batched` keeps ``workers`` evaluations of a black-box
agent in flight; the SQLite cache is written by the driver only.
"""

from __future__ import annotations

from nasgym.parallel.base import EvaluatorSource, Executor, as_completed, evaluate, evaluator_from, first_completed
from nasgym.parallel.local import InProcessExecutor, ProcessExecutor
from nasgym.parallel.search import run_batched


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


__all__ = ["EvaluatorSource", "Executor", "InProcessExecutor", "ProcessExecutor", "as_completed", "evaluate",
           "evaluator_from", "first_completed", "make_executor", "run_batched"]
