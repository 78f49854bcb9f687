"""Asynchronous batch ask/tell for black-box agents: ``workers`` evaluations in flight, the cache in the driver.

As in regularized evolution's distributed form (Real et al. 2019): the agent proposes ``workers`` architectures; when
any evaluation finishes the driver observes it and asks for the next one, so no worker waits for the slowest of a
batch. Every agent with ``propose()`` / ``observe()`` works unchanged (``random``, ``evolution``, ``reinforce``,
``nsga2``, plug-ins); with one worker the order of calls is exactly the sequential runner's.

The driver is the only process that touches the evaluation cache: it answers cached (architecture, seed) pairs
itself, submits the others to the executor and stores each result once, when it arrives (before it is logged).

**Resuming exactly.** The agent's calls are determined by the log: ``propose`` x ``workers``, then for each logged
evaluation in log order ``observe`` it and ``propose`` the next (while the budget allows). Replaying the log that way
restores the agent's state and the proposals that were in flight when the run stopped; those are submitted again,
and the ones that had finished are answered by the cache. A logged row that matches no proposal in flight (a corrupt
or foreign log) cuts the log there, as in the sequential runner.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from nasgym.parallel.base import Executor, first_completed
from nasgym.space.architecture import Architecture


@dataclass
class _Proposal:
    """One proposed architecture and, once submitted, its pending result."""

    indices: list[int]
    arch: Architecture
    future: Future | None = None
    hit: bool = False


@dataclass
class _Store:
    """The driver's view of the evaluation cache (an in-memory dict when the env has no cache file)."""

    env: Any
    cached: Any = None
    memo: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.env.cache_path is not None:
            from nasgym.quality import CachedEvaluator, EvaluationCache

            self.env.cache_path.parent.mkdir(parents=True, exist_ok=True)
            self.cached = CachedEvaluator(self.env.evaluator, EvaluationCache(self.env.cache_path))

    def get(self, arch: Architecture, seed: int) -> dict | None:
        if self.cached is None:
            return self.memo.get((arch, seed))
        return self.cached.lookup(arch, seed)

    def put(self, arch: Architecture, seed: int, metrics: dict) -> None:
        if self.cached is None:
            self.memo[(arch, seed)] = metrics
        else:
            self.cached.store(arch, seed, metrics)

    def close(self) -> None:
        if self.cached is not None:
            self.cached.cache.close()


def run_batched(env: Any, agent: Any, evaluations: int, executor: Executor, logger: Any = None,
                on_episode: Callable[[dict], None] | None = None, seed: int | None = None) -> int:
    """Run ``agent`` until ``evaluations`` evaluations are logged, ``executor.workers`` of them in flight.

    Args:
        env: The per-decision environment (its ``unwrapped`` NasEnv decodes proposals, costs and rewards them).
        agent: A black-box agent (``propose()``, ``observe(indices, reward, info)``).
        evaluations: Total budget, evaluations already in ``logger`` included.
        executor: Where quality evaluations run.
        logger: The run's :class:`~nasgym.search.recorder.SearchLogger`; its rows are replayed into the agent first.
        on_episode: Called with each new evaluation's ``info`` (after it is logged and observed).
        seed: ``reset(seed=)`` of the env before the first evaluation (sets the evaluation seed).

    Returns:
        The number of evaluations run (not replayed).
    """
    from nasgym.search.blackbox import bind_agent

    nas = env.unwrapped
    nas.reset(seed=seed)
    eval_seed = nas.eval_seed
    bind_agent(agent, nas)
    rows = list(logger.rows) if logger is not None else []
    budget = max(evaluations, len(rows))  # a smaller budget than the log: replay all, evaluate nothing new
    inflight: list[_Proposal] = []

    def logged() -> int:
        return logger.n_evaluations if logger is not None else done

    def fill() -> None:
        while len(inflight) < executor.workers and logged() + len(inflight) < budget:
            indices = [int(x) for x in agent.propose()]
            if len(indices) != nas.num_decisions:
                raise ValueError(f"agent proposed {len(indices)} indices: expected {nas.num_decisions} (one per "
                                 "decision)")
            arch = _decode(nas.space, indices)
            inflight.append(_Proposal(nas.space.encode(arch), arch))

    done = 0
    if logger is not None:
        logger.begin_replay(0)
    fill()
    for row in rows:
        arch = Architecture.from_json(row["arch"])
        match = next((p for p in inflight if p.arch == arch), None)
        if match is None or str(row.get("eval_seed", "")) != str(eval_seed):
            logger.end_replay()
            break
        inflight.remove(match)
        logger.record(row)  # re-admitted, not written twice
        agent.observe(match.indices, float(row["reward"]), row)
        fill()
    if logged() >= evaluations:
        return 0
    store = _Store(nas)
    try:
        for i, proposal in enumerate(inflight):
            _submit(proposal, inflight[:i], store, executor, eval_seed)
        while inflight:
            future = first_completed(p.future for p in inflight)
            proposal = next(p for p in inflight if p.future is future)
            inflight.remove(proposal)
            metrics = future.result()
            if not proposal.hit:
                store.put(proposal.arch, eval_seed, metrics)
            info = nas.finish(proposal.arch, metrics, proposal.hit)
            if logger is not None:
                logger.record(info)
            done += 1
            agent.observe(proposal.indices, float(info["reward"]), info)
            if on_episode is not None:
                on_episode(info)
            before = len(inflight)
            fill()
            for i in range(before, len(inflight)):
                _submit(inflight[i], inflight[:i], store, executor, eval_seed)
    finally:
        store.close()
    return done


def _submit(proposal: _Proposal, earlier: list[_Proposal], store: _Store, executor: Executor, seed: int) -> None:
    """Answer ``proposal`` from the cache, share the evaluation of an identical one in flight (it counts as a cache
    hit, as it would sequentially), or submit it."""
    twin = next((p for p in earlier if p.arch == proposal.arch), None)
    if twin is not None:
        proposal.future, proposal.hit = twin.future, True
        return
    cached = store.get(proposal.arch, seed)
    if cached is not None:
        proposal.future, proposal.hit = Future(), True
        proposal.future.set_result(cached)
    else:
        proposal.future = executor.submit(proposal.arch, seed)


def _decode(space: Any, indices: list[int]) -> Architecture:
    """The architecture the env builds from ``indices`` (invalid choices canonicalized, as the env does)."""
    cursor = space.cursor()
    for index in indices:
        cursor.choose(index, canonicalize=True)
    return cursor.architecture()
