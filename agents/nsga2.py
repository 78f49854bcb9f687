"""Multi-objective NSGA-II through optuna's sampler: maximize accuracy, minimize simulated latency.

Each decision is an integer parameter over its full choice range; a proposal invalid under the masks is
canonicalized deterministically (the same rule the environment applies), so optuna sees fixed distributions.
"""

from __future__ import annotations

from collections.abc import Sequence

import optuna

from nasgym.agents.base import BlackBoxAgent
from nasgym.space.search_space import SearchSpace


class NSGA2(BlackBoxAgent):
    """NSGA-II (optuna ``NSGAIISampler``) on (accuracy, latency_ms).

    Args:
        space: The search space.
        seed: Sampler seed.
        population_size: NSGA-II population per generation.
        mutation_prob: Per-parameter mutation probability (optuna's default when ``None``).
    """

    def __init__(
        self, space: SearchSpace, seed: int = 0, population_size: int = 20, mutation_prob: float | None = None
    ) -> None:
        super().__init__(space, seed)
        if isinstance(population_size, bool) or not isinstance(population_size, int) or population_size < 2:
            raise ValueError(f"population_size={population_size!r} is invalid: expected an int >= 2")
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        sampler = optuna.samplers.NSGAIISampler(population_size=population_size, mutation_prob=mutation_prob,
                                                seed=seed)
        self.study = optuna.create_study(directions=["maximize", "minimize"], sampler=sampler)
        self._pending: list[tuple[list[int], optuna.Trial]] = []

    def propose(self) -> list[int]:
        trial = self.study.ask()
        raw = [trial.suggest_int(d.name, 0, len(d.choices) - 1) for d in self.space.decisions]
        indices = self.repair(raw)
        self._pending.append((indices, trial))
        return indices

    def observe(self, indices: Sequence[int], reward: float, info: dict) -> None:
        """Tell optuna the result; a result this agent did not propose (a replayed log) becomes a completed trial."""
        indices = list(indices)
        failed = bool(info.get("failed"))
        for i, (pending, trial) in enumerate(self._pending):
            if pending == indices:
                del self._pending[i]
                if failed:
                    self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
                else:
                    self.study.tell(trial, [float(info["accuracy"]), float(info["latency_ms"])])
                return
        if len(indices) != len(self.space.decisions):
            raise ValueError(f"observe() got {len(indices)} indices: expected {len(self.space.decisions)} "
                             "(one per decision)")
        if failed:
            return
        distributions = {d.name: optuna.distributions.IntDistribution(0, len(d.choices) - 1)
                         for d in self.space.decisions}
        params = {d.name: int(index) for d, index in zip(self.space.decisions, indices, strict=True)}
        self.study.add_trial(optuna.trial.create_trial(
            params=params, distributions=distributions,
            values=[float(info["accuracy"]), float(info["latency_ms"])],
        ))
