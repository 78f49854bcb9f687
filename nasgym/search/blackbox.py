"""Running a black-box agent (``propose()`` / ``observe()``): one evaluation at a time, or K in flight, resumed exactly.

Sequentially (:func:`run_blackbox`) each proposal is evaluated by stepping the per-decision environment; with
``workers > 1`` or a Ray address, :func:`nasgym.search.batched.run_batched` keeps K evaluations in flight. A resumed
run first replays its log into the agent (:func:`replay`), so the agent's state and random numbers continue where
they were and the run logs what an uninterrupted one would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import gymnasium as gym

from nasgym.envs_config import EnvConfig, make_env
from nasgym.search.recorder import EpisodeLogger, SearchLogger
from nasgym.space.architecture import Architecture
from nasgym.wrappers import episode_length

if TYPE_CHECKING:
    from nasgym.search.algos import AlgoSpec
    from nasgym.search.runner import RunConfig


def run_blackbox(env: gym.Env, agent: Any, evaluations: int, on_episode: Callable[[dict], None] | None = None,
                 seed: int | None = None) -> None:
    """Evaluate ``evaluations`` proposals of a black-box ``agent`` on a per-decision (discrete) ``env``."""
    nas = env.unwrapped
    bind_agent(agent, nas)
    for i in range(evaluations):
        indices = [int(x) for x in agent.propose()]
        if len(indices) != nas.num_decisions:
            raise ValueError(f"agent proposed {len(indices)} indices: expected {nas.num_decisions} (one per decision)")
        env.reset(seed=seed if i == 0 else None)
        for index in indices:
            _, reward, terminated, _, info = env.step(index)
        agent.observe(list(nas.cursor.indices), float(reward), info)
        if on_episode is not None:
            on_episode(info)


def search_blackbox(algo: AlgoSpec, config: EnvConfig, hyper: dict, logger: SearchLogger, budget_kind: str,
                    budget: int, run: RunConfig) -> None:
    """Run (or resume) the black-box ``algo`` built with ``hyper`` until ``logger`` holds the budget."""
    env = make_env(config)
    evaluations = budget if budget_kind == "evaluations" else budget // episode_length(env)
    try:
        agent = algo.cls(env.unwrapped.space, seed=run.seed, **hyper)
    except (TypeError, ValueError) as err:
        raise ValueError(f"hyperparameters {hyper} are invalid for {algo.name!r}: {err}") from None
    if run.workers > 1 or run.ray_address:
        _search_batched(config, env, agent, logger, evaluations, run)
        return
    agent = replay(agent, env, logger)
    remaining = evaluations - logger.n_evaluations
    bar = progress_bar(remaining, "evaluations", not run.progress)
    run_blackbox(EpisodeLogger(env, logger), agent, max(remaining, 0),
                 on_episode=lambda info: bar.update(1), seed=run.seed)
    bar.close()
    env.close()


def _search_batched(config: EnvConfig, env: Any, agent: Any, logger: SearchLogger, evaluations: int,
                    run: RunConfig) -> None:
    """``workers`` K / ``ray_address``: K evaluations in flight (asynchronous ask/tell, nasgym.search.batched)."""
    from nasgym.parallel import make_executor
    from nasgym.search.batched import run_batched

    executor = make_executor(config.evaluator, run.workers, run.ray_address)
    bar = progress_bar(evaluations - logger.n_evaluations, "evaluations", not run.progress)
    try:
        run_batched(env, agent, evaluations, executor, logger, on_episode=lambda info: bar.update(1), seed=run.seed)
    finally:
        bar.close()
        executor.close()
        env.close()


def replay(agent: Any, env: Any, logger: SearchLogger) -> Any:
    """Resume: feed the logged evaluations back to the agent so its state (and RNG) continue where they were, and
    return the agent to continue with. Each proposal is checked against the log; from the first one that differs
    (rows lost to corruption) the log is cut there and that proposal is the first one evaluated live."""
    space = env.unwrapped.space
    bind_agent(agent, env.unwrapped)
    rows = list(logger.rows)
    logger.begin_replay(0)
    for row in rows:
        proposal = [int(x) for x in agent.propose()]
        logged = space.encode(Architecture.from_json(row["arch"]))
        if _canonical(space, proposal) != _canonical(space, logged):
            logger.end_replay()
            return _FirstProposal(agent, proposal)
        logger.record(row)  # re-admitted: not written or counted twice
        agent.observe(logged, float(row["reward"]), row)
    return agent


def bind_agent(agent: Any, env: Any) -> None:
    """Give ``agent`` the unwrapped ``env`` through its ``bind(env)``, if it has one (before its first proposal)."""
    bind = getattr(agent, "bind", None)
    if callable(bind):
        bind(env)


def _canonical(space: Any, indices: list[int]) -> Any:
    """The architecture the env builds from ``indices`` (invalid choices canonicalized), ``None`` if impossible."""
    if len(indices) != len(space.decisions):
        return None
    cursor = space.cursor()
    try:
        for index in indices:
            cursor.choose(index, canonicalize=True)
    except (ValueError, IndexError):
        return None
    return cursor.architecture()


class _FirstProposal:
    """``agent`` whose next ``propose()`` returns ``proposal`` (already drawn from it)."""

    def __init__(self, agent: Any, proposal: list[int]) -> None:
        self.agent, self.proposal = agent, proposal

    def propose(self) -> list[int]:
        if self.proposal is None:
            return self.agent.propose()
        proposal, self.proposal = self.proposal, None
        return proposal

    def observe(self, indices: list[int], reward: float, info: dict) -> None:
        self.agent.observe(indices, reward, info)


def progress_bar(total: int, unit: str, disabled: bool, initial: int = 0) -> Any:
    """A tqdm bar over ``total`` units (``disabled``: counts silently)."""
    from tqdm import tqdm

    return tqdm(total=max(total, 0), initial=initial, unit=f" {unit}", disable=disabled, dynamic_ncols=True)
