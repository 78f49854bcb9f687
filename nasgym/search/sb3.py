"""Running a stable-baselines3 / sb3-contrib algorithm on nasgym: vectorized envs, logging, exact budgets, resume.

Guarantees (tested in ``tests/reliability``):

- **Exact budgets.** ``--evaluations N`` logs exactly N evaluations, also with ``--n-envs K`` (the K sub-envs
  finish their episodes together; near the budget the surplus ones end their episode without an evaluation, see
  :class:`EpisodeRecorder`) and with ARS (whose population is evaluated past the callback's stop signal).
  ``--timesteps T`` stops after exactly T environment steps.
- **Resume = uninterrupted.** A run killed at any moment (``kill -9`` included) and rerun with the same command
  logs the same architectures in the same order as a run that was never interrupted: it restarts from the last
  checkpoint (:mod:`nasgym.search.checkpoint`; from the seed's initial state if there is none) and re-derives the
  evaluations logged after it. Those are cache hits, and the rows already on file are re-admitted rather than
  logged or counted twice (:meth:`nasgym.search.recorder.SearchLogger.begin_replay`). The last checkpoint is never more
  than ``checkpoint_every`` evaluations plus one learn-loop iteration old.
- A larger budget continues the run from its last checkpoint in the same way (no repeated architectures). The
  re-derived evaluations equal the logged ones unless the algorithm's schedules depend on the total budget (DQN's
  exploration rate): then the log is cut at the first difference and continued by the run (a warning says where).

``model.zip`` in the log folder is the final policy, written (atomically) when the budget is reached.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecEnv, VecEnvWrapper, VecMonitor

from nasgym.envs_config import EnvConfig, make_env
from nasgym.files import atomic_path
from nasgym.search.action_noise import with_action_noise
from nasgym.search.algos import AlgoSpec, check_hyperparams
from nasgym.search.blackbox import progress_bar
from nasgym.search.checkpoint import HOOKS, Checkpointer
from nasgym.search.recorder import SearchLogger
from nasgym.wrappers import episode_length

if TYPE_CHECKING:
    from nasgym.search.runner import RunConfig

_log = logging.getLogger(__name__)


class EpisodeRecorder(gym.Wrapper):
    """The outermost wrapper of each sub-env: records the actions of the current episode (so a checkpoint can
    rebuild it with :meth:`replay`) and holds the budget gate: while closed, the episode's last step returns
    ``terminated`` with reward 0 and ``info = {"budget_skipped": True}`` instead of evaluating the architecture."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.length = episode_length(env)
        self.gate_open = True
        self._actions: list[dict] = []
        self._obs: Any = None

    def reset(self, **kwargs: Any) -> tuple[Any, dict]:
        self._actions = []
        self._obs, info = self.env.reset(**kwargs)
        return self._obs, info

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict]:
        if not self.gate_open and self.finishes_next():
            self._actions = []
            return self._obs, 0.0, True, False, {"budget_skipped": True}
        arr = np.asarray(action)
        self._actions.append({"dtype": str(arr.dtype), "value": arr.tolist()})
        self._obs, reward, terminated, truncated, info = self.env.step(action)
        return self._obs, reward, terminated, truncated, info

    def finishes_next(self) -> bool:
        """Whether the next step ends the episode (and evaluates an architecture)."""
        return len(self._actions) == self.length - 1

    def set_gate(self, open_: bool) -> None:
        """Open or close the budget gate (see the class docstring)."""
        self.gate_open = bool(open_)

    def episode_actions(self) -> list[dict]:
        """The actions of the current episode (JSON data)."""
        return list(self._actions)

    def replay(self, actions: list[dict]) -> Any:
        """Step ``actions`` (from :meth:`episode_actions`, never a whole episode) on a freshly reset env; returns
        the observation after the last one."""
        if len(actions) >= self.length:
            raise ValueError(f"{len(actions)} actions to replay: expected fewer than an episode ({self.length})")
        obs = self._obs
        for action in actions:
            obs = self.step(np.asarray(action["value"], dtype=action["dtype"]))[0]
        return obs


class VecSearchLogger(VecEnvWrapper):
    """Hands each finished episode's ``info`` (from any sub-env, in this process) to a :class:`SearchLogger`, and
    closes the budget gate of sub-envs whose evaluation would exceed ``evaluations``."""

    def __init__(self, venv: VecEnv, logger: SearchLogger, evaluations: int | None = None) -> None:
        super().__init__(venv)
        self.search_logger, self.evaluations = logger, evaluations

    def reset(self) -> Any:
        return self.venv.reset()

    def step_async(self, actions: np.ndarray) -> None:
        if self.evaluations is not None:
            remaining = self.evaluations - self.search_logger.n_evaluations
            if remaining < self.num_envs:  # only near the budget: one round trip per sub-env
                allowed = max(remaining, 0)
                for i, finishing in enumerate(self.venv.env_method("finishes_next")):
                    self.venv.env_method("set_gate", allowed > 0 or not finishing, indices=[i])
                    allowed -= int(finishing)
        self.venv.step_async(actions)

    def step_wait(self) -> Any:
        obs, rewards, dones, infos = self.venv.step_wait()
        for done, info in zip(dones, infos, strict=True):
            if done and "arch" in info:
                self.search_logger.record(info)
        return obs, rewards, dones, infos


