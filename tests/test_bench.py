"""The benchmark harness: summary statistics (exact), nasgym.search.bench from Python and `train.py bench`."""

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nasgym.search import AgentRun, BenchConfig, bench
from nasgym.search.bench import evaluations_to_reach, summarize, table_markdown, threshold_of

ROOT = Path(__file__).resolve().parents[1]


def test_evaluations_to_reach_and_threshold():
    best = np.maximum.accumulate(np.array([0.1, 0.5, 0.4, 0.9, 1.0]))
    assert evaluations_to_reach(best, 0.5) == 2
    assert evaluations_to_reach(best, 0.95) == 5
    assert evaluations_to_reach(best, 1.5) is None
    assert threshold_of(1.0) == pytest.approx(0.95)
    assert threshold_of(-2.0) == pytest.approx(-2.1)


def test_summarize_exact_values():
    results = [
        AgentRun("random", 0, [0.2, 0.5, 0.6, 0.6], 0.3),
        AgentRun("random", 1, [0.1, 0.2, 0.3, 0.4], 0.1),
        AgentRun("evolution", 0, [0.3, 0.9, 1.0, 0.2], 0.5),
        AgentRun("evolution", 1, [0.5, 0.97, 0.5, 0.5], 0.7),
    ]
    rows = {row["agent"]: row for row in summarize(results)}
    assert rows["random"]["best_reward_mean"] == pytest.approx(0.5)
    assert rows["random"]["best_reward_std"] == pytest.approx(0.1)
    assert rows["random"]["hypervolume_mean"] == pytest.approx(0.2)
    assert rows["random"]["runs_reaching_95pct"] == 0 and math.isnan(rows["random"]["evals_to_95pct_mean"])
    assert rows["evolution"]["best_reward_mean"] == pytest.approx(0.985)
    assert rows["evolution"]["evals_to_95pct_mean"] == pytest.approx(2.5)  # threshold 0.95: evaluation 3 and 2
    text = table_markdown(list(rows.values()), "nasgym/X-v0")
    assert "| evolution | 2 | 0.9850 ± 0.0150 | 0.6000 ± 0.1000 | 2 | 2/2 |" in text
    assert "| random | 2 | 0.5000 ± 0.1000 | 0.2000 ± 0.1000 | never | 0/2 |" in text


def test_bad_bench_arguments(tmp_path):
    with pytest.raises(ValueError, match="--evaluations=0 is invalid"):
        BenchConfig(evaluations=0)
    with pytest.raises(ValueError, match="algorithm 'hillclimb' is unknown"):
        bench(BenchConfig(agents=["random", "hillclimb"], logdir=str(tmp_path / "bench")))
    assert not (tmp_path / "bench").exists()  # checked before any run
    with pytest.raises(ValueError, match="--agents=',' is invalid"):
        BenchConfig(agents=["", ""])


def test_bench_cli_errors_are_one_line():
    result = subprocess.run([sys.executable, "train.py", "bench", "--agents", ","], capture_output=True, text=True,
                            cwd=ROOT, timeout=300)
    assert result.returncode == 2
    assert result.stderr == "error: --agents=',' is invalid: expected comma-separated algorithm names\n"


@pytest.mark.slow
def test_bench_end_to_end(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NASGYM_CACHE", str(tmp_path / "cache"))
    logdir = tmp_path / "bench"
    table = bench(BenchConfig(env="nasgym/EdgeTPU-ZeroCost-v0", agents=["random", "evolution"], evaluations=5,
                              seeds=2, logdir=str(logdir)))
    assert table == (logdir / "bench.md").read_text()
    for agent in ("random", "evolution"):
        for seed in (0, 1):
            with open(logdir / agent / f"seed{seed}" / "evaluations.csv", newline="") as f:
                assert len(list(csv.DictReader(f))) == 5
    with open(logdir / "bench.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [row["agent"] for row in rows] == ["random", "evolution"]
    assert all(row["seeds"] == "2" and row["evaluations"] == "5" for row in rows)
    assert (logdir / "best_reward.png").stat().st_size > 10_000
    assert "| random | 2 |" in (logdir / "bench.md").read_text()
    assert "| evolution | 2 |" in table
    assert "[4/4] evolution seed 1: best reward" in capsys.readouterr().out


def test_first_seed_runs_an_independent_sample_of_seeds(tmp_path):
    logdir = tmp_path / "bench"
    bench(BenchConfig(env="nasgym/EdgeTPU-Surrogate-v0", agents=["random"], evaluations=3, seeds=2, first_seed=100,
                      logdir=str(logdir)))
    assert sorted(p.name for p in (logdir / "random").iterdir()) == ["seed100", "seed101"]
    for seed in (100, 101):
        assert json.loads((logdir / "random" / f"seed{seed}" / "run.json").read_text())["args"]["seed"] == seed
    with pytest.raises(ValueError, match=r"^--first-seed=-1 is invalid: expected a non-negative integer$"):
        BenchConfig(first_seed=-1)
