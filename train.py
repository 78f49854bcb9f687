"""Train or run any search agent on any nasgym environment, logging every evaluation the same way.

    python train.py --env ID|envs/x.yaml --algo NAME|path.py:Class (--timesteps N | --evaluations N) --seed S
                    --logdir runs/NAME [--n-envs K] [--hyperparams FILE] [--cache PATH] [--no-progress]
                    [--workers K] [--ray-address ADDR]    # black-box agents: K evaluations in flight
    python train.py demo        # the short default search of `make demo`
    python train.py finalize RUN_DIR|ARCH [--epochs N] [--references NAME,...]   # final training
    python train.py sample RUN_DIR [-n N]                                        # roll out the trained policy
    python train.py export RUN_DIR|FINAL_DIR --format onnx|tflite-int8           # export + checks

Writes ``evaluations.csv``, ``pareto.csv``, ``best.json``, ``run.json`` and TensorBoard events (``nas/*`` tags, the
same for every agent) to the log dir; SB3 agents also save ``model.zip`` and periodic checkpoints. Rerunning the same
command (after a crash, Ctrl-C or with a larger budget) continues the run as if it had never stopped; a log dir
holding another run is refused. User mistakes end in one ``error: ...`` line (exit code 2).
"""

from __future__ import annotations

import argparse
import errno
import logging
import math
import sys
import time
from pathlib import Path
from typing import Any

import yaml

import nasgym
from nasgym.algos import AlgoSpec, check_hyperparams, resolve_algo, run_blackbox
from nasgym.envs_config import EnvConfig, load_env_config, make_env, yaml_error_text
from nasgym.logging import EpisodeLogger, SearchLogger, quality_label
from nasgym.run_folder import RunFolder
from nasgym.wrappers import episode_length

