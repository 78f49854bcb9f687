"""The committed nasgym-Bench data: it belongs to the current `default`, and `EdgeTPU-Surrogate-v0` runs on it."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import nasgym
from nasgym.agents import AGENTS
from nasgym.quality import make_evaluator
from nasgym.search.blackbox import run_blackbox
from nasgym.surrogate.dataset import data_path, load_table
from nasgym.surrogate.evaluator import MIN_ARCHS


@pytest.fixture(scope="module")
def table():
    fingerprint = make_evaluator("default").fingerprint
    path = data_path(fingerprint)
    assert path.is_file(), f"no surrogate data of the default {fingerprint}: run benchmarks/surrogate_data.py"
    return load_table(path, fingerprint)


def test_the_data_is_of_the_default_with_curve_points(table):
    assert int(table.complete(2).sum()) >= MIN_ARCHS
    space = nasgym.load_space("proxy")
    assert all(space.contains(arch) for arch in table.archs)
    assert set(table.sources) <= {"study", "run", "random"}
    measured = np.isfinite(table.accuracy)
    assert table.curve_steps == (25, 50) and np.isfinite(table.curve[measured]).all()  # every row has both points
    assert 0.0 < table.seed_std() < 0.01 and 0.8 < float(np.mean(table.mean)) < 0.9


def test_surrogate_env_predicts_within_the_measured_range(table):
    env = gym.make("nasgym/EdgeTPU-Surrogate-v0")
    nas = env.unwrapped
    low, high = float(table.mean.min()), float(table.mean.max())
    spread = high - low
    for seed in range(5):
        env.reset(seed=seed)
        rng = np.random.default_rng(seed)
        info: dict = {}
        terminated = False
        while not terminated:
            _, reward, terminated, _, info = env.step(int(rng.choice(np.flatnonzero(nas.action_masks()))))
        assert low - 0.5 * spread <= info["accuracy"] <= high + 0.5 * spread
        assert info["latency_ms"] > 0 and np.isfinite(reward)
    env.close()


def test_reinforce_learns_on_the_surrogate_env(table):
    env = gym.make("nasgym/EdgeTPU-Surrogate-v0")
    rewards: list[float] = []
    agent = AGENTS.get("reinforce")(env.unwrapped.space, seed=0)
    run_blackbox(env, agent, 300, on_episode=lambda info: rewards.append(info["reward"]), seed=0)
    env.close()
    assert np.mean(rewards[-60:]) > np.mean(rewards[:60]) + 0.01
