"""Successive halving (Jamieson & Talwalkar 2016; the brackets of Hyperband, Li et al. 2018) over the fidelities of
the env's surrogate evaluator.

Brackets repeat: ``initial`` architectures sampled uniformly from the space are evaluated at the lowest fidelity, the
best ``1/eta`` of them (by reward, at least one) are evaluated at the next fidelity, and so on up to fidelity 1.0
(e.g. 36 at 0.25 -> 12 at 0.5 -> 4 at 1.0 for ``eta`` 3). Lower fidelities are the ``surrogate`` evaluator's
learning-curve points (:meth:`~nasgym.surrogate.evaluator.SurrogateEvaluator.at_fidelity`); their reward is the env's
reward of the env's simulated cost and that accuracy, at the env's evaluation seed.

**Budget.** An evaluation at fidelity f costs f full evaluations. Each ``propose()`` is one unit of the run's
budget (``--evaluations N`` = N full-evaluation equivalents): the agent adds 1 to its credit and runs the next
evaluations of its schedule while the credit covers them, so after k proposals it has spent k minus a carry smaller
than the next evaluation's cost (exactly k when the costs align, as with fidelities 1/4, 1/2, 1 and the default
rungs of 9 + 6 + 4 units). Evaluations below fidelity 1 run inside the agent; at most one full evaluation falls in a
unit, and it is what ``propose()`` returns, so the env evaluates (and logs) it and ``observe()`` brings its reward.

**What is logged** (one row per unit, all at full fidelity): the architecture evaluated at fidelity 1 in that unit;
in a unit spent on lower fidelities only, the agent's recommendation again (the best architecture evaluated at
fidelity 1 so far, a repeat that costs nothing new). Before the first full evaluation (the lower rungs of the first
bracket) the recommendation is the best architecture of the highest fidelity reached: its row is its full-fidelity
value, evaluated for the log only and never shown to the agent. So the running best reward of the log is the
full-fidelity reward of what the agent would report at each budget.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from nasgym.agents.base import BlackBoxAgent
from nasgym.space.search_space import SearchSpace


@dataclass
class Evaluation:
    """One evaluation of the schedule: bracket, rung, fidelity, architecture and (below fidelity 1) its reward."""

    bracket: int
    rung: int
    fidelity: float
    indices: list[int]
    reward: float | None = None


class SuccessiveHalving(BlackBoxAgent):
    """Successive halving brackets over the evaluator's fidelities (see the module docstring).

    Args:
        space: The search space.
        seed: Agent seed.
        eta: Promotion ratio: the best ``1/eta`` of a rung go on to the next fidelity.
        initial: Architectures per bracket at the lowest fidelity.
        fidelities: Increasing fractions of the training budget ending with 1.0 (``None``: all the env's
            evaluator supports, :attr:`~nasgym.surrogate.evaluator.SurrogateEvaluator.fidelities`).
    """

    def __init__(self, space: SearchSpace, seed: int = 0, eta: int = 3, initial: int = 36,
                 fidelities: Sequence[float] | None = None) -> None:
        super().__init__(space, seed)
        for name, value, least in (("eta", eta, 2), ("initial", initial, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ValueError(f"{name}={value!r} is invalid: expected an int >= {least}")
        if fidelities is not None:
            fidelities = _check_fidelities(fidelities)
        self.eta, self.initial, self.requested = eta, initial, fidelities
        self.fidelities: tuple[float, ...] = ()
        self.evaluations: list[Evaluation] = []  # every evaluation of the schedule, in order
        self.credit = Fraction(0)
        self.spent = Fraction(0)
        self._env: Any = None
        self._low: dict[float, Any] = {}
        self._queue: list[Evaluation] = []  # the current rung's evaluations still to run
        self._rung: list[Evaluation] = []  # the current rung's evaluations
        self._bracket = -1
        self._pending: Counter[tuple[int, ...]] = Counter()  # full evaluations proposed, not yet observed
        self._incumbent: tuple[float, list[int]] | None = None  # best (reward, indices) at fidelity 1
        self._best_low: dict[float, tuple[float, list[int]]] = {}  # best (reward, indices) per lower fidelity

    def bind(self, env: Any) -> None:
        """Take the fidelities from ``env``'s evaluator (``fidelities`` / ``at_fidelity``, the ``surrogate`` kind).

        Raises:
            ValueError: The evaluator has no fidelities, or fewer than two (one line).
        """
        if env is self._env:
            return
        evaluator = env.evaluator
        offered = getattr(evaluator, "fidelities", None)
        if offered is None or not callable(getattr(evaluator, "at_fidelity", None)):
            raise ValueError(f"agent successive_halving needs an evaluator with fidelities: expected kind 'surrogate' "
                             f"(with learning-curve points), got {evaluator!r}")
        own = getattr(getattr(evaluator, "config", None), "fidelity", 1.0)
        if own != 1.0:
            raise ValueError(f"agent successive_halving needs the env's evaluator at fidelity 1.0: got fidelity={own!r}"
                             " (the agent evaluates the lower fidelities itself)")
        chosen = self.requested or tuple(offered)
        if len(chosen) < 2:
            raise ValueError(f"agent successive_halving needs >= 2 fidelities: the env's evaluator offers "
                             f"{list(offered)} (its data has too few learning-curve points)")
        self._env, self.fidelities = env, tuple(chosen)
        self._low = {f: evaluator.at_fidelity(f) for f in chosen[:-1]}

    def propose(self) -> list[int]:
        if self._env is None:
            raise ValueError("agent successive_halving is not bound to an env: expected the runner to call "
                             "bind(env) before propose()")
        self.credit += 1
        full = None
        while Fraction(self._next().fidelity) <= self.credit:
            job = self._queue.pop(0)
            self.credit -= Fraction(job.fidelity)
            self.spent += Fraction(job.fidelity)
            self.evaluations.append(job)
            if job.fidelity < 1.0:
                job.reward = self._low_reward(job)
                best = self._best_low.get(job.fidelity)
                if best is None or job.reward > best[0]:
                    self._best_low[job.fidelity] = (job.reward, job.indices)
            else:
                full = job.indices
                self._pending[tuple(job.indices)] += 1
        return list(full) if full is not None else self.recommendation()

    def recommendation(self) -> list[int]:
        """The architecture the agent reports now: the best at fidelity 1, else the best of the highest fidelity
        evaluated so far."""
        if self._incumbent is not None:
            return list(self._incumbent[1])
        return list(self._best_low[max(self._best_low)][1])

    def observe(self, indices: Sequence[int], reward: float, info: dict) -> None:
        """Keep the reward of a full evaluation the agent paid for; a logged recommendation teaches nothing."""
        key = tuple(int(i) for i in indices)
        if self._pending[key] <= 0:
            return
        self._pending[key] -= 1
        if self._incumbent is None or float(reward) > self._incumbent[0]:
            self._incumbent = (float(reward), list(key))

    def rung_sizes(self) -> list[int]:
        """Evaluations per rung of a bracket: ``initial``, then ``1/eta`` of the previous rung (at least 1)."""
        sizes = [self.initial]
        for _ in self.fidelities[1:]:
            sizes.append(max(1, sizes[-1] // self.eta))
        return sizes

    def _next(self) -> Evaluation:
        """The next evaluation of the schedule (promoting a finished rung, or starting a bracket)."""
        if not self._queue:
            rung = self._rung[0].rung + 1 if self._rung else len(self.fidelities)
            if rung >= len(self.fidelities):
                self._bracket += 1
                picked = [self.space.sample_indices(self.rng) for _ in range(self.initial)]
                rung = 0
            else:
                ranked = sorted(self._rung, key=lambda e: -e.reward)  # stable: ties keep the earlier one
                picked = [e.indices for e in ranked[:self.rung_sizes()[rung]]]
            self._rung = [Evaluation(self._bracket, rung, self.fidelities[rung], list(p)) for p in picked]
            self._queue = list(self._rung)
        return self._queue[0]

    def _low_reward(self, job: Evaluation) -> float:
        """The env's reward of ``job``'s architecture with the accuracy at ``job.fidelity``."""
        env = self._env
        arch = self.space.decode(job.indices)
        metrics = self._low[job.fidelity].evaluate(arch, env.eval_seed)
        info = {**env.cost_of(arch), **{k: v for k, v in metrics.items() if isinstance(v, int | float)}}
        return float(env.reward_fn(info))


def _check_fidelities(fidelities: Sequence[float]) -> tuple[float, ...]:
    """``fidelities`` as a tuple, or a one-line error unless >= 2 increasing numbers in (0, 1] ending with 1.0."""
    values = tuple(fidelities) if isinstance(fidelities, list | tuple) else ()
    ok = len(values) >= 2 and all(isinstance(f, int | float) and not isinstance(f, bool) for f in values)
    if not ok or values[-1] != 1.0 or not all(0 < a < b for a, b in zip(values, values[1:], strict=False)):
        raise ValueError(f"fidelities={fidelities!r} is invalid: expected >= 2 increasing numbers in (0, 1] ending "
                         "with 1.0, e.g. [0.25, 0.5, 1.0]")
    return tuple(float(f) for f in values)