DEMO_REFERENCES = ("mobilenet_edgetpu_v2_tiny", "mobilenet_v2_1.0")
DEMO_ENVS = {"classification": "EdgeTPU-Proxy-FashionMNIST", "segmentation": "EdgeTPU-FashionMosaic-Segmentation",
             "text": "EdgeTPU-TweetSentiment-Text"}


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line arguments of the train command."""
    p = argparse.ArgumentParser(prog="train.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--env", required=True, help="a Gymnasium id (nasgym/...), a definition id or an env YAML path")
    p.add_argument("--algo", default="ppo", help="an algorithm name or path.py:Class")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--timesteps", type=int, help="environment steps to train for")
    budget.add_argument("--evaluations", type=int, help="architectures to evaluate (episodes)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--logdir", help="output folder (default runs/<env>-<algo>-s<seed>)")
    p.add_argument("--n-envs", type=int, default=1, help="parallel environments (SubprocVecEnv when > 1)")
    p.add_argument("--workers", type=int, default=1,
                   help="black-box agents: evaluations in flight (local processes, or Ray tasks with --ray-address)")
    p.add_argument("--ray-address", help="evaluate on Ray: 'local' (start one here), 'auto', HOST:PORT or "
                   "ray://HOST:PORT (pip install 'nasgym[ray]')")
    p.add_argument("--hyperparams", help="YAML file of algorithm keyword arguments (override the defaults)")
    p.add_argument("--cache", help="evaluation cache path (default: the env definition's)")
    p.add_argument("--references", default="all", help="reference nets to mark: 'all', 'none' or comma-separated")
    p.add_argument("--reference-accuracy", default="none",
                   help="reference nets whose accuracy to evaluate too (slow with a training evaluator; cached)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-tensorboard", action="store_true", help="CSV/JSON logs only")
    p.add_argument("--checkpoint-every", type=int, default=10,
                   help="SB3 agents: checkpoint (for resuming) after this many new evaluations")
    args = p.parse_args(argv)
    for name in ("timesteps", "evaluations", "n_envs", "workers", "checkpoint_every"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ValueError(f"--{name.replace('_', '-')}={value} is invalid: expected a positive integer")
    return args


def env_config(env: str, algo: AlgoSpec, seed: int, cache: str | None) -> EnvConfig:
    """The env definition for ``--env``, in the action mode the algorithm needs (checked for registered ids)."""
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
        chosen = nasgym.reference_names() if text == "all" else [n.strip() for n in text.split(",") if n.strip()]
        unknown = [n for n in chosen if n not in nasgym.reference_names()]
        if unknown:
            raise ValueError(f"unknown reference net(s) {unknown}: expected names among {nasgym.reference_names()}")
        return chosen

    chosen, with_accuracy = pick(names), set(pick(accuracy_of))
    env = make_env(config).unwrapped
    points = []
    for name in chosen + sorted(with_accuracy - set(chosen)):
        arch = nasgym.reference(name)
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


def load_hyperparams(path: str | None) -> dict:
    """Algorithm keyword arguments from a YAML mapping."""
    if not path:
        return {}
    if not Path(path).is_file():
        raise ValueError(f"hyperparams file {path!r} does not exist: expected a YAML mapping of algorithm arguments")
    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except yaml.YAMLError as err:
        raise ValueError(f"hyperparams file {path!r} is not valid YAML{yaml_error_text(err)}: expected a YAML mapping "
                         "of algorithm arguments") from None
    if not isinstance(data, dict):
        raise ValueError(f"hyperparams file {path!r} is invalid: expected a YAML mapping, got {type(data).__name__}")
    return data


def validate(config: EnvConfig, algo: AlgoSpec, hyper: dict, args: argparse.Namespace) -> None:
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
    if algo.kind == "blackbox" and args.n_envs != 1:
        raise ValueError(f"--n-envs={args.n_envs} is invalid for black-box agent {algo.name!r}: expected 1 (use "
                         "--workers K to keep K evaluations in flight)")
    if algo.kind == "sb3" and (args.workers != 1 or args.ray_address):
        raise ValueError(f"--workers/--ray-address are for black-box agents, not {algo.name!r}: expected --n-envs K "
                         "(vectorized environments) for SB3 algorithms")
    if args.ray_address:
        from nasgym.parallel.ray_executor import check_address, require_ray

        require_ray()
        check_address(args.ray_address)
    if config.cache is not None:
        EvaluationCache(config.cache_path()).close()  # a corrupt, read-only or misplaced cache fails here


def run_identity(config: EnvConfig, algo: AlgoSpec, args: argparse.Namespace, user_hyper: dict) -> dict:
    """What decides which architectures a run evaluates; a log dir only continues a run of the same identity."""
    identity = {"env": config.gym_id(), "space": config.space, "cost": config.cost, "evaluator": config.evaluator,
                "reward": config.reward, "eval_seed": config.eval_seed, "algo": algo.name, "seed": args.seed,
                "hyperparams": user_hyper}
    if algo.kind == "sb3":
        identity["n_envs"] = args.n_envs
    elif args.workers > 1:  # evaluations in flight decide the proposals (not where they run: local or Ray)
        identity["workers"] = args.workers
    return identity


def run(args: argparse.Namespace) -> SearchLogger:
    """Run one search as described by the parsed ``args``; returns the (closed) logger."""
    algo = resolve_algo(args.algo)
    config = env_config(args.env, algo, args.seed, args.cache)
    logdir = Path(args.logdir or f"runs/{config.id}-{algo.name}-s{args.seed}")
    user_hyper = load_hyperparams(args.hyperparams)
    hyper = {**algo.defaults(), **user_hyper}
    validate(config, algo, hyper, args)
    target_latency = float(config.reward["target_latency_ms"])
    refs = reference_points(config, args.references, args.reference_accuracy)
    folder = RunFolder(logdir)
    folder.open(run_identity(config, algo, args, user_hyper),
                {"command": " ".join(sys.argv), "args": vars(args),
                 "env": {**config.to_dict(), "cache": str(config.cache_path())}})
    try:
        logger = SearchLogger(logdir, 2.0 * target_latency, refs, tensorboard=not args.no_tensorboard,
                              target_latency_ms=target_latency, quality_label=quality_label(config.evaluator))
        budget_kind = "evaluations" if args.timesteps is None else "timesteps"
        budget = args.evaluations if args.evaluations is not None else args.timesteps
        if budget is None:
            budget_kind, budget = "evaluations", 100
        hparams = {"algo": algo.name, "env": config.gym_id(), "seed": args.seed, budget_kind: budget,
                   "n_envs": args.n_envs, **{k: v for k, v in hyper.items() if k != "policy_kwargs"}}
        try:
            if algo.kind == "sb3":
                from nasgym.sb3_runner import run_sb3

                run_sb3(algo, config, hyper, logger, logdir, budget_kind, budget, args)
            else:
                _run_blackbox(algo, config, hyper, logger, budget_kind, budget, args)
        finally:
            logger.close(hparams)
    finally:
        folder.close()
    return logger


def _run_blackbox(algo: AlgoSpec, config: EnvConfig, hyper: dict, logger: SearchLogger, budget_kind: str,
                  budget: int, args: argparse.Namespace) -> None:
    env = make_env(config)
    evaluations = budget if budget_kind == "evaluations" else budget // episode_length(env)
    try:
        agent = algo.cls(env.unwrapped.space, seed=args.seed, **hyper)
    except (TypeError, ValueError) as err:
        raise ValueError(f"hyperparameters {hyper} are invalid for {algo.name!r}: {err}") from None
    if args.workers > 1 or args.ray_address:
        _run_batched(config, env, agent, logger, evaluations, args)
        return
    agent = _replay_blackbox(agent, env, logger)
    remaining = evaluations - logger.n_evaluations
    bar = _progress(remaining, "evaluations", args.no_progress)
    run_blackbox(EpisodeLogger(env, logger), agent, max(remaining, 0),
                 on_episode=lambda info: bar.update(1), seed=args.seed)
    bar.close()
    env.close()


def _run_batched(config: EnvConfig, env: Any, agent: Any, logger: SearchLogger, evaluations: int,
                 args: argparse.Namespace) -> None:
    """``--workers K`` / ``--ray-address``: K evaluations in flight (asynchronous ask/tell, nasgym.parallel)."""
    from nasgym.parallel import make_executor, run_batched

    executor = make_executor(config.evaluator, args.workers, args.ray_address)
    bar = _progress(evaluations - logger.n_evaluations, "evaluations", args.no_progress)
    try:
        run_batched(env, agent, evaluations, executor, logger, on_episode=lambda info: bar.update(1), seed=args.seed)
    finally:
        bar.close()
        executor.close()
        env.close()


def _replay_blackbox(agent: Any, env: Any, logger: SearchLogger) -> Any:
    """Resume: feed the logged evaluations back to the agent so its state (and RNG) continue where they were, and
    return the agent to continue with. Each proposal is checked against the log; from the first one that differs
    (rows lost to corruption) the log is cut there and that proposal is the first one evaluated live."""
    space = env.unwrapped.space
    rows = list(logger.rows)
    logger.begin_replay(0)
    for row in rows:
        proposal = [int(x) for x in agent.propose()]
        logged = space.encode(nasgym.Architecture.from_json(row["arch"]))
        if _canonical(space, proposal) != _canonical(space, logged):
            logger.end_replay()
            return _FirstProposal(agent, proposal)
        logger.record(row)  # re-admitted: not written or counted twice
        agent.observe(logged, float(row["reward"]), row)
    return agent


def _canonical(space: Any, indices: list[int]) -> Any:
    """The architecture the env builds from ``indices`` (invalid choices canonicalized), ``None`` if impossible."""
    if len(indices) != len(space.decisions):
        return None
    cursor = space.cursor()
    try:
        for index in indices:
            cursor.choose(index, canonicalize=True)
    except (ValueError, IndexError):
        return None
    return cursor.architecture()


class _FirstProposal:
    """``agent`` whose next ``propose()`` returns ``proposal`` (already drawn from it)."""

    def __init__(self, agent: Any, proposal: list[int]) -> None:
        self.agent, self.proposal = agent, proposal

    def propose(self) -> list[int]:
        if self.proposal is None:
            return self.agent.propose()
        proposal, self.proposal = self.proposal, None
        return proposal

    def observe(self, indices: list[int], reward: float, info: dict) -> None:
        self.agent.observe(indices, reward, info)


def _progress(total: int, unit: str, disabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=max(total, 0), unit=f" {unit}", disable=disabled, dynamic_ncols=True)


def summary(logger: SearchLogger, top: int = 5) -> str:
    """The best architectures next to the reference nets, as a text table."""
    lines = [f"{'':<34} {'reward':>8} {'accuracy':>9} {'latency ms':>11}"]
    ranked = sorted(logger.rows, key=lambda r: -r["reward"])
    seen: set[str] = set()
    for row in ranked:
        if row["arch_hash"] in seen:
            continue
        seen.add(row["arch_hash"])
        lines.append(f"found #{len(seen)} (eval {row['evaluation']}, {row['arch_hash']})".ljust(34)
                     + f" {row['reward']:8.4f} {row['accuracy']:9.4f} {row['latency_ms']:11.3f}")
        if len(seen) >= top:
            break
    for point in logger.reference_points:
        acc = point.get("accuracy")
        acc_text = f"{acc:9.4f}" if acc is not None and math.isfinite(acc) else f"{'-':>9}"
        lines.append(f"{point['name']:<34} {'-':>8} {acc_text} {point['latency_ms']:11.3f}")
    if any(p.get("accuracy") is not None for p in logger.reference_points):
        lines.append("(reference nets: accuracy under the env's own short proxy training, like every candidate; "
                     "latency simulated at the deployment input)")
    if logger.best:
        lines.append(f"\nbest: {logger.best['arch_string']}")
    lines.append(f"Pareto front: {len(logger.front)} architectures, hypervolume {logger.hv:.4f}")
    lines.append(f"logs: {logger.logdir}  (TensorBoard: .venv/bin/tensorboard --logdir {logger.logdir.parent})")
    return "\n".join(lines)


def demo(argv: list[str]) -> None:
    """`make demo`: a short MaskablePPO search on the proxy space (Fashion-MNIST classification by default)."""
    p = argparse.ArgumentParser(prog="train.py demo", description=demo.__doc__)
    p.add_argument("--task", default="classification", choices=sorted(DEMO_ENVS))
    p.add_argument("--evaluations", type=int, default=30)
    p.add_argument("--algo", default="maskable_ppo")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--logdir", help="default runs/demo/<date-time>")
    p.add_argument("--no-progress", action="store_true")
    ns = p.parse_args(argv)
    env = DEMO_ENVS[ns.task]
    logdir = ns.logdir or f"runs/demo/{time.strftime('%Y%m%d-%H%M%S')}"
    hyper = Path(__file__).resolve().parent / "envs" / "hyperparams" / "demo-maskable_ppo.yaml"
    # Reference nets are classification backbones: their accuracy is measured for the classification demo only.
    with_accuracy = ",".join(DEMO_REFERENCES) if ns.task == "classification" else "none"
    args = parse_args(["--env", env, "--algo", ns.algo, "--evaluations", str(ns.evaluations), "--seed",
                       str(ns.seed), "--logdir", logdir, "--references", ",".join(DEMO_REFERENCES),
                       "--reference-accuracy", with_accuracy]
                      + (["--hyperparams", str(hyper)] if ns.algo == "maskable_ppo" else [])
                      + (["--no-progress"] if ns.no_progress else []))
    print(f"demo: {ns.algo} on {env}, {ns.evaluations} evaluations; first run also trains the reference nets "
          f"{', '.join(DEMO_REFERENCES) if with_accuracy != 'none' else '(latency only)'} (all results are cached)",
          flush=True)
    logger = run(args)
    print(summary(logger))


def run_argv(argv: list[str]) -> SearchLogger:
    """One run from train.py arguments (what ``train.py bench`` calls for every agent x seed)."""
    return run(parse_args(argv))


def bench(argv: list[str]) -> None:
    """`train.py bench`: every agent x seed on equal evaluation budgets (see nasgym/bench.py)."""
    from nasgym.bench import bench as run_harness

    run_harness(argv, run_argv)


def finalize(argv: list[str]) -> None:
    """`train.py finalize SOURCE`: train an architecture for real (see nasgym/deploy/finalize.py)."""
    from nasgym.deploy.finalize import Recipe, finalize_references
    from nasgym.deploy.finalize import finalize as run_finalize
    from nasgym.deploy.source import TaskData, resolve

    p = argparse.ArgumentParser(prog="train.py finalize", description=finalize.__doc__)
    p.add_argument("source", help="run folder (its best architecture), architecture string / JSON file, reference")
    p.add_argument("--out", help="output folder (default RUN/final, or runs/final/<arch hash>)")
    defaults = Recipe()
    for name in ("epochs", "batch_size", "lr", "optimizer", "weight_decay", "label_smoothing", "warmup_epochs",
                 "shift", "seed", "train_images"):
        value = getattr(defaults, name)
        p.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value, help=f"default {value}")
    p.add_argument("--dataset", default="fashion_mnist", help="task of an architecture source (runs: their own)")
    p.add_argument("--canvas", type=int, default=0, help="canvas side of an architecture source's task (0 = none)")
    p.add_argument("--device", help="cpu, cuda, ... (default: cuda when available)")
    p.add_argument("--references", default="", help="comma-separated reference nets to train under the same recipe")
    ns = p.parse_args(argv)
    recipe = Recipe(**{name: getattr(ns, name) for name in vars(defaults)})
    source = resolve(ns.source)
    task = source.task(TaskData(ns.dataset, ns.canvas))
    out = Path(ns.out) if ns.out else (source.path / "final" if source.kind == "run"
                                       else Path("runs/final") / source.arch.hash)
    record = run_finalize(source, out, recipe, task, ns.device)
    rows = [("found" if source.kind == "run" else "architecture", record)]
    names = [n.strip() for n in ns.references.split(",") if n.strip()]
    rows += list(finalize_references(names, out, recipe, task, ns.device).items())
    print(f"\n{'':<30} {'params':>9} {'val acc':>8} {'test acc':>8}")
    for name, rec in rows:
        print(f"{name:<30} {rec['params']:>9,} {rec['val_accuracy']:8.4f} {rec['test_accuracy']:8.4f}")
    print(f"task {task.dataset}{f' on {task.canvas}x{task.canvas} canvases' if task.canvas else ''}, "
          f"{recipe.epochs} epochs; weights: {out / 'weights.pt'} (+ arch.json, final.json)\n"
          f"next: python train.py export {out} --format onnx")


def sample(argv: list[str]) -> None:
    """`train.py sample RUN_DIR`: roll out a run's trained policy (black-box runs: its best architectures)."""
    from nasgym.deploy.rollout import rollout, table

    p = argparse.ArgumentParser(prog="train.py sample", description=sample.__doc__)
    p.add_argument("run_dir")
    p.add_argument("-n", type=int, default=8, help="stochastic episodes after the deterministic one")
    p.add_argument("--seed", type=int, default=0)
    ns = p.parse_args(argv)
    print(table(rollout(ns.run_dir, ns.n, ns.seed)))


