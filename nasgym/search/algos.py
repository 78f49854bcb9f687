"""The algorithm registry: the SB3 / sb3-contrib algorithms by name, black-box agents, plug-ins as ``path.py:Class``.

Two kinds of agent run on the same environment, budget and logger:

- **SB3 algorithms** (a :class:`stable_baselines3.common.base_class.BaseAlgorithm` subclass): trained on the
  environment in the action mode they support (``discrete`` by default; ``box`` for SAC, TD3 and DDPG), with the
  defaults in :data:`SB3_DEFAULTS` (``gamma = 1``: the only reward comes at the end of the episode). These are the
  one place for them: an SB3 plug-in class gets the defaults of the algorithm it subclasses (``gamma = 1`` at
  least, see :meth:`AlgoSpec.defaults`), and rl-zoo3 reads them through :mod:`nasgym.search.zoo`.
- **Black-box agents** (any other class): built as ``Class(space, seed=seed, **hyperparams)``, they implement
  ``propose() -> list[int]`` (one choice index per decision) and ``observe(indices, reward, info)``; see
  ``nasgym.agents.base`` (the repository's ``agents/base.py``). :func:`nasgym.search.blackbox.run_blackbox`
  evaluates each proposal by stepping the environment. Names in ``nasgym.agents.AGENTS`` (a
  :class:`~nasgym.registry.Registry` name -> class) are accepted by name.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nasgym.registry import Registry
from nasgym.search.action_noise import NOISE_KEYS, check_noise

# name -> (module, class), registered in name order (the order the unknown-name error lists them in)
SB3_ALGOS: Registry[tuple[str, str]] = Registry("algorithm", sep=" ", problem="is unknown")
for _name, _where in sorted({
    "ppo": ("stable_baselines3", "PPO"), "a2c": ("stable_baselines3", "A2C"), "dqn": ("stable_baselines3", "DQN"),
    "sac": ("stable_baselines3", "SAC"), "td3": ("stable_baselines3", "TD3"), "ddpg": ("stable_baselines3", "DDPG"),
    "maskable_ppo": ("sb3_contrib", "MaskablePPO"), "recurrent_ppo": ("sb3_contrib", "RecurrentPPO"),
    "qrdqn": ("sb3_contrib", "QRDQN"), "trpo": ("sb3_contrib", "TRPO"), "ars": ("sb3_contrib", "ARS"),
}.items()):
    SB3_ALGOS.register(_name, _where)
BOX_ALGOS = ("sac", "td3", "ddpg")
_ALL_MODES = ("discrete", "multidiscrete", "box")
SUPPORTED_MODES = {name: _ALL_MODES for name in ("ppo", "a2c", "trpo", "ars", "recurrent_ppo")}
SUPPORTED_MODES.update({"dqn": ("discrete",), "qrdqn": ("discrete",), "maskable_ppo": ("discrete", "multidiscrete"),
                        **{name: ("box",) for name in BOX_ALGOS}})
_ON_POLICY = {"n_steps": 256, "batch_size": 64, "gamma": 1.0}
_OFF_POLICY = {"learning_starts": 100, "buffer_size": 20_000, "batch_size": 64, "gamma": 1.0}
_ACTION_NOISE = {"noise_type": "normal", "noise_std": 1.6}  # deterministic policies: nasgym.search.action_noise
SB3_DEFAULTS: dict[str, dict[str, Any]] = {
    "ppo": {"policy": "MlpPolicy", **_ON_POLICY, "n_epochs": 4, "ent_coef": 0.01},
    "maskable_ppo": {"policy": "MlpPolicy", **_ON_POLICY, "n_epochs": 4, "ent_coef": 0.01},
    "recurrent_ppo": {"policy": "MlpLstmPolicy", **_ON_POLICY, "n_epochs": 4, "ent_coef": 0.01,
                      "policy_kwargs": {"lstm_hidden_size": 64}},
    "trpo": {"policy": "MlpPolicy", **_ON_POLICY},
    "a2c": {"policy": "MlpPolicy", "n_steps": 8, "gamma": 1.0, "ent_coef": 0.01},
    "dqn": {"policy": "MlpPolicy", **_OFF_POLICY, "train_freq": 4, "target_update_interval": 500,
            "exploration_fraction": 0.3},
    "qrdqn": {"policy": "MlpPolicy", **_OFF_POLICY, "train_freq": 4, "target_update_interval": 500,
              "exploration_fraction": 0.3},
    "sac": {"policy": "MlpPolicy", **_OFF_POLICY, "train_freq": 4},
    "td3": {"policy": "MlpPolicy", **_OFF_POLICY, "train_freq": 4, **_ACTION_NOISE},
    "ddpg": {"policy": "MlpPolicy", **_OFF_POLICY, "train_freq": 4, **_ACTION_NOISE},
    "ars": {"policy": "LinearPolicy", "n_delta": 4},
}
PLUGIN_DEFAULTS: dict[str, Any] = {"policy": "MlpPolicy", "gamma": 1.0}  # an SB3 plug-in of no known algorithm


@dataclass
class AlgoSpec:
    """A resolved ``--algo``: its canonical name, class and kind (``"sb3"`` or ``"blackbox"``)."""

    name: str
    cls: type
    kind: str

    @property
    def action_mode(self) -> str:
        """The action mode this algorithm trains in by default (``box`` for SAC/TD3/DDPG, else ``discrete``)."""
        return "box" if self.name in BOX_ALGOS else "discrete"

    @property
    def modes(self) -> tuple[str, ...]:
        """Action modes the algorithm supports (all for an SB3 plug-in: SB3 checks it when building the model)."""
        if self.kind == "blackbox":
            return ("discrete",)
        return SUPPORTED_MODES.get(self.name, _ALL_MODES)

    def defaults(self) -> dict[str, Any]:
        """Default hyperparameters (a copy): :data:`SB3_DEFAULTS` of the algorithm, for an SB3 plug-in those of the
        nearest known algorithm it subclasses, else :data:`PLUGIN_DEFAULTS` (the ones its constructor takes);
        nothing for black-box agents (their constructors hold their defaults)."""
        return sb3_defaults(self.name if self.kind == "sb3" else None, self.cls if self.kind == "sb3" else None)


def sb3_defaults(name: str | None, cls: type | None = None) -> dict[str, Any]:
    """nasgym's defaults for the SB3 algorithm ``name`` or, when ``name`` is not a known one, for the SB3 class
    ``cls`` (a plug-in): those of the first known algorithm in its base classes, else :data:`PLUGIN_DEFAULTS`
    restricted to the arguments its constructor takes. A fresh copy; ``{}`` for neither."""
    if name not in SB3_DEFAULTS and cls is not None:
        name = next((known for base in cls.__mro__ for known, (module, cls_name) in SB3_ALGOS.items()
                     if base.__name__ == cls_name and base.__module__.split(".")[0] == module), None)
        if name is None:
            params = inspect.signature(cls.__init__).parameters
            takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
            return {k: v for k, v in PLUGIN_DEFAULTS.items() if takes_any or k in params}
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in SB3_DEFAULTS.get(name, {}).items()}


def _normalize(name: str) -> str:
    key = name.lower().replace("-", "_")
    aliases = {"maskableppo": "maskable_ppo", "recurrentppo": "recurrent_ppo", "qr_dqn": "qrdqn"}
    return aliases.get(key, key)


def blackbox_agents() -> Registry[type]:
    """Black-box agents known by name (``nasgym.agents.AGENTS``)."""
    from nasgym.agents import AGENTS

    return AGENTS


def algo_names() -> list[str]:
    """Every algorithm name ``--algo`` accepts."""
    return sorted(SB3_ALGOS) + sorted(blackbox_agents())


def resolve_algo(spec: str) -> AlgoSpec:
    """``NAME`` or ``path.py:Class`` -> :class:`AlgoSpec`.

    Raises:
        ValueError: For an unknown name (``algorithm 'x' is unknown: expected one of ...``, SB3 names, then agent
            names, or path.py:Class) or an unusable plug-in file or class.
    """
    from stable_baselines3.common.base_class import BaseAlgorithm

    if ":" in spec and spec.split(":", 1)[0].endswith(".py"):
        path, cls_name = spec.split(":", 1)
        if not Path(path).is_file():
            raise ValueError(f"algorithm file {path!r} does not exist: expected path.py:Class")
        module_spec = importlib.util.spec_from_file_location(Path(path).stem, path)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        cls = getattr(module, cls_name, None)
        if not inspect.isclass(cls):
            found = [n for n, v in vars(module).items() if inspect.isclass(v) and v.__module__ == module.__name__]
            raise ValueError(f"class {cls_name!r} not found in {path!r}: expected one of {found}")
        kind = "sb3" if issubclass(cls, BaseAlgorithm) else "blackbox"
        if kind == "blackbox" and not (callable(getattr(cls, "propose", None))
                                       and callable(getattr(cls, "observe", None))):
            raise ValueError(f"class {cls_name!r} in {path!r} is neither an SB3 BaseAlgorithm nor a black-box agent "
                             "(expected propose() and observe(indices, reward, info) methods)")
        return AlgoSpec(cls_name.lower(), cls, kind)
    name = _normalize(spec)
    if name in SB3_ALGOS:
        module_name, cls_name = SB3_ALGOS[name]
        return AlgoSpec(name, getattr(importlib.import_module(module_name), cls_name), "sb3")
    agents = blackbox_agents()
    if name in agents:
        return AlgoSpec(name, agents[name], "blackbox")
    raise SB3_ALGOS.error(spec, hint="".join(f", {agent}" for agent in sorted(agents)) + " or path.py:Class")


def check_hyperparams(algo: AlgoSpec, hyper: dict) -> None:
    """``ValueError`` naming hyperparameters the algorithm's constructor does not take (and the valid ones)."""
    params = inspect.signature(algo.cls.__init__).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    if algo.kind == "sb3":
        check_noise(algo.name, hyper, "action_noise" in params)
        hyper = {k: v for k, v in hyper.items() if k not in NOISE_KEYS}
    if takes_any:
        return
    valid = sorted(set(params) - {"self", "env", "policy", "space"})
    unknown = sorted(set(hyper) - set(valid))
    if unknown:
        raise ValueError(f"hyperparameter(s) {unknown} unknown for {algo.name!r}: expected among {valid}")
    for name, value in hyper.items():
        default = params[name].default
        expected = _expected_kind(default)
        if expected and not _is_kind(value, expected):
            raise ValueError(f"hyperparameter {name}={value!r} is invalid for {algo.name!r}: expected {expected} "
                             f"(default {default!r})")


def _expected_kind(default: Any) -> str:
    """The kind of value a constructor argument takes, judged by its default ('' when unknown)."""
    if isinstance(default, bool):
        return "a boolean"
    if isinstance(default, int):
        return "an integer"
    if isinstance(default, float):
        return "a number"
    return ""


def _is_kind(value: Any, kind: str) -> bool:
    if kind == "a boolean":
        return isinstance(value, bool)
    if kind == "an integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, int | float) and not isinstance(value, bool)
