"""Exploration noise of TD3 and DDPG on ``nasgym/EdgeTPU-Surrogate-Box-v0``: the default ``noise_std``, chosen.

Each ``noise_std`` of :data:`STDS` (0: ``noise_type: none``, SB3's default) is one ``train.py bench`` of TD3 and
DDPG on the tuning seeds 100.. (the agent benchmark reports on seeds 0..4, an independent sample), 2,000 evaluations
per run. Per algorithm and std: best reward, distinct architectures evaluated, evaluations until the first one in
the true top 1 % (:mod:`nasgym.search.true_top`). The rule: the std of the highest best reward, averaged over both
algorithms and the tuning seeds, becomes the default (``_ACTION_NOISE`` in ``nasgym/search/algos.py``; the script
says whether it is). Runs live under ``runs/action-noise/`` and resume::

    nice -n 10 .venv/bin/python benchmarks/action_noise.py --jobs 2 [--write]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import _bootstrap  # noqa: F401  (repository root on sys.path, one BLAS thread)
import numpy as np
import yaml
from results_md import write_section

from nasgym.files import atomic_write_text
from nasgym.search.algos import sb3_defaults
from nasgym.search.bench import AgentRun, BenchConfig, first_hit_cell, run_bench, summarize
from nasgym.search.true_top import true_top_of

ROOT = Path(__file__).resolve().parent.parent
ENV = "nasgym/EdgeTPU-Surrogate-Box-v0"
ALGOS = ("td3", "ddpg")
STDS = (0.0, 0.1, 0.2, 0.4, 0.8, 1.6)
SECTION = "Action noise of TD3 and DDPG (surrogate Box env, tuning seeds)"


def hyperparams_of(std: float) -> dict:
    """The hyperparameters of one setting (over nasgym's defaults)."""
    return {"noise_type": "none"} if std == 0 else {"noise_type": "normal", "noise_std": std}


def run_setting(std: float, args: argparse.Namespace) -> list[AgentRun]:
    """TD3 and DDPG at ``std`` on the tuning seeds (resumed where done)."""
    root = args.logdir / f"std{std:g}"
    (root / "hyperparams").mkdir(parents=True, exist_ok=True)
    for algo in ALGOS:
        atomic_write_text(root / "hyperparams" / f"{algo}.yaml", yaml.safe_dump(hyperparams_of(std)))
    return run_bench(BenchConfig(env=ENV, agents=list(ALGOS), evaluations=args.evaluations, seeds=args.seeds,
                                 first_seed=args.first_seed, logdir=str(root), jobs=args.jobs,
                                 hyperparams_dir=str(root / "hyperparams")))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--evaluations", type=int, default=2000, help="evaluation budget of every run")
    p.add_argument("--seeds", type=int, default=2, help="tuning seeds per setting")
    p.add_argument("--first-seed", type=int, default=100, help="the first tuning seed")
    p.add_argument("--jobs", type=int, default=2, help="runs in parallel processes")
    p.add_argument("--logdir", type=Path, default=ROOT / "runs" / "action-noise", help="root of all runs")
    p.add_argument("--write", action="store_true", help="write the RESULTS.md section")
    args = p.parse_args(argv)
    start, top = time.time(), true_top_of(ENV)
    lines = ["| algorithm | noise_std | best reward | distinct architectures | evals to true top 1 % | runs in true "
             "top 1 % |", "|---|---:|---:|---:|---:|---:|"]
    score = {}
    for std in STDS:
        results = run_setting(std, args)
        score[std] = float(np.mean([r.best_so_far[-1] for r in results]))
        for row in summarize(results, top):
            runs = [r for r in results if r.agent == row["agent"]]
            distinct = np.mean([len({x["arch_string"] for x in r.logged}) for r in runs])
            lines.append(f"| {row['agent']} | {'none' if std == 0 else std:} | {row['best_reward_mean']:.4f} ± "
                         f"{row['best_reward_std']:.4f} | {distinct:.0f} | {first_hit_cell(row)} | "
                         f"{row['runs_in_true_top_1pct']}/{row['seeds']} |")
    chosen = max(score, key=score.get)
    default = sb3_defaults("td3").get("noise_std") if sb3_defaults("td3").get("noise_type") == "normal" else 0.0
    verdict = (f"chosen: noise_std {chosen:g} (mean best reward {score[chosen]:.4f} over both algorithms and "
               f"seeds); nasgym's default (`_ACTION_NOISE`): {default:g}"
               + ("" if default == chosen else " -- differs: update nasgym/search/algos.py"))
    table = "\n".join(lines)
    print(table, "\n", verdict, sep="", flush=True)
    if args.write:
        seeds = f"{args.first_seed}..{args.first_seed + args.seeds - 1}"
        intro = (f"`benchmarks/action_noise.py --evaluations {args.evaluations} --seeds {args.seeds} --first-seed "
                 f"{args.first_seed}` ({time.strftime('%Y-%m-%d')}; {time.time() - start:.0f} s wall with "
                 f"{args.jobs} jobs for the runs not done before). Env `{ENV}`, seeds {seeds} (the agent benchmark "
                 "reports on seeds 0..4), nasgym's other defaults; 'none' is SB3's default (no noise). Best reward "
                 "mean ± std over seeds; distinct architectures: mean per run; evals to true top 1 %: mean over "
                 "the runs that get there (their share in brackets when not all).")
        write_section(SECTION, f"{intro}\n\n{table}\n\nRule: the highest mean best reward; {verdict}.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
