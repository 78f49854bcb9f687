"""The benchmark harness: every agent x seed on equal evaluation budgets, one TensorBoard, one results table.

    python train.py bench --env nasgym/EdgeTPU-ZeroCost-v0 \
        --agents random,evolution,reinforce,ppo,maskable_ppo,nsga2 --evaluations 500 --seeds 5 [--jobs 2]
        [--ray-address local|auto|HOST:PORT]    # each agent x seed run as a Ray task (pip install 'nasgym[ray]')

Each run is an ordinary ``train.py`` run logged to ``LOGDIR/<agent>/seed<k>`` (so ``tensorboard --logdir LOGDIR``
shows them all, and rerunning resumes from the evaluation cache). Afterwards the harness writes ``bench.md`` and
``bench.csv`` (mean ± std over seeds of the best reward at the budget and of the hypervolume of accuracy vs latency,
and evaluations needed to reach 95 % of the best reward seen by any run) and ``best_reward.png`` (best reward so far
vs evaluations, mean and min-max band over seeds).
"""

from __future__ import annotations

import argparse
import csv
import math
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_AGENTS = "random,evolution,reinforce,ppo,maskable_ppo,nsga2"
Runner = Callable[[list[str]], object]  # train.py arguments -> the run's closed SearchLogger


@dataclass
class RunResult:
    """What the table needs from one agent x seed run."""

    agent: str
    seed: int
    rewards: list[float]
    hypervolume: float

    @property
    def best_so_far(self) -> np.ndarray:
        """Running maximum of the reward, one entry per evaluation."""
        return np.maximum.accumulate(np.asarray(self.rewards, dtype=float))


def parse_bench_args(argv: Sequence[str]) -> argparse.Namespace:
    """Arguments of ``train.py bench``."""
    p = argparse.ArgumentParser(prog="train.py bench", description="Every agent x seed on equal evaluation budgets.")
    p.add_argument("--env", default="nasgym/EdgeTPU-ZeroCost-v0", help="a Gymnasium id, definition id or YAML path")
    p.add_argument("--agents", default=DEFAULT_AGENTS, help="comma-separated algorithm names or path.py:Class")
    p.add_argument("--evaluations", type=int, default=500, help="evaluation budget of every run")
    p.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 for every agent")
    p.add_argument("--logdir", default="runs/bench", help="root folder of all runs (one TensorBoard)")
    p.add_argument("--jobs", type=int, default=1, help="runs in parallel processes")
    p.add_argument("--ray-address", help="run every agent x seed as a Ray task: 'local', 'auto', HOST:PORT (log dir "
                   "and cache on a filesystem all nodes share)")
    p.add_argument("--hyperparams-dir", help="folder with <agent>.yaml hyperparameter files (optional)")
    args = p.parse_args(list(argv))
    for name in ("evaluations", "seeds", "jobs"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name}={getattr(args, name)} is invalid: expected a positive integer")
    args.agent_list = [a.strip() for a in args.agents.split(",") if a.strip()]
    if not args.agent_list:
        raise ValueError(f"--agents={args.agents!r} is invalid: expected comma-separated algorithm names")
    from nasgym.algos import resolve_algo

    for agent in args.agent_list:
        resolve_algo(agent)  # fail before any run starts
    if args.ray_address:
        from nasgym.parallel.ray_executor import check_address, require_ray

        require_ray()
        check_address(args.ray_address)
    return args


def _run_one(runner: Runner, env: str, agent: str, seed: int, evaluations: int, logdir: str,
             hyperparams: str | None) -> RunResult:
    """One train.py run (in this process or a worker); returns its per-evaluation rewards."""
    argv = ["--env", env, "--algo", agent, "--evaluations", str(evaluations), "--seed", str(seed), "--logdir",
            logdir, "--no-progress", "--references", "none"]
    if hyperparams:
        argv += ["--hyperparams", hyperparams]
    logger = runner(argv)
    rows = logger.rows[:evaluations]
    return RunResult(agent, seed, [float(r["reward"]) for r in rows], float(logger.hv))


def run_bench(args: argparse.Namespace, runner: Runner) -> list[RunResult]:
    """Run (or resume) every agent x seed through ``runner``; results in agent, seed order."""
    root = Path(args.logdir)
    jobs = []
    for agent in args.agent_list:
        label = agent_label(agent)
        hyper = None
        if args.hyperparams_dir and (Path(args.hyperparams_dir) / f"{label}.yaml").is_file():
            hyper = str(Path(args.hyperparams_dir) / f"{label}.yaml")
        for seed in range(args.seeds):
            jobs.append((runner, args.env, agent, seed, args.evaluations, str(root / label / f"seed{seed}"), hyper))
    if args.ray_address:
        from nasgym.parallel.ray_executor import map_tasks

        def report(i: int, result: RunResult) -> None:
            print(f"[{i + 1}/{len(jobs)}] {agent_label(result.agent)} seed {result.seed}: best reward "
                  f"{max(result.rewards):.4f}", flush=True)

        return map_tasks(_run_one, jobs, args.ray_address, on_result=report)
    if args.jobs == 1:
        results = []
        for n, job in enumerate(jobs, 1):
            results.append(_run_one(*job))
            print(f"[{n}/{len(jobs)}] {agent_label(job[2])} seed {job[3]}: best reward "
                  f"{max(results[-1].rewards):.4f}", flush=True)
        return results
    with ProcessPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(_run_one, *job) for job in jobs]
        return [future.result() for future in futures]


