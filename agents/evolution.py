"""Regularized (aging) evolution, Real et al. 2019: tournament selection, one-decision mutation, oldest dies."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np

from nasgym.agents.base import BlackBoxAgent
from nasgym.space.search_space import SearchSpace


class RegularizedEvolution(BlackBoxAgent):
    """Aging evolution.

    Args:
        space: The search space.
        seed: Agent seed.
        population_size: Individuals kept (the oldest is removed when a child is added).
        sample_size: Tournament size: the best of this many random members is the parent.
        mutations: Decisions changed per child (each to a different valid choice).
    """

    def __init__(
        self, space: SearchSpace, seed: int = 0, population_size: int = 20, sample_size: int = 5, mutations: int = 1
    ) -> None:
        super().__init__(space, seed)
        for name, value in (("population_size", population_size), ("sample_size", sample_size),
                            ("mutations", mutations)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}={value!r} is invalid: expected a positive int")
        if sample_size > population_size:
            raise ValueError(f"sample_size={sample_size} is invalid: expected <= population_size={population_size}")
        self.population_size = population_size
        self.sample_size = sample_size
        self.mutations = mutations
        self.population: deque[tuple[list[int], float]] = deque()

    def propose(self) -> list[int]:
        if len(self.population) < self.population_size:
            return self.space.sample_indices(self.rng)
        members = [self.population[i] for i in self.rng.choice(len(self.population), self.sample_size, False)]
        parent = max(members, key=lambda member: member[1])[0]
        return self.mutate(parent)

    def mutate(self, parent: Sequence[int]) -> list[int]:
        """A child differing from ``parent`` in ``mutations`` decisions (later ones repaired if needed)."""
        child = list(parent)
        for _ in range(self.mutations):
            cursor = self.space.cursor()
            candidates = []
            for position, index in enumerate(child):
                if np.count_nonzero(cursor.mask()) > 1:
                    candidates.append(position)
                cursor.choose(index, canonicalize=True)
            if not candidates:
                break
            position = int(self.rng.choice(candidates))
            cursor = self.space.cursor()
            for index in child[:position]:
                cursor.choose(index)
            valid = [i for i in np.flatnonzero(cursor.mask()) if i != child[position]]
            child[position] = int(self.rng.choice(valid))
            child = self.repair(child)
        return child

    def observe(self, indices: Sequence[int], reward: float, info: dict) -> None:
        self.population.append((list(indices), float(reward)))
        if len(self.population) > self.population_size:
            self.population.popleft()
