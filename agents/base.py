"""The black-box agent interface: propose an architecture (as decision indices), observe its result.

A black-box agent never sees the step-by-step episode: it proposes a full sequence of choice indices of the search
space (one per decision, valid under the masks) and observes the reward and metrics of the finished network. The
runner (:func:`nasgym.search.blackbox.run_blackbox`) evaluates each proposal through the environment, so every agent
shares the same reward, evaluation cache, budget (counted in evaluations) and logger as the SB3 policy agents.

Writing your own agent is one short file::

    from nasgym.agents.base import BlackBoxAgent

    class GreedyWidth(BlackBoxAgent):
        def propose(self):
            return self.space.sample_indices(self.rng)

        def observe(self, indices, reward, info):
            pass

and ``python train.py --algo path/to/greedy.py:GreedyWidth --env nasgym/EdgeTPU-ZeroCost-v0 --evaluations 100``
(or ``nasgym.search.run(RunConfig(env=..., algo="path/to/greedy.py:GreedyWidth", evaluations=100))``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np

from nasgym.space.search_space import SearchSpace


class BlackBoxAgent(ABC):
    """Base class of every non-SB3 search algorithm.

    Args:
        space: The search space the environment decodes.
        seed: Seed of the agent's own randomness.
    """

    def __init__(self, space: SearchSpace, seed: int = 0) -> None:
        self.space = space
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    @abstractmethod
    def propose(self) -> list[int]:
        """The next architecture to evaluate, as one valid choice index per decision."""

    @abstractmethod
    def observe(self, indices: Sequence[int], reward: float, info: dict) -> None:
        """Learn from an evaluation (``info`` holds accuracy, latency_ms, ...).

        Of the last proposal. When a run resumes, the runner replays the log: for each logged evaluation it calls
        :meth:`propose` (so a seeded agent advances exactly as before) and then :meth:`observe` with the logged
        result, which for a deterministic agent is the result of that very proposal.
        """

    def bind(self, env: Any) -> None:
        """Called by the runners with the (unwrapped) environment before the first :meth:`propose` (again with the
        same env when a run resumes). An agent that evaluates beyond its proposals (at other fidelities, e.g.
        :mod:`nasgym.agents.successive_halving`) takes the env's evaluator, cost model and reward here; the
        default does nothing."""
        return None

    def repair(self, indices: Sequence[int]) -> list[int]:
        """Make any index sequence valid: each index is canonicalized given the earlier (repaired) choices."""
        cursor = self.space.cursor()
        for index in indices:
            cursor.choose(int(index), canonicalize=True)
        return list(cursor.indices)
