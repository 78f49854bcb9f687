"""NasEnv: observation layout, masks and canonicalization, action checks, terminal info, seeding, cache, ids."""

import json
import subprocess
import sys
import warnings
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
import yaml
from gymnasium.utils.env_checker import check_env as gym_check_env
from nasgym_fakes import FakeEvaluator
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import nasgym
from nasgym.envs_config import ENVS_DIR, env_ids, load_env_config, make_env
from nasgym.model.lowering import layer_macs, lower
from nasgym.quality import make_evaluator
from nasgym.rewards import make_reward
from nasgym.space.search_space import canonical_action

ROOT = Path(__file__).resolve().parents[1]
REWARD = {"kind": "mnas", "target_latency_ms": 0.06}  # the fake_env fixture's reward


def run_episode(env: gym.Env, actions) -> tuple[list, float, dict]:
    observations, reward, info = [], 0.0, {}
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action)
        observations.append(obs)
        assert not truncated
        if terminated:
            break
    return observations, reward, info


def test_spaces_and_reset_observation(fake_env):
    env = fake_env()
    d, c = len(env.space.decisions), env.space.max_choices
    assert env.action_space == gym.spaces.Discrete(c)
    assert env.observation_space.shape == (d * c + d + 2,) and env.observation_space.dtype == np.float32
    obs, info = env.reset(seed=0)
    assert info == {} and obs.dtype == np.float32 and env.observation_space.contains(obs)
    assert obs[: d * c].sum() == 0 and obs[d * c] == 1.0 and obs[d * c + 1: d * c + d + 1].sum() == 0
    assert 0.0 < obs[-1] < 1.0  # the stem's MACs are fixed in the proxy space


def test_observation_tracks_choices_and_partial_macs(fake_env):
    env = fake_env()
    d, c = len(env.space.decisions), env.space.max_choices
    env.reset(seed=0)
    rng = np.random.default_rng(1)
    previous_cost = 0.0
    for position in range(d):
        action = int(rng.choice(np.flatnonzero(env.action_masks())))
        obs, reward, terminated, _, info = env.step(action)
        assert obs[position * c + action] == 1.0
        assert obs[: d * c].sum() == position + 1
        assert obs[d * c + position + 1] == 1.0 and obs[d * c: d * c + d + 1].sum() == 1.0
        assert obs[-1] >= previous_cost
        previous_cost = obs[-1]
        assert terminated == (position == d - 1)
        if not terminated:
            assert reward == 0.0 and info == {}
    arch = nasgym.Architecture.from_json(info["arch"])
    expected = sum(layer_macs(layer) for layer in lower(arch) if layer["op"] != "fc")
    assert env._macs == expected
    assert obs[-1] == pytest.approx(expected / (expected + env.encoder.macs_scale))


def test_action_masks_match_the_cursor_and_invalid_actions_are_canonicalized(fake_env):
    env = fake_env()
    env.reset(seed=0)
    canonicalized = 0
    for step in range(len(env.space.decisions)):
        cursor_mask = env.cursor.mask()
        mask = env.action_masks()
        assert mask.shape == (env.space.max_choices,) and mask.dtype == bool
        assert np.array_equal(mask[: len(cursor_mask)], cursor_mask) and not mask[len(cursor_mask):].any()
        action = (step * 3) % env.space.max_choices  # often invalid
        expected = canonical_action(cursor_mask, action)
        canonicalized += expected != action
        env.step(action)
        assert env.cursor.indices[-1] == expected
    assert canonicalized > 0
    assert not env.action_masks().any()  # done: nothing valid


@pytest.mark.parametrize("action", [-1, 5, 99, np.int64(7)])
def test_out_of_range_action_is_an_error(action, fake_env):
    env = fake_env()
    env.reset(seed=0)
    with pytest.raises(ValueError, match=rf"action {int(action)} is out of range: expected an integer in \[0, 4\]"):
        env.step(action)


@pytest.mark.parametrize("action", [1.5, "a", True, np.array([1, 2]), np.array([[1]]), np.array(1.0), None])
def test_wrongly_typed_or_shaped_action_is_an_error(action, fake_env):
    env = fake_env()
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"is invalid: expected an integer in \[0, 4\]"):
        env.step(action)


def test_integer_arrays_are_accepted(fake_env):
    env = fake_env()
    env.reset(seed=0)
    env.step(np.array(0))
    env.step(np.array([1], dtype=np.int32))
    assert env.cursor.indices == [0, 1]


def test_step_before_reset_and_after_the_end(fake_env):
    env = fake_env()
    with pytest.raises(RuntimeError, match="call reset"):
        env.step(0)
    env.reset(seed=0)
    run_episode(env, [0] * len(env.space.decisions))
    with pytest.raises(RuntimeError, match="call reset"):
        env.step(0)


