"""Evaluations as Ray tasks, on this machine or a cluster (``pip install 'nasgym[ray]'``).

Each evaluation is one Ray core task (one CPU, optionally a GPU share) with ``max_retries``: when the process running
it dies (killed, out of memory, its node lost) Ray runs it again elsewhere, so nothing is lost; the driver writes
each result to the cache once, when it arrives, so nothing is stored twice. Workers rebuild the evaluator from its
spec once per worker process (see :mod:`nasgym.parallel.base`); on a cluster every node needs nasgym installed and
the evaluator's data (for Fashion-MNIST: the Debian package or ``NASGYM_DATA``).

Addresses (``ray.init`` semantics): ``None`` or ``"local"`` starts a private Ray on this machine with ``workers``
CPUs and stops it on :meth:`RayExecutor.close`; ``"auto"`` joins the cluster started here by ``ray start``;
``HOST:PORT`` joins the cluster whose head listens there; ``ray://HOST:PORT`` uses Ray Client. If Ray is already
initialized in this process (a test, a notebook), that instance is used as is and left running.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

from nasgym.parallel.base import EvaluatorSource, evaluate
from nasgym.space.architecture import Architecture

INSTALL_HINT = "pip install 'nasgym[ray]'"


class RayUnavailable(ValueError):
    """Ray is not installed, or the cluster address cannot be reached (the message says what to do)."""


def require_ray() -> Any:
    """The ``ray`` module; :class:`RayUnavailable` with the install command when it is not installed."""
    try:
        import ray
    except ImportError:
        raise RayUnavailable(f"Ray is not installed (needed for --ray-address and Ray executors): {INSTALL_HINT}") \
            from None
    return ray


def check_address(address: str | None, timeout: float = 3.0) -> None:
    """Fail fast with one line if ``HOST:PORT`` / ``ray://HOST:PORT`` does not accept connections (``ray.init``
    itself would retry for a long time); ``None``, ``"local"`` and ``"auto"`` are not checked here."""
    if address in (None, "local", "auto"):
        return
    target = address.removeprefix("ray://")
    host, sep, port = target.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise RayUnavailable(f"Ray address {address!r} is invalid: expected HOST:PORT, ray://HOST:PORT, 'auto' or "
                             "'local'")
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as err:
        raise RayUnavailable(f"Ray cluster at {address!r} is unreachable ({err.strerror or err}): start it with "
                             "`ray start --head` there, or check the address") from None


def connect(address: str | None = None, num_cpus: int | None = None) -> bool:
    """Initialize Ray for ``address`` unless it already is; returns whether this call started it.

    Raises:
        RayUnavailable: Ray missing, the address invalid or unreachable.
    """
    ray = require_ray()
    if ray.is_initialized():
        return False
    check_address(address)
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    kwargs: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": True}
    if address in (None, "local"):
        kwargs.update(address="local", num_cpus=num_cpus, include_dashboard=False)
    else:
        kwargs["address"] = address
    try:
        ray.init(**kwargs)
    except (ConnectionError, RuntimeError, TimeoutError) as err:
        raise RayUnavailable(f"cannot connect to Ray at {address!r}: {str(err).splitlines()[0]}") from None
    return True


class RayExecutor:
    """Evaluations as Ray tasks (see the module docstring).

    Args:
        evaluator: An evaluator spec (rebuilt once per worker process) or a picklable evaluator object.
        workers: Evaluations the driver keeps in flight (and the CPUs of a private local Ray).
        address: Ray address (``None``/``"local"``, ``"auto"``, ``HOST:PORT``, ``ray://HOST:PORT``).
        max_retries: Retries of a task whose worker process died.
        gpus_per_task: GPU share of each evaluation (0: CPU only; 1: one GPU each; 0.5: two per GPU).
    """

    def __init__(self, evaluator: EvaluatorSource, workers: int, address: str | None = None, max_retries: int = 3,
                 gpus_per_task: float = 0.0) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers={workers!r} is invalid: expected a positive int")
        ray = require_ray()
        self.workers = workers
        self._started = connect(address, num_cpus=workers)
        self._ray = ray
        self._source = ray.put(evaluator)
        self._task = ray.remote(evaluate).options(num_cpus=1, num_gpus=gpus_per_task, max_retries=max_retries,
                                                  retry_exceptions=False)
        self._refs: set[Any] = set()

    def submit(self, arch: Architecture, seed: int) -> Future:
        ref = self._task.remote(self._source, arch.to_json(), int(seed))
        self._refs.add(ref)  # only unfinished ones are kept (a finished result is freed once the driver has it)
        future = ref.future()
        future.add_done_callback(lambda _: self._refs.discard(ref))
        return future

    def close(self) -> None:
        """Cancel unfinished tasks and stop Ray if this executor started it (idempotent)."""
        ray, self._ray = self._ray, None
        if ray is None:
            return
        for ref in list(self._refs):
            try:
                ray.cancel(ref, force=True)
            except Exception:  # noqa: BLE001 (finished or already gone)
                pass
        self._refs = set()
        if self._started:
            ray.shutdown()


def map_tasks(fn: Callable[..., Any], jobs: Sequence[tuple], address: str | None = None,
              on_result: Callable[[int, Any], None] | None = None, max_retries: int = 1) -> list[Any]:
    """``[fn(*job) for job in jobs]`` as Ray tasks (one CPU each), results in job order; ``on_result(i, result)``
    is called as each finishes. Starts (and stops) a private local Ray for ``address`` ``None``/``"local"``."""
    ray = require_ray()
    started = connect(address)
    try:
        task = ray.remote(fn).options(num_cpus=1, max_retries=max_retries)
        refs = [task.remote(*job) for job in jobs]
        index = {ref: i for i, ref in enumerate(refs)}
        results: list[Any] = [None] * len(refs)
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            i = index[done[0]]
            results[i] = ray.get(done[0])
            if on_result is not None:
                on_result(i, results[i])
        return results
    finally:
        if started:
            ray.shutdown()
