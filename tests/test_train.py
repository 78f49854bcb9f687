"""nasgym.search.run (what train.py runs): every SB3 algorithm, black-box agents and plug-ins, nasgym's SB3 defaults
(also for plug-ins and rl-zoo3), shared cache, resume; train.py itself: summary, TensorBoard, demo, one-line errors."""

import csv
import functools
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from stable_baselines3.common.vec_env import SubprocVecEnv
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import nasgym
from nasgym.envs_config import load_env_config, make_env
from nasgym.search import RunConfig, RunResult, run, sb3_defaults

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import train  # noqa: E402

SB3_ALGOS = ["ppo", "a2c", "dqn", "sac", "td3", "ddpg", "maskable_ppo", "recurrent_ppo", "qrdqn", "trpo", "ars"]
EPISODE = len(nasgym.load_space("proxy").decisions)  # 30 steps per architecture


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One evaluation cache for the module (zero-cost results are shared between the runs)."""
    return str(tmp_path_factory.mktemp("cache") / "evaluations.sqlite")


def rows_of(logdir: Path) -> list[dict]:
    with open(logdir / "evaluations.csv", newline="") as f:
        return list(csv.DictReader(f))


def saved_model_data(path: Path) -> dict:
    """The attributes SB3 saved in a model.zip (its ``data`` JSON)."""
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("data"))


def search(logdir: Path, cache: str, algo: str = "ppo", env: str = "EdgeTPU-ZeroCost", **fields) -> RunResult:
    """One run through the package (no TensorBoard, progress bar or reference nets)."""
    return run(RunConfig(env=env, algo=algo, logdir=str(logdir), cache=cache, references="none", progress=False,
                         tensorboard=False, **fields))


def cli(logdir: Path, cache: str, *extra: str, algo: str = "ppo", env: str = "EdgeTPU-ZeroCost") -> int:
    """The same run through train.py's main (exit code)."""
    return train.main(["--env", env, "--algo", algo, "--logdir", str(logdir), "--cache", cache, "--references",
                       "none", "--no-progress", "--no-tensorboard", *extra])


@pytest.mark.slow
@pytest.mark.parametrize("algo", SB3_ALGOS)
def test_every_sb3_algorithm_trains_512_steps(algo, tmp_path, cache):
    result = search(tmp_path, cache, algo=algo, timesteps=512)
    rows = rows_of(tmp_path)
    assert result.n_evaluations == len(rows) and result.rows[-1]["arch_hash"] == rows[-1]["arch_hash"]
    assert len(rows) >= 512 // EPISODE
    assert [int(r["evaluation"]) for r in rows] == list(range(1, len(rows) + 1))
    for row in rows:
        assert 0.0 <= float(row["accuracy"]) <= 1.0 and float(row["latency_ms"]) > 0 and not row["failed"]
    assert (tmp_path / "model.zip").exists() and (tmp_path / "best.json").exists()
    run_file = json.loads((tmp_path / "run.json").read_text())
    expected_mode = "box" if algo in ("sac", "td3", "ddpg") else "discrete"
    assert run_file["env"]["action_mode"] == expected_mode


@pytest.mark.parametrize("algo", ["ppo", "maskable_ppo"])
def test_multidiscrete_mode_trains(algo, tmp_path, cache):
    search(tmp_path, cache, algo=algo, env="nasgym/EdgeTPU-ZeroCost-MultiDiscrete-v0", evaluations=4)
    assert len(rows_of(tmp_path)) == 4
    assert json.loads((tmp_path / "run.json").read_text())["env"]["action_mode"] == "multidiscrete"


def test_maskable_ppo_honors_masks_in_predict(tmp_path, cache):
    from sb3_contrib import MaskablePPO

    search(tmp_path, cache, algo="maskable_ppo", evaluations=4)
    model = MaskablePPO.load(tmp_path / "model.zip", device="cpu")
    env = make_env("EdgeTPU-ZeroCost", cache=cache)
    unmasked_invalid = 0
    for seed in range(3):
        obs, _ = env.reset(seed=seed)
        done = False
        while not done:
            masks = env.action_masks()
            action, _ = model.predict(obs, action_masks=masks, deterministic=True)
            assert masks[int(action)]
            free, _ = model.predict(obs, deterministic=True)
            unmasked_invalid += not masks[int(free)]
            obs, _, done, _, _ = env.step(int(action))
    assert unmasked_invalid > 0  # without the masks the same policy would pick invalid choices
    env.close()