def test_terminal_info_and_reward(fake_env):
    evaluator = FakeEvaluator()
    env = fake_env(evaluator=evaluator)
    env.reset(seed=5)
    _, reward, info = run_episode(env, [1] * len(env.space.decisions))
    arch = env.space.decode(env.cursor.indices)
    assert info["arch"] == arch.to_json() and info["arch_hash"] == arch.hash
    assert info["arch_string"] == arch.to_string()
    counts = nasgym.count(arch)
    assert info["macs"] == counts.macs and info["params"] == counts.params
    assert info["latency_ms"] == pytest.approx(counts.macs / 1e9)
    expected = evaluator.evaluate(arch, 5)
    assert info["accuracy"] == expected["accuracy"] and info["eval_seconds"] == expected["eval_seconds"]
    assert info["cache_hit"] is False and info["eval_seed"] == 5
    assert reward == info["reward"] == pytest.approx(make_reward(REWARD)(info))
    assert {"energy_mj"} <= set(info)


def test_determinism_and_evaluation_seed(fake_env):
    env_a, env_b = fake_env(), fake_env()
    actions = list(np.random.default_rng(3).integers(0, 5, len(env_a.space.decisions)))
    env_a.reset(seed=11)
    env_b.reset(seed=11)
    obs_a, r_a, info_a = run_episode(env_a, actions)
    obs_b, r_b, info_b = run_episode(env_b, actions)
    assert r_a == r_b and info_a == info_b and all(np.array_equal(x, y) for x, y in zip(obs_a, obs_b, strict=True))
    env_b.reset(seed=12)
    _, r_c, info_c = run_episode(env_b, actions)
    assert info_c["eval_seed"] == 12 and info_c["accuracy"] != info_a["accuracy"]  # seed-dependent jitter
    env_b.reset()  # no seed: the evaluation seed stays
    assert env_b.eval_seed == 12
    fixed = fake_env(eval_seed=3)
    fixed.reset(seed=99)
    assert fixed.eval_seed == 3


def test_repeated_architecture_hits_the_memory_cache(fake_env):
    evaluator = FakeEvaluator()
    env = fake_env(evaluator=evaluator)
    for _ in range(3):
        env.reset(seed=0)
        _, _, info = run_episode(env, [2] * len(env.space.decisions))
    assert evaluator.calls == 1 and info["cache_hit"] is True


def test_sqlite_cache_is_shared_between_envs(tmp_path, fake_env):
    first, second = FakeEvaluator(), FakeEvaluator()
    env_a = fake_env(evaluator=first, cache=tmp_path / "c.sqlite")
    env_b = fake_env(evaluator=second, cache=tmp_path / "c.sqlite")
    arch = env_a.space.sample(0)
    assert env_a.evaluate(arch)["cache_hit"] is False
    info = env_b.evaluate(arch)
    assert info["cache_hit"] is True and second.calls == 0 and info["accuracy"] == env_a.evaluate(arch)["accuracy"]
    env_a.close()
    env_a.close()  # idempotent
    env_b.close()


def test_constructor_is_lazy():
    env = make_env("EdgeTPU-FashionMNIST", cache=None)
    assert env.unwrapped._evaluator is None and env.unwrapped._cost_model is None
    env.close()
    env.close()


def test_render_ansi(fake_env):
    env = fake_env(render_mode="ansi")
    env.reset(seed=0)
    env.step(0)
    assert env.render().startswith(f"1/{len(env.space.decisions)} decisions: {env.space.decisions[0].name}=")
    with pytest.raises(ValueError, match="render_mode='human' is invalid"):
        fake_env(render_mode="human")


# ------------------------------------------------------------------------- definitions and ids
def test_registered_ids_cover_every_definition_and_mode():
    ids = env_ids()
    for name in ("EdgeTPU-FashionMNIST", "EdgeTPU-ZeroCost", "EdgeTPU-Proxy-FashionMNIST",
                 "MACs-Proxy-FashionMNIST"):
        for suffix in ("", "-MultiDiscrete", "-Box"):
            assert f"nasgym/{name}{suffix}-v0" in ids
    assert set(ids) <= set(gym.envs.registry)


def test_shipped_definitions_use_the_real_components():
    main = load_env_config("EdgeTPU-FashionMNIST")
    assert main.space == "edgetpu-v2" and main.cost["kind"] == "edgetpu" and main.evaluator == "fullsize"
    assert load_env_config("EdgeTPU-ZeroCost").evaluator["kind"] == "zero_cost"
    assert load_env_config("MACs-Proxy-FashionMNIST").cost["kind"] == "macs"
    assert load_env_config("EdgeTPU-Proxy-FashionMNIST").space == "proxy"


