"""Action-mode adapters over the canonical per-decision :class:`~nasgym.env.NasEnv`.

- ``discrete`` (canonical, no wrapper): ``Discrete(max_choices)`` per decision, with ``action_masks()``.
- ``multidiscrete`` (:class:`MultiDiscreteActions`): one step per block. The decisions are grouped into
  consecutive units: each block's own decisions (op, kernel, expansion, group size), with a stage's width joining
  its first block that has decisions, the stem's decisions joining the first unit and the head's the last one. The
  action is ``MultiDiscrete([max_choices] * L)`` (``L`` the largest unit); entry ``j`` is the index for the unit's
  ``j``-th decision, entries past the unit's length are ignored, invalid indices are canonicalized in order.
- ``box`` (:class:`BoxActions`): ``Box(-1, 1, (1,))`` per decision for SAC/TD3/DDPG. The value picks among the
  currently *valid* choices: ``a`` in ``[-1, 1]`` maps to valid choice ``floor((a + 1) / 2 * n_valid)`` (the top
  edge to the last one), so every action in the box is valid.

The observation, reward and ``info`` are the wrapped env's (for multi-decision steps, those of the last decision).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from nasgym.env import NasEnv

ACTION_MODES = ("discrete", "multidiscrete", "box")


def decision_units(env: NasEnv) -> list[tuple[int, int]]:
    """``(start, stop)`` position ranges of the per-block units (see the module docstring)."""
    starts = []
    has_block = False
    current_block = None
    for i, d in enumerate(env.space.decisions):
        if d.block is not None:
            if has_block and (d.stage, d.block) != current_block:
                starts.append(i)
            has_block, current_block = True, (d.stage, d.block)
        elif d.kind == "width" and has_block:
            starts.append(i)
            has_block, current_block = False, None
    bounds = [0, *starts, len(env.space.decisions)]
    return [(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


class MultiDiscreteActions(gym.Wrapper):
    """One step per block: a ``MultiDiscrete`` vector fills all decisions of a unit (see the module docstring)."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.nas: NasEnv = env.unwrapped
        self.units = decision_units(self.nas)
        self.width = max(b - a for a, b in self.units)
        self.max_choices = int(self.nas.action_space.n)
        self.action_space = gym.spaces.MultiDiscrete(np.full(self.width, self.max_choices, dtype=np.int64))
        self._unit = 0

    def reset(self, **kwargs: Any) -> tuple[np.ndarray, dict]:
        self._unit = 0
        return self.env.reset(**kwargs)

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        values = self.check_action(action)
        if self._unit >= len(self.units):
            raise RuntimeError("step() called after the episode ended: call reset() first")
        start, stop = self.units[self._unit]
        self._unit += 1
        result = None
        for j in range(stop - start):
            result = self.env.step(int(values[j]))
        return result

    def check_action(self, action: Any) -> np.ndarray:
        """The action as an int array; ``ValueError`` if its shape, type or range is wrong."""
        arr = np.asarray(action)
        if arr.shape != (self.width,) or arr.dtype.kind not in ("i", "u"):
            raise ValueError(f"action {action!r} is invalid: expected an integer array of shape ({self.width},) "
                             f"with entries in [0, {self.max_choices - 1}]")
        bad = np.flatnonzero((arr < 0) | (arr >= self.max_choices))
        if bad.size:
            raise ValueError(f"action {arr.tolist()} is out of range at entry {int(bad[0])} "
                             f"(value {int(arr[bad[0]])}): expected entries in [0, {self.max_choices - 1}]")
        return arr

    def action_masks(self) -> np.ndarray:
        """MaskablePPO-style masks (``width * max_choices`` bools): entry 0's exact mask, the rest all valid.

        Later entries depend on entry 0's choice, so they are left open and canonicalized in ``step``.
        """
        masks = np.ones((self.width, self.max_choices), dtype=bool)
        masks[0] = self.nas.action_masks()
        return masks.reshape(-1)

    @property
    def episode_length(self) -> int:
        """Steps per episode in this mode."""
        return len(self.units)


class BoxActions(gym.Wrapper):
    """One decision per step from a continuous ``Box(-1, 1, (1,))`` value (see the module docstring)."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.nas: NasEnv = env.unwrapped
        self.action_space = gym.spaces.Box(-1.0, 1.0, (1,), np.float32)
        self._valid: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        value = self.check_action(action)
        cursor = self.nas.cursor
        if cursor is None or cursor.done:
            raise RuntimeError("step() called before reset() or after the episode ended: call reset() first")
        mask = cursor.mask()
        entry = self._valid.get(id(mask))
        if entry is None or entry[0] is not mask:
            entry = (mask, np.flatnonzero(mask))
            self._valid[id(mask)] = entry
        valid = entry[1]
        k = min(int((value + 1.0) * 0.5 * len(valid)), len(valid) - 1)
        return self.env.step(int(valid[k]))

    def check_action(self, action: Any) -> float:
        """The action as a float; ``ValueError`` if its shape is wrong, it is not finite or outside [-1, 1]."""
        arr = np.asarray(action)
        if arr.size != 1 or arr.ndim > 1 or arr.dtype.kind not in ("f", "i", "u"):
            raise ValueError(f"action {action!r} is invalid: expected a float array of shape (1,) in [-1, 1]")
        value = float(arr.reshape(()))
        if not -1.0 <= value <= 1.0:  # also rejects NaN
            raise ValueError(f"action {value!r} is out of range: expected a float in [-1, 1] (Box(-1, 1, (1,)))")
        return value


def wrap_action_mode(env: NasEnv, mode: str) -> gym.Env:
    """``env`` in action mode ``mode`` (one of :data:`ACTION_MODES`)."""
    if mode == "discrete":
        return env
    if mode == "multidiscrete":
        return MultiDiscreteActions(env)
    if mode == "box":
        return BoxActions(env)
    raise ValueError(f"action mode {mode!r} is invalid: expected one of {', '.join(ACTION_MODES)}")


def episode_length(env: gym.Env) -> int:
    """Steps per episode of ``env`` in its action mode."""
    inner = env
    while isinstance(inner, gym.Wrapper):
        if isinstance(inner, MultiDiscreteActions):
            return inner.episode_length
        inner = inner.env
    return inner.unwrapped.num_decisions