def test_two_subprocess_envs_share_one_cache(tmp_path):
    config = load_env_config("EdgeTPU-ZeroCost", cache=str(tmp_path / "shared.sqlite"))
    venv = SubprocVecEnv([functools.partial(make_env, config)] * 2)
    arch = nasgym.load_space("proxy").sample(7)
    first = venv.env_method("evaluate", arch, indices=[0])[0]
    second = venv.env_method("evaluate", arch, indices=[1])[0]
    venv.close()
    assert first["cache_hit"] is False and second["cache_hit"] is True
    assert first["accuracy"] == second["accuracy"]


@pytest.mark.slow
def test_train_py_with_two_subprocess_envs(tmp_path):
    cache = str(tmp_path / "shared.sqlite")
    search(tmp_path / "run", cache, evaluations=4, n_envs=2)
    rows = rows_of(tmp_path / "run")
    assert len(rows) == 4  # both envs finish their 30-step episodes together: 2 + 2
    from nasgym.quality import EvaluationCache

    assert len(EvaluationCache(cache)) == len({r["arch_hash"] for r in rows})


def test_rerun_continues(tmp_path, cache):
    assert search(tmp_path, cache, evaluations=3).n_evaluations == 3
    assert len(rows_of(tmp_path)) == 3
    assert search(tmp_path, cache, evaluations=3).n_evaluations == 3  # same command: already done
    assert len(rows_of(tmp_path)) == 3
    assert search(tmp_path, cache, evaluations=6).n_evaluations == 6  # larger budget: continues from model.zip
    rows = rows_of(tmp_path)
    assert [int(r["evaluation"]) for r in rows] == list(range(1, 7))


def test_blackbox_agent_by_name(tmp_path, cache):
    search(tmp_path, cache, algo="random", evaluations=5)
    rows = rows_of(tmp_path)
    assert len(rows) == 5 and len({r["arch_hash"] for r in rows}) == 5


def test_blackbox_plugin_from_a_file(tmp_path, cache):
    plugin = tmp_path / "always_first.py"
    plugin.write_text(
        "class AlwaysFirst:\n"
        "    def __init__(self, space, seed=0):\n"
        "        self.space, self.seen = space, []\n"
        "    def propose(self):\n"
        "        return [0] * len(self.space.decisions)\n"
        "    def observe(self, indices, reward, info):\n"
        "        self.seen.append(reward)\n"
    )
    search(tmp_path / "run", cache, algo=f"{plugin}:AlwaysFirst", evaluations=3)
    rows = rows_of(tmp_path / "run")
    assert len({r["arch_hash"] for r in rows}) == 1 and [r["cache_hit"] for r in rows][1:] == ["True", "True"]


def test_sb3_subclass_plugin_from_a_file(tmp_path, cache):
    plugin = tmp_path / "my_ppo.py"
    plugin.write_text("from stable_baselines3 import PPO\n\n\nclass MyPPO(PPO):\n    pass\n")
    search(tmp_path / "run", cache, algo=f"{plugin}:MyPPO", evaluations=2)
    assert len(rows_of(tmp_path / "run")) == 2 and (tmp_path / "run" / "model.zip").exists()
    saved = saved_model_data(tmp_path / "run" / "model.zip")
    assert saved["gamma"] == 1.0 and saved["n_steps"] == sb3_defaults("ppo")["n_steps"]  # nasgym's PPO defaults


SB3_PLUGIN_OF_NO_KNOWN_ALGORITHM = """
from stable_baselines3.common.on_policy_algorithm import OnPolicyAlgorithm
from stable_baselines3.common.policies import ActorCriticPolicy


class Plain(OnPolicyAlgorithm):
    policy_aliases = {"MlpPolicy": ActorCriticPolicy}

    def __init__(self, policy, env, gamma=0.99, n_steps=64, seed=None, verbose=0, device="cpu",
                 tensorboard_log=None):
        super().__init__(policy, env, learning_rate=3e-4, n_steps=n_steps, gamma=gamma, gae_lambda=0.95, ent_coef=0.0,
                         vf_coef=0.5, max_grad_norm=0.5, use_sde=False, sde_sample_freq=-1, seed=seed,
                         verbose=verbose, device=device, tensorboard_log=tensorboard_log)
        self._setup_model()

    def train(self):
        pass
"""


