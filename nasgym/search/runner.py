"""One search run, described by a :class:`RunConfig` and independent of the command line.

``run(RunConfig(env=..., algo=..., evaluations=...))`` checks everything a user can get wrong before the run folder
is touched (one-line ``ValueError``), opens (or resumes) the run folder, trains an SB3 algorithm
(:mod:`nasgym.search.sb3`) or drives a black-box agent (:mod:`nasgym.search.blackbox`) until the budget is logged,
and returns a :class:`RunResult`. ``train.py`` only parses its arguments into a :class:`RunConfig`.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nasgym.envs_config import EnvConfig, load_env_config, make_env
from nasgym.files import read_yaml
from nasgym.search.algos import AlgoSpec, check_hyperparams, resolve_algo
from nasgym.search.recorder import SearchLogger, quality_label
from nasgym.search.run_folder import RunFolder
from nasgym.space import reference, reference_names

DEFAULT_EVALUATIONS = 100  # the budget when neither evaluations nor timesteps is given


@dataclass
class RunConfig:
    """Everything that describes one search run (the arguments of ``train.py``).

    Attributes:
        env: A Gymnasium id (``nasgym/...``), a definition id (the action mode is then the algorithm's) or a YAML path.
        algo: An algorithm name (:func:`nasgym.search.algo_names`) or ``path.py:Class``.
        seed: Seed of the agent and of the evaluations.
        evaluations: Budget in evaluated architectures (episodes); the default budget when neither is given is
            ``DEFAULT_EVALUATIONS``.
        timesteps: Budget in environment steps (exclusive with ``evaluations``).
        n_envs: SB3 algorithms: parallel environments (subprocesses when > 1).
        workers: Black-box agents: evaluations in flight (local processes, or Ray tasks with ``ray_address``).
        ray_address: Evaluate on Ray: ``"local"``, ``"auto"``, ``HOST:PORT`` or ``ray://HOST:PORT``.
        hyperparams: Algorithm keyword arguments over the defaults: a mapping, or the path of a YAML mapping.
        cache: Evaluation cache path (default: the env definition's).
        logdir: Output folder (default ``runs/<env>-<algo>-s<seed>``).
        references: Reference nets marked in the plots: ``"all"``, ``"none"`` or comma-separated names.
        reference_accuracy: Reference nets whose accuracy is evaluated too (same forms; slow with training).
        progress: Show a progress bar.
        tensorboard: Write TensorBoard events (else CSV/JSON logs only).
        checkpoint_every: SB3 algorithms: checkpoint (for resuming) after this many new evaluations.
    """

    env: str
    algo: str = "ppo"
    seed: int = 0
    evaluations: int | None = None
    timesteps: int | None = None
    n_envs: int = 1
    workers: int = 1
    ray_address: str | None = None
    hyperparams: str | dict | None = None
    cache: str | None = None
    logdir: str | None = None
    references: str = "all"
    reference_accuracy: str = "none"
    progress: bool = True
    tensorboard: bool = True
    checkpoint_every: int = 10

    def __post_init__(self) -> None:
        for name in ("evaluations", "timesteps", "n_envs", "workers", "checkpoint_every"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"--{name.replace('_', '-')}={value} is invalid: expected a positive integer")
        if self.evaluations is not None and self.timesteps is not None:
            raise ValueError(f"--evaluations={self.evaluations} and --timesteps={self.timesteps} are both given: "
                             "expected one budget")

    @property
    def budget(self) -> tuple[str, int]:
        """``("evaluations" | "timesteps", amount)``."""
        if self.timesteps is not None:
            return "timesteps", self.timesteps
        return "evaluations", self.evaluations if self.evaluations is not None else DEFAULT_EVALUATIONS


@dataclass
class RunResult:
    """What a finished (or stopped) run logged: every evaluation row, the best one and the Pareto front."""

    logdir: Path
    rows: list[dict]
    best: dict | None
    front: list[dict]
    hypervolume: float
    reference_points: list[dict] = field(default_factory=list)

    @property
    def n_evaluations(self) -> int:
        """Evaluations logged."""
        return len(self.rows)

    @classmethod
    def of(cls, logger: SearchLogger) -> RunResult:
        """The result held by a (closed) logger."""
        return cls(logger.logdir, list(logger.rows), logger.best, list(logger.front), float(logger.hv),
                   list(logger.reference_points))

    def summary(self, top: int = 5) -> str:
        """The best architectures next to the reference nets, as a text table."""
        lines = [f"{'':<34} {'reward':>8} {'accuracy':>9} {'latency ms':>11}"]
        seen: set[str] = set()
        for row in sorted(self.rows, key=lambda r: -r["reward"]):
            if row["arch_hash"] in seen:
                continue
            seen.add(row["arch_hash"])
            lines.append(f"found #{len(seen)} (eval {row['evaluation']}, {row['arch_hash']})".ljust(34)
                         + f" {row['reward']:8.4f} {row['accuracy']:9.4f} {row['latency_ms']:11.3f}")
            if len(seen) >= top:
                break
        for point in self.reference_points:
            acc = point.get("accuracy")
            acc_text = f"{acc:9.4f}" if acc is not None and math.isfinite(acc) else f"{'-':>9}"
            lines.append(f"{point['name']:<34} {'-':>8} {acc_text} {point['latency_ms']:11.3f}")
        if any(p.get("accuracy") is not None for p in self.reference_points):
            lines.append("(reference nets: accuracy from the env's own evaluator, like every candidate; "
                         "latency simulated at the deployment input)")
        if self.best:
            lines.append(f"\nbest: {self.best['arch_string']}")
        lines.append(f"Pareto front: {len(self.front)} architectures, hypervolume {self.hypervolume:.4f}")
        lines.append(f"logs: {self.logdir}  (TensorBoard: .venv/bin/tensorboard --logdir {self.logdir.parent})")
        return "\n".join(lines)


def run(config: RunConfig) -> RunResult:
    """Run (or resume) one search as described by ``config``; returns what it logged.

    Raises:
        ValueError: A user mistake (one line naming the value and what was expected), before the run folder is
            created when it is in the arguments, the env definition, the hyperparameters or the cache file.
        OSError: The run folder or cache cannot be written (rerunning resumes).
    """
    algo = resolve_algo(config.algo)
    env_cfg = env_config(config.env, algo, config.seed, config.cache)
    logdir = Path(config.logdir or f"runs/{env_cfg.id}-{algo.name}-s{config.seed}")
    user_hyper = load_hyperparams(config.hyperparams)
    hyper = {**algo.defaults(), **user_hyper}
    validate(env_cfg, algo, hyper, config)
    target_latency = float(env_cfg.reward["target_latency_ms"])
    refs = reference_points(env_cfg, config.references, config.reference_accuracy)
    folder = RunFolder(logdir)
    folder.open(run_identity(env_cfg, algo, config, user_hyper),
                {"command": " ".join(sys.argv), "args": dataclasses.asdict(config),
                 "env": {**env_cfg.to_dict(), "cache": str(env_cfg.cache_path())}})
    try:
        logger = SearchLogger(logdir, 2.0 * target_latency, refs, tensorboard=config.tensorboard,
                              target_latency_ms=target_latency, quality_label=quality_label(env_cfg.evaluator))
        budget_kind, budget = config.budget
        hparams = {"algo": algo.name, "env": env_cfg.gym_id(), "seed": config.seed, budget_kind: budget,
                   "n_envs": config.n_envs, **{k: v for k, v in hyper.items() if k != "policy_kwargs"}}
        try:
            if algo.kind == "sb3":
                from nasgym.search.sb3 import run_sb3

                run_sb3(algo, env_cfg, hyper, logger, logdir, budget_kind, budget, config)
            else:
                from nasgym.search.blackbox import search_blackbox

                search_blackbox(algo, env_cfg, hyper, logger, budget_kind, budget, config)
        finally:
            logger.close(hparams)
    finally:
        folder.close()
    return RunResult.of(logger)


def env_config(env: str, algo: AlgoSpec, seed: int, cache: str | None) -> EnvConfig:
    """The env definition for ``env``, in the action mode the algorithm needs (checked for registered ids)."""
    overrides: dict[str, Any] = {"eval_seed": seed}
    if cache:
        overrides["cache"] = cache
    if not env.startswith("nasgym/"):
        overrides["action_mode"] = algo.action_mode
    config = load_env_config(env, **overrides)
    if config.cache is not None:  # resolved here, so subprocess envs share the very same file
        config.cache = str(config.cache_path().resolve())
    if config.action_mode not in algo.modes:
        hint = config.gym_id(algo.action_mode)
        space = make_env(config).action_space
        raise ValueError(f"algorithm {algo.name!r} does not support the action space {space} of {env!r}: use "
                         f"{hint} (or pass the definition id {config.id!r})")
    return config


def reference_points(config: EnvConfig, names: str, accuracy_of: str = "none") -> list[dict]:
    """Simulated latency of reference nets (``names``: 'all', 'none' or comma-separated) through the env's cost
    model, plus accuracy (through the env's evaluator and cache) for those in ``accuracy_of``."""
    def pick(text: str) -> list[str]:
        if text == "none":
            return []
        chosen = reference_names() if text == "all" else [n.strip() for n in text.split(",") if n.strip()]
        unknown = [n for n in chosen if n not in reference_names()]
        if unknown:
            raise ValueError(f"unknown reference net(s) {unknown}: expected names among {reference_names()}")
        return chosen

    chosen, with_accuracy = pick(names), set(pick(accuracy_of))
    env = make_env(config).unwrapped
    points = []
    for name in chosen + sorted(with_accuracy - set(chosen)):
        arch = reference(name)
        if name in with_accuracy:
            start = time.monotonic()
            info = env.evaluate(arch)
            points.append({"name": name, "latency_ms": info["latency_ms"], "accuracy": info["accuracy"]})
            print(f"reference {name}: accuracy {info['accuracy']:.4f}, latency {info['latency_ms']:.3f} ms "
                  f"({'cached' if info['cache_hit'] else f'{time.monotonic() - start:.0f} s'})", flush=True)
        else:
            points.append({"name": name, "latency_ms": float(env.cost_model.evaluate(arch)["latency_ms"])})
    env.close()
    return points


def load_hyperparams(source: str | dict | None) -> dict:
    """Algorithm keyword arguments: a mapping (copied) or the path of a YAML mapping (``None``: none)."""
    if isinstance(source, dict):
        return dict(source)
    if not source:
        return {}
    path = str(source)
    if not Path(path).is_file():
        raise ValueError(f"hyperparams file {path!r} does not exist: expected a YAML mapping of algorithm arguments")
    data = read_yaml(path, "hyperparams file", "a YAML mapping of algorithm arguments") or {}
    if not isinstance(data, dict):
        raise ValueError(f"hyperparams file {path!r} is invalid: expected a YAML mapping, got {type(data).__name__}")
    return data


def validate(config: EnvConfig, algo: AlgoSpec, hyper: dict, run_config: RunConfig) -> None:
    """Check everything a user can get wrong before the run folder is touched: the env definition's reward,
    evaluator and cost specs (built, which is cheap), the hyperparameters and the evaluation cache file."""
    from nasgym.hw import make_cost_model
    from nasgym.quality import EvaluationCache, make_evaluator
    from nasgym.rewards import make_reward

    make_reward(config.reward)
    if isinstance(config.evaluator, dict | str):
        make_evaluator(config.evaluator)
    if isinstance(config.cost, dict):
        make_cost_model(config.cost)
    check_hyperparams(algo, {k: v for k, v in hyper.items() if k != "policy"})
    if algo.kind == "blackbox":
        check_agent(algo, config, hyper, run_config.seed)
    if algo.kind == "blackbox" and run_config.n_envs != 1:
        raise ValueError(f"--n-envs={run_config.n_envs} is invalid for black-box agent {algo.name!r}: expected 1 (use "
                         "--workers K to keep K evaluations in flight)")
    if algo.kind == "sb3" and (run_config.workers != 1 or run_config.ray_address):
        raise ValueError(f"--workers/--ray-address are for black-box agents, not {algo.name!r}: expected --n-envs K "
                         "(vectorized environments) for SB3 algorithms")
    if run_config.ray_address:
        from nasgym.parallel.ray_executor import check_address, require_ray

        require_ray()
        check_address(run_config.ray_address)
    if config.cache is not None:
        EvaluationCache(config.cache_path()).close()  # a corrupt, read-only or misplaced cache fails here


def check_agent(algo: AlgoSpec, config: EnvConfig, hyper: dict, seed: int) -> None:
    """Build the black-box agent and bind it to a throwaway env of ``config`` (nothing is evaluated): an agent that
    cannot run on the env (``successive_halving`` on an evaluator without fidelities) or rejects its
    hyperparameters fails here, in one line, before the run folder exists."""
    from nasgym.search.blackbox import bind_agent

    env = make_env(config)
    try:
        try:
            agent = algo.cls(env.unwrapped.space, seed=seed, **hyper)
        except (TypeError, ValueError) as err:
            raise ValueError(f"hyperparameters {hyper} are invalid for {algo.name!r}: {err}") from None
        bind_agent(agent, env.unwrapped)
    finally:
        env.close()


def run_identity(config: EnvConfig, algo: AlgoSpec, run_config: RunConfig, user_hyper: dict) -> dict:
    """What decides which architectures a run evaluates; a log dir only continues a run of the same identity."""
    identity = {"env": config.gym_id(), "space": config.space, "cost": config.cost, "evaluator": config.evaluator,
                "reward": config.reward, "eval_seed": config.eval_seed, "algo": algo.name, "seed": run_config.seed,
                "hyperparams": user_hyper}
    if algo.kind == "sb3":
        identity["n_envs"] = run_config.n_envs
    elif run_config.workers > 1:  # evaluations in flight decide the proposals (not where they run: local or Ray)
        identity["workers"] = run_config.workers
    return identity