class BudgetCallback(BaseCallback):
    """Progress bar; stops training at ``evaluations`` logged evaluations or ``timesteps`` steps."""

    def __init__(self, logger: SearchLogger, evaluations: int | None, timesteps: int | None, bar: Any) -> None:
        super().__init__()
        self.search_logger, self.evaluations, self.timesteps, self.bar = logger, evaluations, timesteps, bar

    def _on_step(self) -> bool:
        if self.timesteps is not None:
            self.bar.update(self.model.num_timesteps - self.bar.n)
            return self.model.num_timesteps < self.timesteps
        self.bar.update(self.search_logger.n_evaluations - self.bar.n)
        return self.search_logger.n_evaluations < self.evaluations


def _recorded_env(config: EnvConfig) -> gym.Env:
    return EpisodeRecorder(make_env(config))


def make_vec_env(config: EnvConfig, n_envs: int, seed: int) -> VecEnv:
    """``n_envs`` copies of the env (in subprocesses when more than one), seeded ``seed + i``."""
    fns = [functools.partial(_recorded_env, config) for _ in range(n_envs)]
    venv = SubprocVecEnv(fns) if n_envs > 1 else DummyVecEnv(fns)
    venv.seed(seed)
    return venv


def learn_total(budget_kind: str, budget: int, n_envs: int, length: int) -> int:
    """``total_timesteps`` of the learn call: the same for every (re)start of a run with this budget, so progress
    schedules match; for evaluation budgets one episode per sub-env beyond the budget (the callback stops first)."""
    return budget if budget_kind == "timesteps" else (budget + n_envs) * length


def _new_model(algo: AlgoSpec, config: EnvConfig, hyper: dict, venv: VecEnv, seed: int, logdir: Path,
               tensorboard: bool) -> Any:
    hyper = dict(hyper)
    policy = hyper.pop("policy", "MlpPolicy")
    check_hyperparams(algo, hyper)
    hyper = with_action_noise(hyper, venv.action_space)
    try:
        return algo.cls(policy, venv, seed=seed, verbose=0, device="cpu",
                        tensorboard_log=str(logdir) if tensorboard else None, **hyper)
    except (TypeError, ValueError) as err:
        raise ValueError(f"hyperparameters {hyper} are invalid for {algo.name!r}: {err}") from None
    except AssertionError as err:  # SB3's check of the action space
        raise ValueError(f"algorithm {algo.name!r} cannot train on {config.gym_id()}: {err}") from None


def run_sb3(algo: AlgoSpec, config: EnvConfig, hyper: dict, logger: SearchLogger, logdir: Path,
            budget_kind: str, budget: int, run: RunConfig) -> None:
    """Train (or resume) ``algo`` until the budget is spent (see the module docstring); ``run`` gives the seed,
    sub-env count, checkpoint interval and output switches."""
    evaluations = budget if budget_kind == "evaluations" else None
    if evaluations is not None and logger.n_evaluations >= budget and (logdir / "model.zip").exists():
        return  # already done
    venv = VecSearchLogger(VecMonitor(make_vec_env(config, run.n_envs, run.seed)), logger, evaluations)
    try:
        model = _restore_or_create(algo, config, hyper, logger, logdir, venv, run)
        total = learn_total(budget_kind, budget, run.n_envs, venv.get_attr("length")[0])
        start = logger.n_evaluations if evaluations is not None else model.num_timesteps
        bar = progress_bar(budget, "evaluations" if evaluations else "steps", not run.progress, min(start, budget))
        if total > model.num_timesteps and (evaluations is None or logger.n_evaluations < budget):
            callback = BudgetCallback(logger, evaluations, None if evaluations is not None else budget, bar)
            model.learn(total - model.num_timesteps, callback=callback, reset_num_timesteps=model.num_timesteps == 0,
                        tb_log_name="sb3")
        bar.close()
        _save_final(model, logdir / "model.zip")
    finally:
        venv.close()


def _restore_or_create(algo: AlgoSpec, config: EnvConfig, hyper: dict, logger: SearchLogger, logdir: Path,
                       venv: VecEnv, run: RunConfig) -> Any:
    """The model at the last usable checkpoint (the logger set to re-derive what follows it), else a new one."""
    checkpointer = Checkpointer(logdir, run.checkpoint_every, logger, venv)
    state = checkpointer.load_state()
    if checkpointer.problem:
        _log.warning(f"checkpoint not used: {checkpointer.problem}; restarting from the seed and re-deriving the "
                     "logged evaluations")
    model = None
    if state is not None:
        try:
            model = checkpointer.restore(algo.cls, state)
        except Exception as err:  # noqa: BLE001 - any unusable checkpoint: starting over is always exact
            _log.warning(f"checkpoint {state.directory} not used ({type(err).__name__}: {err}); restarting from "
                         "the seed and re-deriving the logged evaluations")
    logger.begin_replay(state.evaluations if model is not None else 0)
    if model is None:
        model = _new_model(algo, config, hyper, venv, run.seed, logdir, run.tensorboard)
    checkpointer.install(model)
    return model


def _save_final(model: Any, path: Path) -> None:
    with atomic_path(path, suffix=".zip") as tmp:  # SB3 appends .zip to any other name
        model.save(tmp, exclude=list(HOOKS))


__all__ = ["BudgetCallback", "EpisodeRecorder", "VecSearchLogger", "learn_total", "make_vec_env", "run_sb3"]