def test_sb3_plugin_of_no_known_algorithm_gets_gamma_1(tmp_path, cache):
    plugin = tmp_path / "plain.py"
    plugin.write_text(SB3_PLUGIN_OF_NO_KNOWN_ALGORITHM)
    search(tmp_path / "run", cache, algo=f"{plugin}:Plain", evaluations=2)
    saved = saved_model_data(tmp_path / "run" / "model.zip")
    assert saved["gamma"] == 1.0 and saved["n_steps"] == 64  # gamma: the only reward is at the end (not SB3's 0.99)


def test_tensorboard_tags_and_summary(tmp_path, cache, capsys):
    code = train.main(["--env", "nasgym/EdgeTPU-ZeroCost-v0", "--algo", "ppo", "--evaluations", "3", "--logdir",
                       str(tmp_path), "--cache", cache, "--references", "mobilenet_v2_1.0", "--no-progress"])
    assert code == 0
    out = capsys.readouterr().out
    assert "mobilenet_v2_1.0" in out and "tensorboard --logdir" in out and "found #1" in out
    acc = EventAccumulator(str(tmp_path), size_guidance={"images": 0, "tensors": 0})
    acc.Reload()
    tags = acc.Tags()
    for tag in ("nas/reward", "nas/accuracy", "nas/latency_ms", "nas/best_reward", "nas/hypervolume"):
        assert len(acc.Scalars(tag)) == 3, tag
    assert "nas/pareto_front" in tags["images"] and "nas/best_architecture/text_summary" in tags["tensors"]
    assert "_hparams_/session_start_info" in acc.PluginTagToContent("hparams")


def test_demo_prints_best_and_references(tmp_path, monkeypatch, capsys, cache):
    monkeypatch.setitem(train.DEMO_ENVS, "classification", "EdgeTPU-ZeroCost")
    monkeypatch.setenv("NASGYM_CACHE", str(Path(cache).parent))
    train.demo(["--evaluations", "3", "--logdir", str(tmp_path), "--no-progress"])
    out = capsys.readouterr().out
    for name in train.DEMO_REFERENCES:
        line = next(line for line in out.splitlines() if line.startswith(name))
        assert float(line.split()[-2]) > 0  # accuracy measured for the demo references
    assert "tensorboard --logdir" in out and len(rows_of(tmp_path)) == 3


@pytest.mark.parametrize(("args", "message"), [
    (["--algo", "ppo2"], "algorithm 'ppo2' is unknown: expected one of a2c, ars, ddpg, dqn"),
    (["--env", "nasgym/Nope-v0"], "unknown env 'nasgym/Nope-v0': expected one of nasgym/"),
    (["--algo", "sac", "--env", "nasgym/EdgeTPU-ZeroCost-v0"],
     "algorithm 'sac' does not support the action space Discrete(5) of 'nasgym/EdgeTPU-ZeroCost-v0': use "
     "nasgym/EdgeTPU-ZeroCost-Box-v0"),
    (["--timesteps", "0"], "--timesteps=0 is invalid: expected a positive integer"),
    (["--algo", "missing.py:Agent"], "algorithm file 'missing.py' does not exist"),
    (["--references", "resnet50"], "unknown reference net(s) ['resnet50']"),
    (["--algo", "random", "--n-envs", "2"], "--n-envs=2 is invalid for black-box agent 'random': expected 1"),
])
def test_bad_input_fails_with_a_clear_message(args, message, tmp_path, cache, capsys):
    base = {"--env": "EdgeTPU-ZeroCost", "--algo": "ppo"}
    argv = [*args]
    for key, value in base.items():
        if key not in argv:
            argv += [key, value]
    assert train.main([*argv, "--logdir", str(tmp_path), "--cache", cache, "--no-progress"]) == 2
    assert message in capsys.readouterr().err


def test_unknown_hyperparameter_is_an_error(tmp_path, cache, capsys):
    hyper = tmp_path / "h.yaml"
    hyper.write_text("n_stepz: 3\n")
    assert cli(tmp_path / "run", cache, "--evaluations", "1", "--hyperparams", str(hyper)) == 2
    err = capsys.readouterr().err
    assert "hyperparameter(s) ['n_stepz'] unknown for 'ppo': expected among" in err and "'n_steps'" in err


