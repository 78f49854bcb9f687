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
import sys
import time
from pathlib import Path

from nasgym.search import BenchConfig, RunConfig, run
from nasgym.search import bench as run_bench
from nasgym.search.bench import DEFAULT_AGENTS

DEMO_REFERENCES = ("mobilenet_edgetpu_v2_tiny", "mobilenet_v2_1.0")
DEMO_ENVS = {"classification": "EdgeTPU-Proxy-FashionMNIST", "segmentation": "EdgeTPU-FashionMosaic-Segmentation",
             "text": "EdgeTPU-TweetSentiment-Text"}


def parse_args(argv: list[str]) -> RunConfig:
    """The run described by the arguments of the train command (``ValueError`` for an invalid value)."""
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
    return RunConfig(env=args.env, algo=args.algo, seed=args.seed, evaluations=args.evaluations,
                     timesteps=args.timesteps, n_envs=args.n_envs, workers=args.workers, ray_address=args.ray_address,
                     hyperparams=args.hyperparams, cache=args.cache, logdir=args.logdir, references=args.references,
                     reference_accuracy=args.reference_accuracy, progress=not args.no_progress,
                     tensorboard=not args.no_tensorboard, checkpoint_every=args.checkpoint_every)


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
    config = parse_args(["--env", env, "--algo", ns.algo, "--evaluations", str(ns.evaluations), "--seed",
                       str(ns.seed), "--logdir", logdir, "--references", ",".join(DEMO_REFERENCES),
                       "--reference-accuracy", with_accuracy]
                      + (["--hyperparams", str(hyper)] if ns.algo == "maskable_ppo" else [])
                      + (["--no-progress"] if ns.no_progress else []))
    print(f"demo: {ns.algo} on {env}, {ns.evaluations} evaluations; first run also trains the reference nets "
          f"{', '.join(DEMO_REFERENCES) if with_accuracy != 'none' else '(latency only)'} (all results are cached)",
          flush=True)
    print(run(config).summary())


def parse_bench_args(argv: list[str]) -> BenchConfig:
    """The benchmark described by the arguments of ``train.py bench``."""
    p = argparse.ArgumentParser(prog="train.py bench", description="Every agent x seed on equal evaluation budgets.")
    p.add_argument("--env", default=BenchConfig.env, help="a Gymnasium id, definition id or YAML path")
    p.add_argument("--agents", default=",".join(DEFAULT_AGENTS), help="comma-separated algorithm names or "
                   "path.py:Class")
    p.add_argument("--evaluations", type=int, default=BenchConfig.evaluations, help="evaluation budget of every run")
    p.add_argument("--seeds", type=int, default=BenchConfig.seeds, help="number of seeds for every agent")
    p.add_argument("--first-seed", type=int, default=BenchConfig.first_seed, help="the first seed (seeds K..K+N-1)")
    p.add_argument("--logdir", default=BenchConfig.logdir, help="root folder of all runs (one TensorBoard)")
    p.add_argument("--jobs", type=int, default=BenchConfig.jobs, help="runs in parallel processes")
    p.add_argument("--ray-address", help="run every agent x seed as a Ray task: 'local', 'auto', HOST:PORT (log dir "
                   "and cache on a filesystem all nodes share)")
    p.add_argument("--hyperparams-dir", help="folder with <agent>.yaml hyperparameter files (optional)")
    args = p.parse_args(argv)
    return BenchConfig(env=args.env, agents=args.agents.split(","), evaluations=args.evaluations, seeds=args.seeds,
                       logdir=args.logdir, jobs=args.jobs, ray_address=args.ray_address,
                       hyperparams_dir=args.hyperparams_dir, first_seed=args.first_seed)


def bench(argv: list[str]) -> None:
    """`train.py bench`: every agent x seed on equal evaluation budgets (see nasgym/search/bench.py)."""
    config = parse_bench_args(argv)
    print(run_bench(config))
    print(f"plot: {Path(config.logdir) / 'best_reward.png'}  (TensorBoard: .venv/bin/tensorboard --logdir "
          f"{config.logdir})")


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
            print(run(parse_args(argv)).summary())
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

