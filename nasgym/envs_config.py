"""Environment definitions (``envs/*.yaml``, installed as ``nasgym/envs``) and :func:`make_env`.

An environment definition is a YAML mapping with these fields (unknown fields are an error)::

    id: EdgeTPU-FashionMNIST          # required; registered as nasgym/<id>-v0 (+ -MultiDiscrete-v0, -Box-v0)
    description: free text
    task: fashion-mnist               # what the quality evaluator measures (informative)
    space: edgetpu-v2                 # a shipped space name or a path to a space YAML (relative to the file)
    cost: {kind: edgetpu, hardware: tensor-g1}        # nasgym.hw.make_cost_model spec ({kind: macs} = baseline)
    evaluator: {kind: train, ...}     # nasgym.quality.make_evaluator spec
    reward: {kind: mnas, target_latency_ms: 1.0, beta: -0.07}   # nasgym.rewards.make_reward spec
    cache: default                    # "default" ($NASGYM_CACHE or ~/.cache/nasgym, + /evaluations.sqlite), a path,
                                      # or null (in memory)
    eval_seed: null                   # fixed evaluation seed; null = the seed of reset(seed=...)
    action_mode: discrete             # discrete | multidiscrete | box

``make_env(name_or_path, **overrides)`` accepts an id (``EdgeTPU-FashionMNIST`` or a registered Gymnasium id such
as ``nasgym/EdgeTPU-FashionMNIST-Box-v0``) or a YAML path; each override replaces a field, except that a dict
override of ``cost``/``evaluator``/``reward`` without a different ``kind`` updates the YAML's dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import yaml

from nasgym._layout import data_dir
from nasgym.env import NasEnv
from nasgym.files import cache_dir, read_yaml
from nasgym.rewards import make_reward
from nasgym.space.loading import load_space
from nasgym.wrappers import ACTION_MODES, wrap_action_mode

ENVS_DIR = data_dir("envs")  # nasgym/envs in a wheel, the repository's envs/ in a checkout
ENV_FIELDS = ("id", "description", "task", "space", "cost", "evaluator", "reward", "cache", "eval_seed",
              "action_mode")
_REQUIRED = ("id", "space", "cost", "evaluator", "reward")
_DICT_FIELDS = ("cost", "evaluator", "reward")
MODE_SUFFIX = {"discrete": "", "multidiscrete": "-MultiDiscrete", "box": "-Box"}


@dataclass
class EnvConfig:
    """A parsed environment definition (see the module docstring for the fields)."""

    id: str
    space: str
    cost: Any
    evaluator: Any
    reward: dict
    description: str = ""
    task: str = ""
    cache: str | None = "default"
    eval_seed: int | None = None
    action_mode: str = "discrete"
    path: Path | None = field(default=None, compare=False)

    def gym_id(self, mode: str | None = None) -> str:
        """The registered Gymnasium id of this definition in action mode ``mode`` (default: its own)."""
        return f"nasgym/{self.id}{MODE_SUFFIX[mode or self.action_mode]}-v0"

    def cache_path(self) -> Path | None:
        """Resolved path of the evaluation cache (``None`` = in memory)."""
        if self.cache is None:
            return None
        if self.cache == "default":
            return default_cache_path()
        return Path(self.cache).expanduser()

    def to_dict(self) -> dict:
        """The definition as a plain dict (for logs and hparams)."""
        return {name: getattr(self, name) for name in ENV_FIELDS}


def default_cache_path() -> Path:
    """``evaluations.sqlite`` in the cache directory: ``$NASGYM_CACHE`` if set, else ``~/.cache/nasgym``.

    The same directory holds the supernet checkpoints (:mod:`nasgym.quality.supernet_evaluator`).
    """
    return cache_dir() / "evaluations.sqlite"


def env_files() -> dict[str, Path]:
    """Shipped definitions: id -> YAML path."""
    out = {}
    for path in sorted(ENVS_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        if isinstance(data, dict) and "id" in data:
            out[str(data["id"])] = path
    return out


def env_ids() -> list[str]:
    """Every registered Gymnasium id (each shipped definition in each action mode)."""
    return [f"nasgym/{name}{MODE_SUFFIX[mode]}-v0" for name in env_files() for mode in ACTION_MODES]


def load_env_config(name_or_path: str | Path, **overrides: Any) -> EnvConfig:
    """Parse a definition by id, registered Gymnasium id or YAML path, applying ``overrides``."""
    path, mode = _resolve(name_or_path)
    data = read_yaml(path, "env definition", f"a mapping of {', '.join(ENV_FIELDS)}")
    if not isinstance(data, dict):
        raise ValueError(f"env definition {str(path)!r} is invalid: expected a mapping of {', '.join(ENV_FIELDS)}")
    if mode is not None:
        data["action_mode"] = mode
    for key, value in overrides.items():
        current = data.get(key)
        if key == "evaluator" and isinstance(current, str):
            current = {"kind": current}  # a named spec: overrides of its fields give {"kind": NAME, **fields}
        if key in _DICT_FIELDS and isinstance(value, dict) and isinstance(current, dict) \
                and value.get("kind", current.get("kind")) == current.get("kind"):
            data[key] = {**current, **value}
        else:
            data[key] = value
    return _parse(data, path)


def _resolve(name_or_path: str | Path) -> tuple[Path, str | None]:
    text = str(name_or_path)
    if text.endswith((".yaml", ".yml")) or isinstance(name_or_path, Path):
        path = Path(name_or_path)
        if not path.is_file():
            raise ValueError(f"env definition file {text!r} does not exist: expected a YAML file")
        return path, None
    files = env_files()
    if text in files:
        return files[text], None
    for name, path in files.items():
        for mode in ACTION_MODES:
            if text == f"nasgym/{name}{MODE_SUFFIX[mode]}-v0":
                return path, mode
    raise ValueError(f"unknown env {text!r}: expected one of {', '.join(env_ids())}, a definition id "
                     f"({', '.join(files)}) or a path to an env .yaml file")


def _parse(data: dict, path: Path) -> EnvConfig:
    where = f"env definition {str(path)!r}"
    unknown = sorted(set(data) - set(ENV_FIELDS))
    if unknown:
        raise ValueError(f"{where} has unknown field(s) {unknown}: expected fields among {', '.join(ENV_FIELDS)}")
    missing = [name for name in _REQUIRED if name not in data]
    if missing:
        raise ValueError(f"{where} is missing field(s) {missing}: required are {', '.join(_REQUIRED)}")
    for name in _DICT_FIELDS:
        if name != "reward" and hasattr(data[name], "evaluate"):
            continue  # a ready cost model / evaluator object passed as an override
        if name == "evaluator" and isinstance(data[name], str):
            continue  # a named spec ("default", "reference"), checked by make_evaluator
        if not isinstance(data[name], dict) or "kind" not in data[name]:
            raise ValueError(f"{where} field {name}={data[name]!r} is invalid: expected a mapping with a 'kind'")
    mode = data.get("action_mode", "discrete")
    if mode not in ACTION_MODES:
        raise ValueError(f"{where} action_mode={mode!r} is invalid: expected one of {', '.join(ACTION_MODES)}")
    seed = data.get("eval_seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ValueError(f"{where} eval_seed={seed!r} is invalid: expected an int or null")
    for name in ("id", "space"):
        if not isinstance(data[name], str) or not data[name]:
            raise ValueError(f"{where} field {name}={data[name]!r} is invalid: expected a non-empty string")
    cache = data.get("cache", "default")
    if cache is not None and not isinstance(cache, str | Path):
        raise ValueError(f"{where} cache={cache!r} is invalid: expected 'default', a path or null")
    space = data["space"]
    if space.endswith((".yaml", ".yml")) and not Path(space).is_absolute():
        space = str((path.parent / space).resolve())
    return EnvConfig(
        id=data["id"], space=space, cost=_copy(data["cost"]), evaluator=_copy(data["evaluator"]),
        reward=dict(data["reward"]), description=str(data.get("description", "")).strip(),
        task=str(data.get("task", "")), cache=None if cache is None else str(cache), eval_seed=seed,
        action_mode=mode, path=path,
    )


def _copy(spec: Any) -> Any:
    return dict(spec) if isinstance(spec, dict) else spec


def make_env(name_or_path: str | Path | EnvConfig, render_mode: str | None = None, **overrides: Any) -> gym.Env:
    """The environment of a definition (id, registered id or YAML path) with ``overrides`` applied.

    Returns a :class:`~nasgym.env.NasEnv`, wrapped for the ``multidiscrete``/``box`` action modes.
    """
    config = name_or_path if isinstance(name_or_path, EnvConfig) else load_env_config(name_or_path, **overrides)
    if isinstance(config.evaluator, dict) and config.evaluator.get("kind") == "surrogate":
        from nasgym.quality import make_evaluator  # its data must exist: fail now, not at the first step

        make_evaluator(config.evaluator)
    space = load_space(config.space)
    reward = make_reward(config.reward)
    env = NasEnv(space, config.cost, config.evaluator, reward, cache=config.cache_path(),
                 eval_seed=config.eval_seed, name=config.id, render_mode=render_mode)
    env.config = config
    return wrap_action_mode(env, config.action_mode)
