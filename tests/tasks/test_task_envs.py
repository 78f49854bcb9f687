"""The segmentation and text environments: registration, both env checkers, an episode, PPO/MaskablePPO runs."""

import json
import sys
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
import yaml
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import nasgym
from nasgym.envs_config import ENVS_DIR, load_env_config, make_env
from nasgym.hw import make_cost_model

ROOT = Path(__file__).resolve().parents[2]
TASK_ENVS = {"segmentation": "EdgeTPU-FashionMosaic-Segmentation", "text": "EdgeTPU-TweetSentiment-Text"}
SMALL = {  # small data and tiny budgets: an evaluation takes well under a second
    "segmentation": {"data": {"source": "digits", "train_size": 64, "val_size": 16, "test_size": 8}, "steps": 2,
                     "batch_size": 8, "bn_images": 16},
    "text": {"data": {"train_size": 200, "val_size": 50}, "steps": 2, "batch_size": 16, "embed_dim": 16,
             "bn_images": 32},
}


def _small_env(task: str, mode: str = "discrete") -> gym.Env:
    return make_env(TASK_ENVS[task], evaluator=SMALL[task], cache=None, action_mode=mode)


@pytest.mark.parametrize("task", list(TASK_ENVS))
def test_definitions_are_registered_in_every_action_mode(task):
    name = TASK_ENVS[task]
    for suffix in ("", "-MultiDiscrete", "-Box"):
        assert f"nasgym/{name}{suffix}-v0" in gym.envs.registry
    config = load_env_config(name)
    assert config.task == task and config.space == "proxy"
    assert config.cost["kind"] == "task" and config.cost["task"] == task
    assert config.evaluator["kind"] == "task" and config.evaluator["task"] == task
    assert config.path.parent == ENVS_DIR and task in config.path.name


@pytest.mark.parametrize("task", list(TASK_ENVS))
@pytest.mark.parametrize("mode", ["discrete", "multidiscrete", "box"])
def test_both_env_checkers_pass(task, mode):
    env = _small_env(task, mode)
    gym_check_env(env.unwrapped if mode == "discrete" else env, skip_render_check=True)
    sb3_check_env(env, warn=False)
    env.close()


@pytest.mark.parametrize("task", list(TASK_ENVS))
def test_an_episode_pays_the_task_quality_and_the_simulated_task_latency(task):
    env = _small_env(task)
    obs, _ = env.reset(seed=3)
    rng = np.random.default_rng(0)
    done, info, reward = False, {}, 0.0
    while not done:
        action = int(rng.choice(np.flatnonzero(env.unwrapped.action_masks())))
        obs, reward, done, _, info = env.step(action)
    arch = nasgym.Architecture.from_json(info["arch"])
    cost = make_cost_model({"kind": "task", "task": task, "hardware": "tensor-g1"}).evaluate(arch)
    assert info["latency_ms"] == pytest.approx(cost["latency_ms"]) and info["macs"] == cost["macs"]
    assert 0.0 <= info["accuracy"] <= 1.0 and reward == info["reward"]
    if task == "segmentation":
        assert info["miou"] == info["accuracy"] and "pixel_accuracy" in info
        assert cost["macs"] == nasgym.count(arch, 11, (512, 512, 3), task="segmentation").macs
    else:
        assert cost["macs"] == nasgym.count(arch, 3, (64, 1, 64), task="text").macs
    env.close()


@pytest.mark.slow
@pytest.mark.parametrize("task", list(TASK_ENVS))
@pytest.mark.parametrize("algo", ["ppo", "maskable_ppo"])
def test_train_py_runs_ppo_and_maskable_ppo(task, algo, tmp_path, monkeypatch):
    data = yaml.safe_load((ENVS_DIR / load_env_config(TASK_ENVS[task]).path.name).read_text())
    data["evaluator"].update(SMALL[task])
    data["cache"] = str(tmp_path / "cache.sqlite")
    definition = tmp_path / f"{task}.yaml"
    definition.write_text(yaml.safe_dump(data))
    hyper = tmp_path / "hyper.yaml"
    hyper.write_text(yaml.safe_dump({"n_steps": 32, "batch_size": 32, "n_epochs": 1}))
    monkeypatch.syspath_prepend(str(ROOT))
    sys.modules.pop("train", None)
    import train

    logdir = tmp_path / "run"
    code = train.main(["--env", str(definition), "--algo", algo, "--evaluations", "2", "--logdir", str(logdir),
                       "--hyperparams", str(hyper), "--references", "mobilenet_v2_1.0", "--no-progress",
                       "--no-tensorboard"])
    assert code == 0
    rows = (logdir / "evaluations.csv").read_text().strip().splitlines()
    assert len(rows) - 1 >= 2
    best = json.loads((logdir / "best.json").read_text())
    assert nasgym.Architecture.from_dict(best["arch"]).hash == best["arch_hash"]
    assert 0.0 <= best["accuracy"] <= 1.0 and best["latency_ms"] > 0 and not best["failed"]


def test_demo_offers_both_tasks(monkeypatch):
    import subprocess

    monkeypatch.syspath_prepend(str(ROOT))
    sys.modules.pop("train", None)
    import train

    for task, name in TASK_ENVS.items():
        assert train.DEMO_ENVS[task] == name
        assert load_env_config(name).id == name
    dry = subprocess.run(["make", "--no-print-directory", "-n", "demo", "TASK=text"], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    assert dry.stdout.strip().splitlines()[-1].endswith("train.py demo --task text")