def agent_label(agent: str) -> str:
    """Folder/table name of an agent spec (the class name for ``path.py:Class``)."""
    return agent.split(":", 1)[1].lower() if ":" in agent else agent.lower().replace("-", "_")


def evaluations_to_reach(best_so_far: np.ndarray, threshold: float) -> int | None:
    """1-based evaluation at which the running best first reaches ``threshold`` (None if never)."""
    hits = np.flatnonzero(best_so_far >= threshold)
    return int(hits[0]) + 1 if hits.size else None


def threshold_of(best: float, fraction: float = 0.95) -> float:
    """``fraction`` of the best reward, for positive and negative rewards alike (within 5 % of |best|)."""
    return best - (1 - fraction) * abs(best)


def summarize(results: Sequence[RunResult]) -> list[dict]:
    """One row per agent: best reward and hypervolume (mean, std over seeds) and evaluations to 95 % of best."""
    best_seen = max(max(r.rewards) for r in results)
    threshold = threshold_of(best_seen)
    rows = []
    for agent in dict.fromkeys(r.agent for r in results):
        runs = [r for r in results if r.agent == agent]
        best = np.array([r.best_so_far[-1] for r in runs])
        hv = np.array([r.hypervolume for r in runs])
        reach = [evaluations_to_reach(r.best_so_far, threshold) for r in runs]
        reached = [x for x in reach if x is not None]
        rows.append({
            "agent": agent_label(agent), "seeds": len(runs), "evaluations": len(runs[0].rewards),
            "best_reward_mean": float(best.mean()), "best_reward_std": float(best.std()),
            "hypervolume_mean": float(hv.mean()), "hypervolume_std": float(hv.std()),
            "evals_to_95pct_mean": float(np.mean(reached)) if reached else math.nan,
            "runs_reaching_95pct": len(reached), "threshold": threshold,
        })
    return rows


def table_markdown(rows: Sequence[dict], env: str) -> str:
    """The results table as Markdown."""
    threshold = rows[0]["threshold"] if rows else math.nan
    lines = [
        f"Env `{env}`; {rows[0]['evaluations'] if rows else 0} evaluations per run; mean ± std over seeds. "
        f"'evals to 95 %': mean evaluations until the running best reward reaches {threshold:.4f} (95 % of the best "
        "reward seen by any run), over the runs that reach it.",
        "",
        "| agent | seeds | best reward | hypervolume (acc vs latency) | evals to 95 % | runs reaching |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        reach = "never" if math.isnan(r["evals_to_95pct_mean"]) else f"{r['evals_to_95pct_mean']:.0f}"
        lines.append(f"| {r['agent']} | {r['seeds']} | {r['best_reward_mean']:.4f} ± {r['best_reward_std']:.4f} | "
                     f"{r['hypervolume_mean']:.4f} ± {r['hypervolume_std']:.4f} | {reach} | "
                     f"{r['runs_reaching_95pct']}/{r['seeds']} |")
    return "\n".join(lines) + "\n"


def plot_best_reward(results: Sequence[RunResult], path: Path, title: str) -> None:
    """Best reward so far vs evaluations: mean over seeds with a min-max band, one line per agent."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for agent in dict.fromkeys(r.agent for r in results):
        curves = [r.best_so_far for r in results if r.agent == agent]
        n = min(len(c) for c in curves)
        stack = np.stack([c[:n] for c in curves])
        x = np.arange(1, n + 1)
        line, = ax.plot(x, stack.mean(0), label=agent_label(agent))
        ax.fill_between(x, stack.min(0), stack.max(0), color=line.get_color(), alpha=0.15)
    ax.set_xlabel("evaluations")
    ax.set_ylabel("best reward so far")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    tmp = path.with_name(path.stem + ".tmp.png")
    fig.savefig(tmp)
    plt.close(fig)
    tmp.replace(path)


def write_outputs(results: Sequence[RunResult], args: argparse.Namespace) -> str:
    """bench.md, bench.csv and best_reward.png in the log dir; returns the Markdown table."""
    root = Path(args.logdir)
    root.mkdir(parents=True, exist_ok=True)
    rows = summarize(results)
    text = table_markdown(rows, args.env)
    for name, content in (("bench.md", text),):
        tmp = root / f".{name}.tmp"
        tmp.write_text(content)
        tmp.replace(root / name)
    tmp = root / ".bench.csv.tmp"
    with open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(root / "bench.csv")
    plot_best_reward(results, root / "best_reward.png", f"{args.env}: best reward vs evaluations")
    return text


def bench(argv: Sequence[str], runner: Runner) -> None:
    """``train.py bench``: run the harness through ``runner`` (train.py's run) and print the table."""
    args = parse_bench_args(argv)
    results = run_bench(args, runner)
    print(write_outputs(results, args))
    print(f"plot: {Path(args.logdir) / 'best_reward.png'}  (TensorBoard: .venv/bin/tensorboard --logdir {args.logdir})")
