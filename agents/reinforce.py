"""REINFORCE as in TuNAS (Bender et al. 2020): the controller of the paper's search.

One independent categorical distribution per decision with logits starting at zero (uniform), sampled under the
space's masks; the policy gradient uses an exponential-moving-average baseline (momentum 0.95) and Adam with
beta1 = 0. Optional: a warm-up delay (uniform sampling, no updates, for the first evaluations) and an entropy bonus.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from nasgym.agents.base import BlackBoxAgent
from nasgym.space.search_space import SearchSpace


class Reinforce(BlackBoxAgent):
    """TuNAS-style REINFORCE controller.

    Args:
        space: The search space.
        seed: Agent seed.
        learning_rate: Adam step size on the logits.
        baseline_momentum: EMA momentum of the reward baseline.
        warmup: Evaluations before the first update (the policy stays uniform meanwhile).
        entropy_weight: Weight of the entropy bonus (0 = none, the TuNAS default).
    """

    def __init__(
        self, space: SearchSpace, seed: int = 0, learning_rate: float = 0.05, baseline_momentum: float = 0.95,
        warmup: int = 0, entropy_weight: float = 0.0,
    ) -> None:
        super().__init__(space, seed)
        if not learning_rate > 0:
            raise ValueError(f"learning_rate={learning_rate!r} is invalid: expected > 0")
        if not 0 <= baseline_momentum < 1:
            raise ValueError(f"baseline_momentum={baseline_momentum!r} is invalid: expected in [0, 1)")
        if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
            raise ValueError(f"warmup={warmup!r} is invalid: expected an int >= 0")
        if entropy_weight < 0:
            raise ValueError(f"entropy_weight={entropy_weight!r} is invalid: expected >= 0")
        self.logits = torch.zeros(len(space.decisions), space.max_choices, requires_grad=True)
        self.optimizer = torch.optim.Adam([self.logits], lr=learning_rate, betas=(0.0, 0.999))
        self.baseline_momentum = baseline_momentum
        self.warmup = warmup
        self.entropy_weight = entropy_weight
        self.baseline: float | None = None
        self.observed = 0

    def _masked_logits(self, masks: np.ndarray) -> torch.Tensor:
        return self.logits.masked_fill(~torch.from_numpy(masks), float("-inf"))

    def propose(self) -> list[int]:
        cursor = self.space.cursor()
        with torch.no_grad():
            while not cursor.done:
                mask = cursor.mask()
                logits = self.logits[cursor.position, : len(mask)].numpy()
                weights = np.where(mask, np.exp(logits - logits[mask].max()), 0.0)
                cursor.choose(int(self.rng.choice(len(mask), p=weights / weights.sum())))
        return list(cursor.indices)

    def masks_of(self, indices: Sequence[int]) -> np.ndarray:
        """The (decisions x max_choices) masks met while choosing ``indices``."""
        masks = np.zeros(self.logits.shape, dtype=bool)
        cursor = self.space.cursor()
        for position, index in enumerate(indices):
            mask = cursor.mask()
            masks[position, : len(mask)] = mask
            cursor.choose(int(index))
        return masks

    def probabilities(self) -> list[np.ndarray]:
        """Current (unmasked) probabilities of each decision's choices."""
        with torch.no_grad():
            return [torch.softmax(self.logits[i, : len(d.choices)], 0).numpy()
                    for i, d in enumerate(self.space.decisions)]

    def observe(self, indices: Sequence[int], reward: float, info: dict) -> None:
        self.observed += 1
        reward = float(reward)
        if self.baseline is None:
            self.baseline = reward
        advantage = reward - self.baseline
        self.baseline = self.baseline_momentum * self.baseline + (1 - self.baseline_momentum) * reward
        if self.observed <= self.warmup:
            return
        log_probs = torch.log_softmax(self._masked_logits(self.masks_of(indices)), dim=1)
        chosen = log_probs[torch.arange(len(indices)), torch.as_tensor(list(indices))]
        loss = -advantage * chosen.sum()
        if self.entropy_weight:
            probs = log_probs.exp()
            entropy = -(probs * log_probs.nan_to_num(neginf=0.0)).sum()
            loss = loss - self.entropy_weight * entropy
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