def test_plugin_class_not_found(tmp_path, cache, capsys):
    plugin = tmp_path / "p.py"
    plugin.write_text("class Agent:\n    pass\n")
    assert cli(tmp_path / "run", cache, "--evaluations", "1", algo=f"{plugin}:Nope") == 2
    err = capsys.readouterr().err
    assert "class 'Nope' not found" in err and "expected one of ['Agent']" in err


@pytest.mark.slow
def test_rl_zoo3_trains_a_registered_id_with_nasgym_defaults(tmp_path, cache):
    env = {**os.environ, "NASGYM_CACHE": str(Path(cache).parent)}
    cmd = [sys.executable, "-m", "rl_zoo3.train", "--algo", "ppo", "--env", "nasgym/EdgeTPU-ZeroCost-v0",
           "--gym-packages", "nasgym", "-n", "512", "--log-folder", str(tmp_path), "--conf-file",
           "nasgym.search.zoo.ppo"]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    saved = list(tmp_path.glob("ppo/*/*.zip"))
    assert saved, [str(p) for p in tmp_path.rglob("*")]
    model = saved_model_data(saved[0])
    assert model["gamma"] == 1.0 and model["n_steps"] == 256 and model["ent_coef"] == 0.01  # nasgym's, not rl-zoo3's


def test_rl_zoo3_conf_modules_hold_the_defaults_of_every_algorithm():
    import importlib

    from nasgym.search.zoo import ZOO_ALGOS

    for zoo_name, name in ZOO_ALGOS.items():
        default = importlib.import_module(f"nasgym.search.zoo.{zoo_name}").hyperparams["default"]
        assert {k: v for k, v in default.items() if k != "n_timesteps"} == sb3_defaults(name)
        assert default.get("gamma", 1.0) == 1.0
    assert (ROOT / "nasgym" / "search" / "zoo").is_dir()
    modules = {p.stem for p in (ROOT / "nasgym" / "search" / "zoo").glob("*.py")} - {"__init__"}
    assert modules == set(ZOO_ALGOS)  # one module per rl-zoo3 algorithm nasgym has defaults for


def test_python_api_run(tmp_path, cache):
    config = RunConfig(env="nasgym/EdgeTPU-ZeroCost-v0", algo="evolution", evaluations=4, seed=3,
                       hyperparams={"population_size": 2, "sample_size": 2}, logdir=str(tmp_path / "evo"),
                       cache=cache, references="mobilenet_v2_1.0", progress=False, tensorboard=False)
    result = run(config)
    rows = rows_of(tmp_path / "evo")
    assert result.n_evaluations == 4 and [r["arch_hash"] for r in result.rows] == [r["arch_hash"] for r in rows]
    assert result.best["reward"] == max(float(r["reward"]) for r in rows)
    assert [p["name"] for p in result.reference_points] == ["mobilenet_v2_1.0"]
    assert "found #1" in result.summary() and "mobilenet_v2_1.0" in result.summary()
    record = json.loads((tmp_path / "evo" / "run.json").read_text())
    assert record["args"]["algo"] == "evolution" and record["identity"]["hyperparams"] == config.hyperparams
    # The same run from a YAML file of the same hyperparameters is the same run: it is already done.
    hyper = tmp_path / "evo.yaml"
    hyper.write_text("population_size: 2\nsample_size: 2\n")
    again = run(RunConfig(**{**config.__dict__, "hyperparams": str(hyper)}))
    assert [r["arch_hash"] for r in again.rows] == [r["arch_hash"] for r in result.rows]


@pytest.mark.parametrize(("fields", "message"), [
    ({"evaluations": 0}, "--evaluations=0 is invalid: expected a positive integer"),
    ({"n_envs": 1.5}, "--n-envs=1.5 is invalid: expected a positive integer"),
    ({"evaluations": 3, "timesteps": 90}, "--evaluations=3 and --timesteps=90 are both given: expected one budget"),
])
def test_run_config_rejects_bad_values(fields, message):
    with pytest.raises(ValueError, match=message):
        RunConfig(env="EdgeTPU-ZeroCost", **fields)


def test_old_registry_path_still_imports():
    import nasgym.algos
    import nasgym.parallel
    import nasgym.search.batched
    import nasgym.search.blackbox

    assert nasgym.algos.resolve_algo is nasgym.search.resolve_algo
    assert nasgym.algos.run_blackbox is nasgym.search.blackbox.run_blackbox
    assert nasgym.algos.SB3_DEFAULTS is nasgym.search.SB3_DEFAULTS
    assert nasgym.parallel.run_batched is nasgym.search.batched.run_batched
