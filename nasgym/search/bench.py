"""The benchmark harness: every agent x seed on equal evaluation budgets, one TensorBoard, one results table.

    python train.py bench --env nasgym/EdgeTPU-ZeroCost-v0 \
        --agents random,evolution,reinforce,ppo,maskable_ppo,nsga2 --evaluations 500 --seeds 5 [--jobs 2]
        [--ray-address local|auto|HOST:PORT]    # each agent x seed run as a Ray task (pip install 'nasgym[ray]')

    from nasgym.search import BenchConfig, bench
    bench(BenchConfig(env="nasgym/EdgeTPU-ZeroCost-v0", agents=["random", "evolution"], evaluations=50, seeds=2))

Each run is an ordinary :func:`nasgym.search.run` logged to ``LOGDIR/<agent>/seed<k>`` (so ``tensorboard --logdir
LOGDIR`` shows them all, and rerunning resumes from the evaluation cache). Afterwards the harness writes ``bench.md``
and ``bench.csv`` (mean ± std over seeds of the best reward at the budget and of the hypervolume of accuracy vs
latency, and evaluations needed to reach 95 % of the best reward seen by any run) and ``best_reward.png`` (best
reward so far vs evaluations, mean and min-max band over seeds). On an env whose evaluator is kind ``surrogate`` the
table also counts the runs whose best architecture is in the true top 1 % by the measured data and the evaluations
each run needs to reach that top 1 %, and the plot marks that threshold (definition: :mod:`nasgym.search.true_top`);
other envs' tables are unchanged.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nasgym.files import atomic_path, atomic_write_text
from nasgym.search.algos import resolve_algo
from nasgym.search.runner import RunConfig, run
from nasgym.search.true_top import MIN_RANDOM, TrueTop, true_top_of

DEFAULT_AGENTS = ("random", "evolution", "reinforce", "ppo", "maskable_ppo", "nsga2")


@dataclass
class BenchConfig:
    """A benchmark: every agent of ``agents`` x ``seeds`` seeds from ``first_seed``, ``evaluations`` each, under
    ``logdir``.

    Attributes:
        env: A Gymnasium id, definition id or YAML path.
        agents: Algorithm names or ``path.py:Class``.
        evaluations: Evaluation budget of every run.
        seeds: Number of seeds for every agent: ``first_seed .. first_seed + seeds - 1``.
        logdir: Root folder of all runs (one TensorBoard).
        jobs: Runs in parallel processes.
        ray_address: Run every agent x seed as a Ray task (log dir and cache on a filesystem all nodes share).
        hyperparams_dir: Folder with ``<agent>.yaml`` hyperparameter files (optional).
        first_seed: The first seed (e.g. tune on seeds 100.. and report on 0..: two independent samples).
    """

    env: str = "nasgym/EdgeTPU-ZeroCost-v0"
    agents: list[str] = field(default_factory=lambda: list(DEFAULT_AGENTS))
    evaluations: int = 500
    seeds: int = 5
    logdir: str = "runs/bench"
    jobs: int = 1
    ray_address: str | None = None
    hyperparams_dir: str | None = None
    first_seed: int = 0

    def __post_init__(self) -> None:
        for name in ("evaluations", "seeds", "jobs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"--{name}={value} is invalid: expected a positive integer")
        if isinstance(self.first_seed, bool) or not isinstance(self.first_seed, int) or self.first_seed < 0:
            raise ValueError(f"--first-seed={self.first_seed} is invalid: expected a non-negative integer")
        given, self.agents = self.agents, [a.strip() for a in self.agents if a.strip()]
        if not self.agents:
            raise ValueError(f"--agents={','.join(given)!r} is invalid: expected comma-separated algorithm names")

    def check(self) -> None:
        """Fail before any run starts: every agent resolves, Ray is installed and its address answers."""
        for agent in self.agents:
            resolve_algo(agent)
        if self.ray_address:
            from nasgym.parallel.ray_executor import check_address, require_ray

            require_ray()
            check_address(self.ray_address)


@dataclass
class AgentRun:
    """What the table needs from one agent x seed run."""

    agent: str
    seed: int
    rewards: list[float]
    hypervolume: float
    best_arch: str = ""  # arch string of the best logged row (the first of equal rewards)
    logged: list[dict] = field(default_factory=list, repr=False)  # the logged rows, without the arch JSON

    @property
    def best_so_far(self) -> np.ndarray:
        """Running maximum of the reward, one entry per evaluation."""
        return np.maximum.accumulate(np.asarray(self.rewards, dtype=float))


def _run_one(env: str, agent: str, seed: int, evaluations: int, logdir: str, hyperparams: str | None) -> AgentRun:
    """One run (in this process or a worker); returns its per-evaluation rewards."""
    result = run(RunConfig(env=env, algo=agent, evaluations=evaluations, seed=seed, logdir=logdir, progress=False,
                           references="none", hyperparams=hyperparams))
    rows = result.rows[:evaluations]
    rewards = [float(r["reward"]) for r in rows]
    best = rows[int(np.argmax(rewards))]["arch_string"] if rows else ""
    logged = [{k: v for k, v in row.items() if k != "arch"} for row in rows]
    return AgentRun(agent, seed, rewards, result.hypervolume, best, logged)


def run_bench(config: BenchConfig) -> list[AgentRun]:
    """Run (or resume) every agent x seed; results in agent, seed order."""
    root = Path(config.logdir)
    jobs = []
    for agent in config.agents:
        label = agent_label(agent)
        hyper = None
        if config.hyperparams_dir and (Path(config.hyperparams_dir) / f"{label}.yaml").is_file():
            hyper = str(Path(config.hyperparams_dir) / f"{label}.yaml")
        for seed in range(config.first_seed, config.first_seed + config.seeds):
            jobs.append((config.env, agent, seed, config.evaluations, str(root / label / f"seed{seed}"), hyper))
    if config.ray_address:
        from nasgym.parallel.ray_executor import map_tasks

        def report(i: int, result: AgentRun) -> None:
            print(f"[{i + 1}/{len(jobs)}] {agent_label(result.agent)} seed {result.seed}: best reward "
                  f"{max(result.rewards):.4f}", flush=True)

        return map_tasks(_run_one, jobs, config.ray_address, on_result=report)
    if config.jobs == 1:
        results = []
        for n, job in enumerate(jobs, 1):
            results.append(_run_one(*job))
            print(f"[{n}/{len(jobs)}] {agent_label(job[1])} seed {job[2]}: best reward "
                  f"{max(results[-1].rewards):.4f}", flush=True)
        return results
    with ProcessPoolExecutor(config.jobs) as pool:
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


def summarize(results: Sequence[AgentRun], top: TrueTop | None = None) -> list[dict]:
    """One row per agent: best reward and hypervolume (mean, std over seeds) and evaluations to 95 % of best; with
    ``top`` (a surrogate env) also the runs whose best architecture is in the true top 1 %, the evaluations until
    the first architecture in it (mean over the runs that log one) and the threshold."""
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
        if top is not None:
            hits = [top.hit(r.best_arch) for r in runs]
            first = [x for x in (top.first_hit(r.logged) for r in runs) if x is not None]
            rows[-1].update({
                "runs_in_true_top_1pct": math.nan if None in hits else sum(bool(h) for h in hits),
                "evals_to_true_top_1pct_mean": float(np.mean(first)) if first else math.nan,
                "runs_reaching_true_top_1pct": len(first),
                "true_top_1pct_threshold": top.threshold, "true_top_1pct_random_archs": top.n_random,
                "true_top_1pct_random_hit_rate": top.random_hit_rate,
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
    top = bool(rows) and "runs_in_true_top_1pct" in rows[0]
    if top:
        lines[0] += " " + true_top_note(rows[0])
        lines[2] += " runs in true top 1 % | evals to true top 1 % |"
        lines[3] += "---:|---:|"
    for r in rows:
        reach = "never" if math.isnan(r["evals_to_95pct_mean"]) else f"{r['evals_to_95pct_mean']:.0f}"
        lines.append(f"| {r['agent']} | {r['seeds']} | {r['best_reward_mean']:.4f} ± {r['best_reward_std']:.4f} | "
                     f"{r['hypervolume_mean']:.4f} ± {r['hypervolume_std']:.4f} | {reach} | "
                     f"{r['runs_reaching_95pct']}/{r['seeds']} |")
        if top:
            hits = r["runs_in_true_top_1pct"]
            lines[-1] += f" {'-' if math.isnan(hits) else int(hits)}/{r['seeds']} | {first_hit_cell(r)} |"
    return "\n".join(lines) + "\n"


def first_hit_cell(row: dict) -> str:
    """The 'evals to true top 1 %' cell: the mean, with the share of runs when not all of them got there."""
    if math.isnan(row["true_top_1pct_threshold"]):
        return "-"
    reached, seeds = row["runs_reaching_true_top_1pct"], row["seeds"]
    if not reached:
        return "never"
    mean = f"{row['evals_to_true_top_1pct_mean']:.0f}"
    return mean if reached == seeds else f"{mean} ({reached}/{seeds})"


def true_top_note(row: dict) -> str:
    """The sentence defining the 'runs in true top 1 %' column (values of a summary row)."""
    n, threshold = row["true_top_1pct_random_archs"], row["true_top_1pct_threshold"]
    if math.isnan(threshold):
        return (f"'runs in true top 1 %': '-', the data has {n} uniform random architectures with >= 2 seeds: "
                f"expected >= {MIN_RANDOM} for a 99th percentile.")
    return (f"'runs in true top 1 %': runs whose best architecture (highest logged reward) has a reward >= "
            f"{threshold:.4f}, with the surrogate's noise-free mean accuracy; the threshold is the 99th percentile of "
            f"the env's reward of the data's {n} uniform random architectures (source 'random', >= 2 seeds) scored "
            f"with their measured mean accuracy, latency simulated as in the env. Of those {n} architectures "
            f"{100 * row['true_top_1pct_random_hit_rate']:.1f} % reach it with their surrogate reward (1 % if both "
            "sides agreed). 'evals to true top 1 %': mean evaluations until a run first evaluates an architecture "
            "whose noise-free reward reaches it, over the runs that do (their share in brackets when not all).")


def plot_best_reward(results: Sequence[AgentRun], path: Path, title: str, threshold: float | None = None) -> None:
    """Best reward so far vs evaluations: mean over seeds with a min-max band, one line per agent (and the true top
    1 % threshold as a dashed line when given)."""
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
    if threshold is not None and math.isfinite(threshold):
        ax.axhline(threshold, color="black", linestyle="--", linewidth=1, label="true top 1 % (measured data)")
    ax.set_xlabel("evaluations")
    ax.set_ylabel("best reward so far")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp)
    plt.close(fig)


def write_outputs(results: Sequence[AgentRun], config: BenchConfig) -> str:
    """bench.md, bench.csv and best_reward.png in the log dir; returns the Markdown table."""
    root = Path(config.logdir)
    root.mkdir(parents=True, exist_ok=True)
    top = true_top_of(config.env)
    rows = summarize(results, top)
    text = table_markdown(rows, config.env)
    atomic_write_text(root / "bench.md", text)
    with atomic_path(root / "bench.csv") as tmp, open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    plot_best_reward(results, root / "best_reward.png", f"{config.env}: best reward vs evaluations",
                     top.threshold if top is not None else None)
    return text


def bench(config: BenchConfig) -> str:
    """Check ``config``, run (or resume) every agent x seed, write the outputs; returns the Markdown table."""
    config.check()
    return write_outputs(run_bench(config), config)
