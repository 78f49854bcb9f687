"""nasgym-Bench agent benchmark (issue 15, part 3): every agent and SB3 algorithm on the surrogate env.

Two ``train.py bench`` runs at equal budgets: on ``nasgym/EdgeTPU-Surrogate-v0`` (discrete actions) the black-box
agents, multi-fidelity successive halving included, and the SB3 algorithms of discrete actions; on
``nasgym/EdgeTPU-Surrogate-Box-v0`` the algorithms that need a Box action space (SAC, TD3, DDPG) with PPO as the link
between the two tables (the action mode changes what a policy sees, not the architectures it can build). Each table
has the columns "runs in true top 1 %" and "evals to true top 1 %" (by the measured data,
:mod:`nasgym.search.true_top`). Runs are ordinary ``train.py`` runs under ``runs/bench-surrogate/{discrete,box}/``
(one TensorBoard; rerunning resumes finished and partial runs), ``--write`` puts each suite's table and plot into
its section of ``benchmarks/RESULTS.md``::

    nice -n 10 .venv/bin/python benchmarks/surrogate_bench.py --evaluations 2000 --seeds 5 --jobs 2 [--write]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import _bootstrap  # noqa: F401  (repository root on sys.path, one BLAS thread)
import numpy as np
from results_md import write_section

from nasgym.search.bench import AgentRun, BenchConfig, agent_label, run_bench, write_outputs
from nasgym.search.true_top import TrueTop, true_top_of

ROOT = Path(__file__).resolve().parent.parent
SECTION = "nasgym-Bench: search agents on the surrogate env"
SUITES = {  # name -> (env, agents)
    "discrete": ("nasgym/EdgeTPU-Surrogate-v0",
                 ["random", "evolution", "reinforce", "nsga2", "successive_halving", "ppo", "maskable_ppo", "a2c",
                  "trpo", "recurrent_ppo", "ars", "dqn", "qrdqn"]),
    "box": ("nasgym/EdgeTPU-Surrogate-Box-v0", ["sac", "td3", "ddpg", "ppo"]),
}

OPENING = 8  # first evaluations: before PPO's first update (256 steps = 8.5 episodes), DQN still near-random
MULTI_FIDELITY_NOTE = (" `successive_halving` spends the same budget in full-evaluation equivalents (an evaluation at "
                       "fidelity f costs f; fidelities 0.25 and 0.5 are the data's learning-curve points).")


def opening_markdown(results: list[AgentRun], top: TrueTop) -> str:
    """Per agent, the mean noise-free reward of the first :data:`OPENING` evaluations of its runs and their share in
    the true top 1 %: what an agent's starting distribution gives before it learns (SB3's unmasked discrete actions
    are canonicalized to the nearest valid index, which is not uniform over the valid choices)."""
    lines = [f"The opening: the first {OPENING} evaluations of every run (mostly before any learning), noise-free "
             "reward mean and share in the true top 1 %"
             + (" (`successive_halving` logs the architecture it recommends per unit of budget, chosen at lower "
                "fidelities first)" if any(r.agent == "successive_halving" for r in results) else "") + ":", "",
             f"| agent | mean reward, first {OPENING} | share in true top 1 % |", "|---|---:|---:|"]
    for agent in dict.fromkeys(r.agent for r in results):
        rewards = np.concatenate([top.true_rewards(r.logged[:OPENING]) for r in results if r.agent == agent])
        lines.append(f"| {agent_label(agent)} | {rewards.mean():.4f} | {np.mean(rewards >= top.threshold):.3f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--evaluations", type=int, default=2000, help="evaluation budget of every run")
    p.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 of every agent")
    p.add_argument("--jobs", type=int, default=2, help="runs in parallel processes")
    p.add_argument("--suites", default=",".join(SUITES), help=f"comma-separated, among {', '.join(SUITES)}")
    p.add_argument("--skip", default="", help="comma-separated agents of the suites to leave out this time")
    p.add_argument("--logdir", type=Path, default=ROOT / "runs" / "bench-surrogate", help="root of all runs")
    p.add_argument("--write", action="store_true", help="write the RESULTS.md section and the plots")
    args = p.parse_args(argv)
    suites = [s.strip() for s in args.suites.split(",") if s.strip()]
    unknown = [s for s in suites if s not in SUITES]
    if unknown or not suites:
        print(f"error: --suites={args.suites!r} is invalid: expected comma-separated among {', '.join(SUITES)}",
              file=sys.stderr)
        return 2
    skip = {a.strip() for a in args.skip.split(",") if a.strip()}
    for name in suites:
        env, every = SUITES[name]
        agents = [a for a in every if a not in skip]
        try:
            config = BenchConfig(env=env, agents=agents, evaluations=args.evaluations, seeds=args.seeds,
                                 logdir=str(args.logdir / name), jobs=args.jobs)
            start = time.time()
            config.check()
            results = run_bench(config)  # bench(config), keeping the runs for the opening table
            table = write_outputs(results, config)
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        opening = opening_markdown(results, true_top_of(env))
        print(table, opening, sep="\n", flush=True)
        if args.write:
            png = f"bench_surrogate_{name}.png"
            skipped = f" --skip {','.join(sorted(skip & set(every)))}" if skip & set(every) else ""
            shutil.copyfile(args.logdir / name / "best_reward.png", ROOT / "benchmarks" / png)
            intro = (f"`benchmarks/surrogate_bench.py --suites {name} --evaluations {args.evaluations} --seeds "
                     f"{args.seeds}{skipped}` ({time.strftime('%Y-%m-%d')}; {time.time() - start:.0f} s wall with "
                     f"{args.jobs} jobs for the runs not done before); default hyperparameters of every agent "
                     "(`nasgym/search/algos.py`, `agents/`).")
            intro += MULTI_FIDELITY_NOTE * ("successive_halving" in agents)
            write_section(f"{SECTION} ({name} actions)",
                          f"{intro}\n\n{table.strip()}\n\n{opening}\n![best reward vs evaluations]({png})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