def export(argv: list[str]) -> None:
    """`train.py export SOURCE --format onnx|tflite-int8`: export a finalized network and check it."""
    from nasgym.deploy.export import FORMATS
    from nasgym.deploy.export import export as run_export
    from nasgym.deploy.source import resolve

    p = argparse.ArgumentParser(prog="train.py export", description=export.__doc__)
    p.add_argument("source", help="finalized folder, run folder (uses RUN/final) or architecture (--untrained)")
    p.add_argument("--format", required=True, help=f"one of {', '.join(FORMATS)}")
    p.add_argument("--out", help="output file (default next to the weights)")
    p.add_argument("--untrained", action="store_true", help="allow fresh weights (latency and compiler checks only)")
    p.add_argument("--images", type=int, default=512, help="validation images for the output check")
    p.add_argument("--hardware", help="simulate this hardware preset instead of the run's")
    ns = p.parse_args(argv)
    report = run_export(resolve(ns.source), ns.format, ns.out, ns.untrained, ns.images, ns.hardware)
    print("\n".join(report.lines()))
    if not report.check.ok:
        raise ValueError(f"the exported file {report.path} failed its output check (see above): expected agreement "
                         "with the torch network")


COMMANDS = {"demo": demo, "bench": bench, "finalize": finalize, "sample": sample, "export": export}


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``train.py [COMMAND] ARGS``; returns the exit code (2 for a user error, 130 for Ctrl-C).

    A user mistake (``ValueError`` and its subclasses, raised at the boundary with a message naming the value and
    what was expected) or a file-system error (disk full, no permission) prints one ``error: ...`` line, no
    traceback; warnings (repaired logs, unused checkpoints) print one ``warning: ...`` line each.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    nasgym_log = logging.getLogger("nasgym")
    if not any(isinstance(h, _OneLineHandler) for h in nasgym_log.handlers):
        nasgym_log.addHandler(_OneLineHandler())
    try:
        if argv and argv[0] in COMMANDS:
            COMMANDS[argv[0]](argv[1:])
        else:
            logger = run(parse_args(argv))
            print(summary(logger))
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"error: {describe_os_error(err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nstopped; rerun the same command to resume", file=sys.stderr)
        return 130
    return 0


class _OneLineHandler(logging.Handler):
    """``warning: message`` on the current ``sys.stderr`` (looked up at each record, so redirections apply)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        print(f"{record.levelname.lower()}: {record.getMessage()}", file=sys.stderr, flush=True)


def describe_os_error(err: OSError) -> str:
    """One line for a file-system error: what happened to which file and what to do."""
    where = f" ({err.filename})" if err.filename else ""
    if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return (f"no space left to write{where}: {err.strerror}; free some space and rerun the same command to "
                "resume (nothing already logged is lost)")
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"permission denied{where}: {err.strerror}; choose a writable --logdir / --cache"
    return f"{err.strerror or err}{where}"


if __name__ == "__main__":
    sys.exit(main())

