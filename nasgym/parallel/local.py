"""Executors on this machine: in the calling process (one evaluation at a time) and a pool of processes."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor

from nasgym.parallel.base import EvaluatorSource, evaluate
from nasgym.space.architecture import Architecture


class InProcessExecutor:
    """Evaluates in the calling process when submitted (the future is already done): the sequential path.

    Args:
        evaluator: An evaluator spec or object (see :mod:`nasgym.parallel.base`).
    """

    workers = 1

    def __init__(self, evaluator: EvaluatorSource) -> None:
        self.evaluator = evaluator

    def submit(self, arch: Architecture, seed: int) -> Future:
        future: Future = Future()
        try:
            future.set_result(evaluate(self.evaluator, arch.to_json(), seed))
        except Exception as err:  # noqa: BLE001 (delivered through the future, like the other executors)
            future.set_exception(err)
        return future

    def close(self) -> None:
        """Nothing to release."""


def _init_worker(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)


class ProcessExecutor:
    """``workers`` processes on this machine, forked from a clean server process that has imported torch (safe with
    torch's threads, and the import is paid once, not per worker).

    Args:
        evaluator: An evaluator spec (rebuilt once per worker) or a picklable evaluator object.
        workers: Number of processes.
        threads: torch threads per worker (evaluators that fix their own thread count override it).
    """

    def __init__(self, evaluator: EvaluatorSource, workers: int, threads: int = 1) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers={workers!r} is invalid: expected a positive int")
        self.evaluator = evaluator
        self.workers = workers
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["torch", "nasgym.parallel.base"])  # imported once, then forked per worker
        self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(threads,))
        self._pid = os.getpid()

    def submit(self, arch: Architecture, seed: int) -> Future:
        return self._pool.submit(evaluate, self.evaluator, arch.to_json(), int(seed))

    def close(self) -> None:
        """Stop the worker processes (evaluations still running are abandoned)."""
        if os.getpid() == self._pid:
            self._pool.shutdown(wait=False, cancel_futures=True)
