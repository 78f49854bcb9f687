"""Running a stable-baselines3 / sb3-contrib algorithm on nasgym: vectorized envs, logging, budget, resume."""

from __future__ import annotations

import argparse
import functools
import inspect
from pathlib import Path
from typing import Any

from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecEnv, VecEnvWrapper, VecMonitor

from nasgym.algos import AlgoSpec, check_hyperparams
from nasgym.envs_config import EnvConfig, make_env
from nasgym.logging import SearchLogger
from nasgym.wrappers import episode_length


class VecSearchLogger(VecEnvWrapper):
    """Hands each finished episode's ``info`` (from any sub-env, in this process) to a :class:`SearchLogger`."""

    def __init__(self, venv: VecEnv, logger: SearchLogger) -> None:
        super().__init__(venv)
        self.search_logger = logger

    def reset(self) -> Any:
        return self.venv.reset()

    def step_wait(self) -> Any:
        obs, rewards, dones, infos = self.venv.step_wait()
        for done, info in zip(dones, infos, strict=True):
            if done and "arch" in info:
                self.search_logger.record(info)
        return obs, rewards, dones, infos


class BudgetCallback(BaseCallback):
    """Progress bar over steps or evaluations; stops training once ``evaluations`` have been logged."""

    def __init__(self, logger: SearchLogger, evaluations: int | None, bar: Any) -> None:
        super().__init__()
        self.search_logger, self.evaluations, self.bar = logger, evaluations, bar
        self._seen = logger.n_evaluations

    def _on_step(self) -> bool:
        if self.evaluations is None:
            self.bar.update(self.training_env.num_envs)
            return True
        now = self.search_logger.n_evaluations
        self.bar.update(now - self._seen)
        self._seen = now
        return now < self.evaluations


def make_vec_env(config: EnvConfig, n_envs: int, seed: int) -> VecEnv:
    """``n_envs`` copies of the env (in subprocesses when more than one), seeded ``seed + i``."""
    fns = [functools.partial(make_env, config) for _ in range(n_envs)]
    venv = SubprocVecEnv(fns) if n_envs > 1 else DummyVecEnv(fns)
    venv.seed(seed)
    return venv


def run_sb3(algo: AlgoSpec, config: EnvConfig, hyper: dict, logger: SearchLogger, logdir: Path,
            budget_kind: str, budget: int, args: argparse.Namespace) -> None:
    """Train (or resume training) ``algo`` until the budget is spent; saves ``model.zip`` in ``logdir``."""
    from tqdm import tqdm

    venv = VecSearchLogger(VecMonitor(make_vec_env(config, args.n_envs, args.seed)), logger)
    model_path = logdir / "model.zip"
    hyper = dict(hyper)
    policy = hyper.pop("policy", "MlpPolicy")
    if model_path.exists():
        model = algo.cls.load(model_path, env=venv, device="cpu")
        buffer = logdir / "replay_buffer.pkl"
        if buffer.exists() and hasattr(model, "load_replay_buffer"):
            model.load_replay_buffer(buffer)
    else:
        check_hyperparams(algo, hyper)
        try:
            model = algo.cls(policy, venv, seed=args.seed, verbose=0, device="cpu",
                             tensorboard_log=None if args.no_tensorboard else str(logdir), **hyper)
        except TypeError as err:
            valid = sorted(inspect.signature(algo.cls.__init__).parameters)
            raise ValueError(f"hyperparameters {sorted(hyper)} are invalid for {algo.name!r}: {err}; "
                             f"valid arguments: {valid}") from err
        except AssertionError as err:  # SB3's check of the action space
            raise ValueError(f"algorithm {algo.name!r} cannot train on {config.gym_id()}: {err}") from err
    if budget_kind == "timesteps":
        steps, evaluations = budget - model.num_timesteps, None
        bar = tqdm(total=budget, initial=model.num_timesteps, unit=" steps", disable=args.no_progress)
    else:
        evaluations = budget
        remaining = budget - logger.n_evaluations
        # Every episode has exactly `length` steps; the callback stops at the budget.
        length = episode_length(make_env(config))
        steps = (remaining + args.n_envs) * length if remaining > 0 else 0
        bar = tqdm(total=budget, initial=logger.n_evaluations, unit=" evaluations", disable=args.no_progress)
    if steps > 0:
        try:
            model.learn(int(steps), callback=BudgetCallback(logger, evaluations, bar),
                        reset_num_timesteps=not model_path.exists(), tb_log_name="sb3")
        finally:
            model.save(model_path)
            if hasattr(model, "save_replay_buffer") and getattr(model, "replay_buffer", None) is not None:
                model.save_replay_buffer(logdir / "replay_buffer.pkl")
    bar.close()
    venv.close()
