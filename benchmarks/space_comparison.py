"""The paper's claim, measured: does the GC-IBN space (edgetpu-v2) dominate the depthwise-only space (ibn-dw-only)?

Equal budgets and seeds in both spaces: each agent (default: random search and TuNAS REINFORCE) searches each space
for ``--evaluations`` architectures per seed, with the same quality evaluator (default: the zero-cost NASWOT proxy
of ``envs/edgetpu-zerocost.yaml``; ``--evaluator train`` for the short Fashion-MNIST training), the same simulated
Pixel 6 (Tensor G1) Edge TPU latency at 224x224x3 and the same TuNAS abs reward (target ``--target-ms``). Reported:
hypervolume of accuracy vs latency (reference point: accuracy 0, latency ``--hv-ms``) of each run's front and of the
union of all runs per space, plus the best reward. Also writes ``space_comparison_<evaluator>.png`` (both fronts).

Resumable through the evaluation cache (``benchmarks/.cache/space_<evaluator>.sqlite``):

    nice -n 10 .venv/bin/python benchmarks/space_comparison.py [--evaluations 100] [--seeds 2] [--write]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import _bootstrap  # noqa: E402,F401  (one thread, repo on sys.path)
import numpy as np  # noqa: E402
from results_md import write_section  # noqa: E402

from nasgym.agents import AGENTS  # noqa: E402
from nasgym.envs_config import load_env_config, make_env  # noqa: E402
from nasgym.pareto import hypervolume, pareto_front  # noqa: E402
from nasgym.search.blackbox import run_blackbox  # noqa: E402
from nasgym.search.recorder import EpisodeLogger, SearchLogger  # noqa: E402

SPACES = ("edgetpu-v2", "ibn-dw-only")
EVALUATORS = {
    "zero_cost": {"kind": "zero_cost", "dataset": "fashion_mnist", "threads": 1},
    "train": {"kind": "train", "dataset": "fashion_mnist", "steps": 60, "repeats": 1},
}
CACHE = ROOT / "benchmarks" / ".cache"


def run_search(space: str, agent: str, seed: int, args: argparse.Namespace) -> SearchLogger:
    """One search from scratch; evaluations come from the persistent cache when already done, so reruns are cheap."""
    config = load_env_config(
        "EdgeTPU-ZeroCost", space=space, evaluator=EVALUATORS[args.evaluator], eval_seed=seed,
        reward={"kind": "abs", "target_latency_ms": args.target_ms, "beta": -0.10},
        cache=str(CACHE / f"space_{args.evaluator}.sqlite"),
    )
    logdir = CACHE / "space_runs" / args.evaluator / space / agent / f"seed{seed}"
    shutil.rmtree(logdir, ignore_errors=True)
    logger = SearchLogger(logdir, args.hv_ms, tensorboard=False, image_every=0)
    env = make_env(config)
    run_blackbox(EpisodeLogger(env, logger), AGENTS[agent](env.unwrapped.space, seed=seed), args.evaluations,
                 seed=seed)
    env.close()
    logger.close()
    return logger


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--evaluations", type=int, default=100)
    p.add_argument("--seeds", type=int, default=2)
    p.add_argument("--agents", default="random,reinforce")
    p.add_argument("--evaluator", default="zero_cost", choices=sorted(EVALUATORS))
    p.add_argument("--target-ms", type=float, default=1.5)
    p.add_argument("--hv-ms", type=float, default=4.0)
    p.add_argument("--write", action="store_true", help="write the section into benchmarks/RESULTS.md")
    args = p.parse_args()
    agents = [a.strip() for a in args.agents.split(",")]
    table = {}
    union = {space: [] for space in SPACES}
    for space in SPACES:
        for agent in agents:
            hvs, bests = [], []
            for seed in range(args.seeds):
                logger = run_search(space, agent, seed, args)
                rows = logger.rows[: args.evaluations]
                union[space] += rows
                front = pareto_front(rows)
                hvs.append(hypervolume([(r["accuracy"], r["latency_ms"]) for r in front], args.hv_ms))
                bests.append(max(r["reward"] for r in rows))
                print(f"{space} {agent} seed {seed}: hv {hvs[-1]:.4f}, best reward {bests[-1]:.4f}", flush=True)
            table[space, agent] = (np.mean(hvs), np.std(hvs), np.mean(bests), np.std(bests))
    union_hv = {s: hypervolume([(r["accuracy"], r["latency_ms"]) for r in pareto_front(rows)], args.hv_ms)
                for s, rows in union.items()}
    lines = [
        f"Equal budgets and seeds: {args.evaluations} evaluations x {args.seeds} seeds per agent and space; quality "
        f"= `{args.evaluator}` evaluator on Fashion-MNIST; latency simulated on `tensor-g1` at 224x224x3; reward "
        f"TuNAS abs, target {args.target_ms} ms, beta -0.10. Hypervolume of accuracy vs latency against (accuracy 0, "
        f"{args.hv_ms} ms), normalized by {args.hv_ms} ms; mean ± std over seeds.",
        "",
        "| space | agent | hypervolume | best reward |",
        "|---|---|---:|---:|",
    ]
    for (space, agent), (hv, hv_sd, best, best_sd) in table.items():
        lines.append(f"| {space} | {agent} | {hv:.4f} ± {hv_sd:.4f} | {best:.4f} ± {best_sd:.4f} |")
    lines += ["", "| space | hypervolume of the union of all runs' fronts |", "|---|---:|"]
    lines += [f"| {space} | {union_hv[space]:.4f} |" for space in SPACES]
    png = f"space_comparison_{args.evaluator}.png"
    plot(union, args, CACHE / png)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        (ROOT / "benchmarks" / png).write_bytes((CACHE / png).read_bytes())
        write_section(f"The paper's claim: GC-IBN space vs depthwise-only space ({args.evaluator} quality)",
                      text + f"\n![fronts of both spaces]({png})\n")


def plot(union: dict, args: argparse.Namespace, path: Path) -> None:
    """All evaluated points and the union front of each space."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for space, rows in union.items():
        pts = ax.scatter([r["latency_ms"] for r in rows], [r["accuracy"] for r in rows], s=6, alpha=0.35,
                         label=f"{space} (evaluated)")
        front = pareto_front(rows)
        ax.step([r["latency_ms"] for r in front], [r["accuracy"] for r in front], where="post",
                color=pts.get_facecolor()[0][:3], label=f"{space} front")
    ax.set_xlim(0, args.hv_ms * 1.5)
    ax.set_xlabel("simulated latency on tensor-g1 (ms)")
    ax.set_ylabel(f"accuracy ({args.evaluator} evaluator)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


if __name__ == "__main__":
    main()