@pytest.mark.parametrize("env_id", env_ids())
def test_both_checkers_pass_for_every_registered_id(env_id, tmp_path, monkeypatch):
    """The checkers run whole episodes in the 7-step MultiDiscrete mode: training evaluators are replaced by the
    fake one there (the zero-cost env keeps its real evaluator)."""
    monkeypatch.setenv("NASGYM_CACHE", str(tmp_path))
    fast = "ZeroCost" in env_id
    env = gym.make(env_id) if fast else gym.make(env_id, evaluator=FakeEvaluator())
    discrete = isinstance(env.action_space, gym.spaces.Discrete)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*different from the unwrapped version")
        gym_check_env(env.unwrapped if discrete else env, skip_render_check=True)
    sb3_check_env(env, warn=False)
    env.close()


def test_zero_cost_env_runs_an_episode_with_the_real_components(tmp_path):
    env = gym.make("nasgym/EdgeTPU-ZeroCost-v0", cache=str(tmp_path / "c.sqlite"))
    env.reset(seed=0)
    nas = env.unwrapped
    _, reward, info = run_episode(env, [int(np.flatnonzero(nas.action_masks())[-1]) for _ in range(40)])
    assert 0.0 <= info["accuracy"] <= 1.0 and info["latency_ms"] > 0 and info["energy_mj"] > 0
    assert info["eval_seconds"] > 0 and reward == pytest.approx(0.0 + info["accuracy"] - 0.1 * abs(
        info["latency_ms"] / 0.5 - 1.0))
    env.close()


def test_make_env_overrides_merge_and_replace(tmp_path):
    env = make_env("nasgym/EdgeTPU-ZeroCost-Box-v0", reward={"beta": -0.3}, cache=None)
    assert isinstance(env.action_space, gym.spaces.Box)
    config = env.unwrapped.config
    assert config.reward == {"kind": "abs", "target_latency_ms": 0.5, "beta": -0.3}
    replaced = load_env_config("EdgeTPU-ZeroCost", reward={"kind": "mnas", "target_latency_ms": 2.0})
    assert replaced.reward == {"kind": "mnas", "target_latency_ms": 2.0}
    assert load_env_config("EdgeTPU-ZeroCost", cache=None).cache_path() is None
    named = load_env_config("EdgeTPU-FashionMNIST", evaluator={"repeats": 1})  # a named spec's fields updated
    assert named.evaluator == {"kind": "fullsize", "repeats": 1}
    assert make_evaluator(named.evaluator).config.repeats == 1
    assert make_evaluator(named.evaluator).config.width_multiplier == 0.25
    assert load_env_config("EdgeTPU-FashionMNIST", evaluator="default").evaluator == "default"


def test_make_env_from_a_yaml_path(tmp_path):
    data = yaml.safe_load((ENVS_DIR / "edgetpu-zerocost.yaml").read_text())
    data.update(id="Mine", action_mode="multidiscrete", cache=str(tmp_path / "x.sqlite"))
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data))
    env = nasgym.make_env(path)
    assert isinstance(env.action_space, gym.spaces.MultiDiscrete)
    assert env.unwrapped.cache_path == tmp_path / "x.sqlite" and env.unwrapped.config.gym_id() == \
        "nasgym/Mine-MultiDiscrete-v0"


@pytest.mark.parametrize(("change", "match"), [
    ({"colour": "red"}, r"unknown field\(s\) \['colour'\]: expected fields among id, description"),
    ({"action_mode": "steering"}, r"action_mode='steering' is invalid: expected one of discrete, multidiscrete"),
    ({"reward": "abs"}, r"field reward='abs' is invalid: expected a mapping with a 'kind'"),
    ({"eval_seed": "x"}, r"eval_seed='x' is invalid: expected an int or null"),
])
def test_bad_definition_is_an_error(change, match, tmp_path):
    data = yaml.safe_load((ENVS_DIR / "edgetpu-zerocost.yaml").read_text())
    data.update(change)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ValueError, match=match):
        make_env(path)


def test_missing_field_and_unknown_env_are_errors(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"id": "X", "space": "proxy"}))
    with pytest.raises(ValueError, match=r"missing field\(s\) \['cost', 'evaluator', 'reward'\]"):
        make_env(path)
    with pytest.raises(ValueError, match=r"unknown env 'nasgym/Nope-v0': expected one of nasgym/EdgeTPU"):
        make_env("nasgym/Nope-v0")
    with pytest.raises(ValueError, match=r"env definition file '.*missing.yaml' does not exist"):
        make_env(tmp_path / "missing.yaml")
    with pytest.raises(gym.error.NameNotFound):
        gym.make("nasgym/Nope-v0")


def test_gymnasium_make_without_importing_nasgym_first():
    code = ("import gymnasium as gym; env = gym.make('nasgym:nasgym/EdgeTPU-ZeroCost-v0', cache=None); "
            "print(env.action_space)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "Discrete(5)"


def test_info_arch_is_valid_json(fake_env):
    env = fake_env()
    env.reset(seed=0)
    _, _, info = run_episode(env, [0] * 40)
    assert json.loads(info["arch"])["stages"]
