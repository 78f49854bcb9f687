"""NasEnv: one episode builds one architecture, one categorical decision per step.

The environment composes a :class:`~nasgym.space.SearchSpace`, a cost model (``nasgym.hw``), a quality evaluator
(``nasgym.quality``, behind the persistent evaluation cache) and a reward object (:mod:`nasgym.rewards`).

- Action: ``Discrete(space.max_choices)``, the index of the next decision's choice. :meth:`NasEnv.action_masks`
  gives the valid ones (they depend on earlier choices). An index inside the action space but invalid for the
  current decision is canonicalized (:func:`~nasgym.space.canonical_action`: the nearest valid index, ties to the
  lower one), never an error; an action outside the action space raises ``ValueError``.
- Observation: flat float32 ``Box(0, 1)``, see :mod:`nasgym.observation`.
- Reward: 0 on intermediate steps; on the last step the reward object's value of (accuracy, latency, energy).
  The last step's ``info`` holds accuracy, latency_ms, energy_mj, params, macs, cache_hit, eval_seconds, reward,
  arch (the architecture's canonical JSON), arch_string (its one-line form), arch_hash and eval_seed.
- Seeding: the evaluation seed is ``eval_seed`` if given, else the seed of the latest ``reset(seed=...)`` (0 before
  any); the same architecture with the same evaluation seed gives the same metrics (and hits the cache).
- Cheap construction: the cost model, evaluator and cache are built on the first evaluation.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

from nasgym.observation import ObservationEncoder
from nasgym.rewards import Reward
from nasgym.space.architecture import Architecture
from nasgym.space.search_space import SearchSpace

_INT_KINDS = ("i", "u")
_MEMO_SIZE = 100_000


class NasEnv(gym.Env):
    """Hardware-aware NAS as a Gymnasium environment (see the module docstring for the semantics).

    Args:
        space: The search space.
        cost_model: A cost model object, or a spec dict for ``nasgym.hw.make_cost_model`` (built lazily).
        evaluator: A quality evaluator, or a spec dict for ``nasgym.quality.make_evaluator`` (built lazily).
        reward: The reward object.
        cache: Path of the SQLite evaluation cache shared by every env that names it; ``None`` keeps results in
            memory only.
        eval_seed: Fixed evaluation seed; ``None`` derives it from ``reset(seed=...)``.
        name: A readable name (the env definition's id).
        render_mode: ``None`` or ``"ansi"`` (text of the decisions so far).
    """

    metadata = {"render_modes": ["ansi"]}
    config: Any = None  # the EnvConfig it was made from, if any

    def __init__(
        self,
        space: SearchSpace,
        cost_model: Any,
        evaluator: Any,
        reward: Reward,
        cache: str | Path | None = None,
        eval_seed: int | None = None,
        name: str = "nasgym",
        render_mode: str | None = None,
    ) -> None:
        if render_mode not in (None, "ansi"):
            raise ValueError(f"render_mode={render_mode!r} is invalid: expected None or 'ansi'")
        if eval_seed is not None and (isinstance(eval_seed, bool) or not isinstance(eval_seed, int)):
            raise ValueError(f"eval_seed={eval_seed!r} is invalid: expected an int or None")
        self.space = space
        self.reward_fn = reward
        self.name = name
        self.render_mode = render_mode
        self.cache_path = None if cache is None else Path(cache)
        self._cost_source, self._evaluator_source = cost_model, evaluator
        self._cost_model: Any = None
        self._evaluator: Any = None
        self._cache: Any = None
        self._cost_memo: dict[str, dict] = {}  # arch hash -> cost figures (bounded, see evaluate)
        self._quality_memo: dict[tuple[Architecture, int], dict] = {}
        self.fixed_eval_seed = eval_seed
        self.eval_seed = 0 if eval_seed is None else eval_seed
        self.encoder = ObservationEncoder(space)
        self.num_decisions = len(space.decisions)
        self.action_space = gym.spaces.Discrete(space.max_choices)
        self.observation_space = gym.spaces.Box(0.0, 1.0, (self.encoder.size,), np.float32)
        self._padded: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._cursor: Any = None
        self._obs = np.zeros(self.encoder.size, dtype=np.float32)
        self._macs = 0.0
        self.last_info: dict = {}
        self._closed = False

    # ------------------------------------------------------------------ components
    @property
    def cost_model(self) -> Any:
        """The cost model (built from its spec on first use)."""
        if self._cost_model is None:
            source = self._cost_source
            if isinstance(source, dict):
                from nasgym.hw import make_cost_model

                source = make_cost_model(source)
            self._cost_model = source
        return self._cost_model

    @property
    def evaluator(self) -> Any:
        """The quality evaluator (built from its spec on first use)."""
        if self._evaluator is None:
            source = self._evaluator_source
            if isinstance(source, dict | str):
                from nasgym.quality import make_evaluator

                source = make_evaluator(source)
            self._evaluator = source
        return self._evaluator

    def _cached_quality(self) -> Callable[[Architecture, int], tuple[dict, bool]]:
        if self.cache_path is None:
            return self._memo_quality
        if self._cache is None:
            from nasgym.quality import CachedEvaluator, EvaluationCache

            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            self._cache = CachedEvaluator(self.evaluator, EvaluationCache(self.cache_path))
        return self._cache.evaluate

    def _memo_quality(self, arch: Architecture, seed: int) -> tuple[dict, bool]:
        key = (arch, seed)
        if key in self._quality_memo:
            return self._quality_memo[key], True
        metrics = dict(self.evaluator.evaluate(arch, seed))
        self._quality_memo[key] = metrics
        return metrics, False

    # ------------------------------------------------------------------- episode
    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        """Start a new architecture; ``seed`` also sets the evaluation seed unless ``eval_seed`` is fixed."""
        super().reset(seed=seed)
        if seed is not None and self.fixed_eval_seed is None:
            self.eval_seed = int(seed)
        self._closed = False
        self._cursor = self.space.cursor()
        self._obs, self._macs = self.encoder.reset()
        return self._obs.copy(), {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        """Make the next decision (see the module docstring for how actions are checked)."""
        cursor = self._cursor
        if cursor is None or cursor.done:
            raise RuntimeError("step() called before reset() or after the episode ended: call reset() first")
        index = self.check_action(action)
        position = len(cursor.indices)
        index = cursor.choose(index, canonicalize=True)
        self._macs = self.encoder.update(self._obs, position, index, cursor.values, self._macs)
        if len(cursor.indices) < self.num_decisions:
            return self._obs.copy(), 0.0, False, False, {}
        info = self.evaluate(cursor.architecture())
        return self._obs.copy(), info["reward"], True, False, info

    def check_action(self, action: Any) -> int:
        """The integer index of a canonical-mode action; ``ValueError`` if it is outside the action space."""
        if isinstance(action, int | np.integer) and not isinstance(action, bool | np.bool_):
            index = int(action)
        elif isinstance(action, np.ndarray) and action.dtype.kind in _INT_KINDS and action.size == 1 \
                and action.ndim <= 1:
            index = int(action.reshape(()))
        else:
            raise ValueError(f"action {action!r} is invalid: expected an integer in [0, {self.action_space.n - 1}] "
                             "(a Python/numpy int or a one-element integer array)")
        if not 0 <= index < self.action_space.n:
            raise ValueError(f"action {index} is out of range: expected an integer in "
                             f"[0, {self.action_space.n - 1}] (Discrete({self.action_space.n}))")
        return index

    def action_masks(self) -> np.ndarray:
        """Valid actions of the next decision, a bool array of length ``max_choices`` (all False when done)."""
        cursor = self._cursor
        if cursor is None or cursor.done:
            return np.zeros(self.action_space.n, dtype=bool)
        mask = cursor.mask()
        entry = self._padded.get(id(mask))
        if entry is None or entry[0] is not mask:
            padded = np.zeros(self.action_space.n, dtype=bool)
            padded[: len(mask)] = mask
            entry = (mask, padded)
            self._padded[id(mask)] = entry
        return entry[1].copy()

    @property
    def cursor(self) -> Any:
        """The current episode's :class:`~nasgym.space.SpaceCursor` (``None`` before the first reset)."""
        return self._cursor

    # ---------------------------------------------------------------- evaluation
    def evaluate(self, arch: Architecture) -> dict:
        """Cost, quality and reward of ``arch`` (what the last step returns as ``info``)."""
        self.cost_of(arch)  # first: a cost model error surfaces before the (expensive) quality evaluation
        with _autograd_on():  # agents may step the env under torch.no_grad() (ARS does); evaluators train
            metrics, hit = self._cached_quality()(arch, self.eval_seed)
        return self.finish(arch, metrics, hit)

    def cost_of(self, arch: Architecture) -> dict:
        """The cost model's scalar figures of ``arch`` (memoized per architecture)."""
        cost = self._cost_memo.get(arch.hash)
        if cost is None:
            cost = {k: v for k, v in self.cost_model.evaluate(arch).items() if _scalar(v)}
            if len(self._cost_memo) >= _MEMO_SIZE:
                self._cost_memo.clear()
            self._cost_memo[arch.hash] = cost
        return cost

    def finish(self, arch: Architecture, metrics: dict, hit: bool) -> dict:
        """The ``info`` of ``arch`` given its quality ``metrics`` for the current evaluation seed (computed here or
        elsewhere, e.g. by a parallel executor): cost figures, metrics, ``cache_hit`` and the reward."""
        info: dict = dict(self.cost_of(arch))
        info.update({k: v for k, v in metrics.items() if _scalar(v) or k == "failed"})
        info.setdefault("eval_seconds", 0.0)
        info["cache_hit"] = bool(hit)
        info["reward"] = float(self.reward_fn(info))
        info["arch"] = arch.to_json()
        info["arch_hash"] = arch.hash
        info["arch_string"] = arch.to_string()
        info["eval_seed"] = self.eval_seed
        self.last_info = info
        return info

    # -------------------------------------------------------------------- misc
    def render(self) -> str | None:
        """Text of the decisions made so far (render_mode ``"ansi"``)."""
        if self.render_mode != "ansi":
            return None
        cursor = self._cursor
        if cursor is None:
            return "(not reset)"
        made = [f"{d.name}={d.choices[i]}" for d, i in zip(self.space.decisions, cursor.indices, strict=False)]
        return f"{len(made)}/{self.num_decisions} decisions: " + ", ".join(made)

    def close(self) -> None:
        """Release the evaluation cache and the components built from specs; safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        owned = [getattr(self._cache, "cache", None)]
        owned += [self._evaluator] if isinstance(self._evaluator_source, dict | str) else []
        owned += [self._cost_model] if isinstance(self._cost_source, dict) else []
        for obj in owned:
            closer = getattr(obj, "close", None)
            if callable(closer):
                closer()
        self._cache = None
        if isinstance(self._evaluator_source, dict | str):
            self._evaluator = None

    def __repr__(self) -> str:
        return (f"NasEnv({self.name!r}, space={self.space.name!r}, {self.num_decisions} decisions, "
                f"reward={self.reward_fn.kind})")


def _autograd_on() -> Any:
    """``torch.enable_grad()`` when torch is loaded (evaluators import it), else a no-op context."""
    torch = sys.modules.get("torch")
    return torch.enable_grad() if torch is not None else contextlib.nullcontext()


def _scalar(value: Any) -> bool:
    return isinstance(value, int | float | bool | np.integer | np.floating)
