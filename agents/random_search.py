"""Random search: every decision uniform over its valid choices. The baseline every NAS method must beat."""

from __future__ import annotations

from collections.abc import Sequence

from nasgym.agents.base import BlackBoxAgent


class RandomSearch(BlackBoxAgent):
    """Uniform sampling of the search space (no learning)."""

    def propose(self) -> list[int]:
        return self.space.sample_indices(self.rng)

    def observe(self, indices: Sequence[int], reward: float, info: dict) -> None:
        """Random search ignores results."""
