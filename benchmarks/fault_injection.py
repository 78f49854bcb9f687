"""Fault injection at scale: runs killed (``kill -9``) at many points, rerun, compared with uninterrupted runs.

    python benchmarks/fault_injection.py [--trials 3] [--write]

Uses the harness of the reliability tests (``tests/reliability/fault_train.py``: the fast fake-evaluator env and
self-inflicted SIGKILLs at the N-th evaluation, inside the N-th cache transaction, half-way through the N-th CSV
row, or during the N-th SB3 checkpoint) plus SIGKILLs from outside at random moments. For every agent x fault,
``--trials`` kill points are drawn (seeded); each trial kills a run, reruns the same command and checks: rows
logged before the kill that the final log lacks (lost), duplicate or surplus rows, whether the architecture
sequence equals the uninterrupted run's, and SQLite's integrity check of the cache. With ``--write`` the table
goes into the "Reliability: fault injection" section of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import _bootstrap  # noqa: F401  (repository root on sys.path, one BLAS thread)
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "reliability"))

from reliability_helpers import argv, hashes, rows_of, run, run_killed_after  # noqa: E402
from results_md import write_section  # noqa: E402

SECTION = "Reliability: fault injection"
# (label, algo, extra arguments, budget, faults); eval/sqlite faults happen in SubprocVecEnv workers with --n-envs 2
CASES = [
    ("evolution", "evolution", (), 60, ("eval", "sqlite", "csv", "random")),
    ("ppo", "ppo", (), 40, ("eval", "sqlite", "csv", "checkpoint", "random")),
    ("dqn", "dqn", (), 40, ("eval", "csv", "checkpoint", "random")),
    ("ppo --n-envs 2", "ppo", ("--n-envs", "2"), 36, ("csv", "checkpoint", "random")),
]
FAULT_TEXT = {"eval": "kill -9 while evaluating #N", "sqlite": "kill -9 inside cache write #N",
              "csv": "kill -9 mid-row #N of the CSV", "checkpoint": "kill -9 during checkpoint #N",
              "random": "kill -9 from outside, random moment"}


def trial(root: Path, algo: str, extra: tuple, budget: int, fault: str, rng: np.random.Generator,
          reference: list[str]) -> dict:
    """One kill + rerun; the outcome counts."""
    args = argv(root / "run", algo, "--checkpoint-every", "4", *extra, evaluations=budget)
    if fault == "random":
        code = run_killed_after(args, root / "cache", rows=int(rng.integers(2, budget - 4)),
                                extra_delay=float(rng.uniform(0, 0.3)))
    else:
        n = int(rng.integers(1, 3)) if fault == "checkpoint" else int(rng.integers(2, budget - 4))  # >= 2 happen
        code = run(args, root / "cache", fault=f"{fault}:{n}").returncode
    before = hashes(root / "run") if (root / "run" / "evaluations.csv").exists() else []
    before = before[:-1] if (root / "run" / "evaluations.csv").exists() and not (
        root / "run" / "evaluations.csv").read_text().endswith("\n") else before  # a cut-off row is not a result
    resumed = run(args, root / "cache")
    final = hashes(root / "run") if resumed.returncode == 0 else []
    numbers = [int(r["evaluation"]) for r in rows_of(root / "run")] if final else []
    cache = root / "cache" / "evaluations.sqlite"
    integrity = sqlite3.connect(cache).execute("PRAGMA integrity_check").fetchone()[0] if cache.exists() else "ok"
    return {"killed": code == -9, "rerun_ok": resumed.returncode == 0,
            "lost": sum(1 for i, h in enumerate(before) if i >= len(final) or final[i] != h),
            "extra": max(len(final) - budget, 0) + len(numbers) - len(set(numbers)),
            "identical": final == reference, "integrity": integrity == "ok"}


def main(argv_: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--trials", type=int, default=3, help="kill points per agent x fault")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--agents", help="comma-separated labels of the cases to run (default: all)")
    p.add_argument("--write", action="store_true", help=f"replace the '{SECTION}' section of RESULTS.md")
    args = p.parse_args(argv_)
    rng = np.random.default_rng(args.seed)
    lines = ["| agent | fault | trials | killed | rerun ok | rows lost | duplicate/surplus rows | "
             "= uninterrupted | cache integrity ok |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    totals = np.zeros(7, dtype=int)
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        for label, algo, extra, budget, faults in CASES:
            if args.agents and label not in args.agents.split(","):
                continue
            ref_root = Path(tmp) / f"ref-{label.replace(' ', '_')}"
            assert run(argv(ref_root / "run", algo, *extra, evaluations=budget), ref_root / "cache").returncode == 0
            reference = hashes(ref_root / "run")
            for fault in faults:
                outcomes = [trial(Path(tmp) / f"{label.replace(' ', '_')}-{fault}-{t}", algo, extra, budget, fault,
                                  rng, reference) for t in range(args.trials)]
                counts = [len(outcomes), sum(o["killed"] for o in outcomes), sum(o["rerun_ok"] for o in outcomes),
                          sum(o["lost"] for o in outcomes), sum(o["extra"] for o in outcomes),
                          sum(o["identical"] for o in outcomes), sum(o["integrity"] for o in outcomes)]
                totals += counts
                lines.append(f"| {label} ({budget}) | {FAULT_TEXT[fault]} | " + " | ".join(map(str, counts)) + " |")
                print(lines[-1], flush=True)
    lines.append("| **all** | | " + " | ".join(f"**{c}**" for c in totals) + " |")
    table = "\n".join(lines)
    print(table)
    if args.write:
        body = (f"`benchmarks/fault_injection.py --trials {args.trials}` ({time.strftime('%Y-%m-%d')}, "
                f"{time.monotonic() - start:.0f} s on 2 shared cores): runs on the fast fake-evaluator env killed at "
                "drawn points (N uniform over the run; random moments: a delay after a drawn row count), then "
                "rerun with the same command. 'killed': the kill landed before the run finished; 'rows lost': rows "
                "complete on file before the kill that the final log lacks; '= uninterrupted': same architectures "
                "in the same order as a never-interrupted run with the same seed. Faults other than kills: the "
                "next section.\n\n" + table)
        write_section(SECTION, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
