"""TD3 / DDPG exploration noise, written as rl-zoo3 writes it (noise_type, noise_std): checks, the SB3 object it
becomes, nasgym's defaults, and what it changes in a search (distinct architectures of a deterministic policy)."""

from __future__ import annotations

import csv
import json
import zipfile

import numpy as np
import pytest
from gymnasium.spaces import Box
from stable_baselines3.common.noise import NormalActionNoise, OrnsteinUhlenbeckActionNoise

from nasgym.search import RunConfig, run
from nasgym.search.action_noise import check_noise, with_action_noise
from nasgym.search.algos import check_hyperparams, resolve_algo, sb3_defaults
from nasgym.search.zoo import zoo_hyperparams

BOX = Box(-1.0, 1.0, (1,), np.float32)


@pytest.mark.parametrize(("algo", "hyper", "message"), [
    ("ppo", {"noise_std": 0.1}, "hyperparameter(s) ['noise_std'] are invalid for 'ppo': expected only for "
                                "algorithms that take action_noise (td3, ddpg, sac)"),
    ("td3", {"noise_type": "gauss", "noise_std": 0.1}, "hyperparameter noise_type='gauss' is invalid for 'td3': "
                                                       "expected one of normal, ornstein-uhlenbeck, none"),
    ("ddpg", {"noise_type": "normal", "noise_std": -1}, "hyperparameter noise_std=-1 is invalid for 'ddpg': "
                                                        "expected a positive number with noise_type='normal'"),
    ("td3", {"noise_type": "normal"}, "hyperparameter noise_std=None is invalid for 'td3': expected a positive "
                                      "number with noise_type='normal'"),
    ("td3", {"noise_std": True}, "hyperparameter noise_std=True is invalid for 'td3': expected a positive number "
                                 "with noise_type='normal'"),
])
def test_invalid_noise_names_the_value_and_what_was_expected(algo, hyper, message):
    with pytest.raises(ValueError) as error:
        check_hyperparams(resolve_algo(algo), hyper)
    assert str(error.value) == message


def test_valid_noise_passes_the_check_and_becomes_sb3s_object():
    check_hyperparams(resolve_algo("td3"), {"noise_type": "none"})
    check_hyperparams(resolve_algo("sac"), {"noise_type": "ornstein-uhlenbeck", "noise_std": 0.2, "tau": 0.01})
    check_noise("ddpg", {"noise_type": None}, takes_action_noise=True)
    normal = with_action_noise({"noise_type": "normal", "noise_std": 0.3, "tau": 0.01}, Box(-1, 1, (3,)))
    assert set(normal) == {"action_noise", "tau"} and isinstance(normal["action_noise"], NormalActionNoise)
    assert normal["action_noise"]._sigma.tolist() == [0.3] * 3 and normal["action_noise"]._mu.tolist() == [0.0] * 3
    ou = with_action_noise({"noise_type": "ornstein-uhlenbeck", "noise_std": 0.2}, BOX)["action_noise"]
    assert isinstance(ou, OrnsteinUhlenbeckActionNoise) and ou._sigma.tolist() == [0.2]
    assert with_action_noise({"noise_type": "none", "noise_std": 0.2}, BOX) == {}
    assert with_action_noise({"tau": 0.01}, BOX) == {"tau": 0.01}


def test_td3_and_ddpg_default_to_normal_noise_also_for_rl_zoo3():
    for algo in ("td3", "ddpg"):
        assert sb3_defaults(algo)["noise_type"] == "normal" and sb3_defaults(algo)["noise_std"] > 0
        assert zoo_hyperparams(algo)["default"]["noise_type"] == "normal"  # rl-zoo3's own keys
    assert "noise_type" not in sb3_defaults("sac")  # stochastic: explores by itself


def distinct_archs(logdir, last: int) -> int:
    with open(logdir / "evaluations.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return len({r["arch_string"] for r in rows[-last:]})


def test_noise_keeps_a_deterministic_policy_exploring(tmp_path):
    """TD3 without noise settles on one architecture (at seed 1 within 10 episodes; the tuning runs of
    benchmarks/action_noise.py within 20); with the default noise every later episode differs."""
    runs = {}
    for name, hyper in {"default": None, "none": {"noise_type": "none"}}.items():
        logdir = tmp_path / name
        run(RunConfig(env="nasgym/EdgeTPU-Surrogate-Box-v0", algo="td3", evaluations=40, seed=1, logdir=str(logdir),
                      references="none", progress=False, tensorboard=False, hyperparams=hyper))
        runs[name] = distinct_archs(logdir, 20)
        with zipfile.ZipFile(logdir / "model.zip") as archive:
            saved = json.loads(archive.read("data"))["action_noise"]
        assert (saved is not None and "NormalActionNoise" in saved[":type:"]) == (name == "default")
    assert runs["default"] == 20 and runs["none"] == 1
