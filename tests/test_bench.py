"""The benchmark harness: summary statistics (exact), and an end-to-end run of `train.py bench`."""

import csv
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from nasgym.bench import RunResult, evaluations_to_reach, parse_bench_args, summarize, table_markdown, threshold_of

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import train  # noqa: E402


def test_evaluations_to_reach_and_threshold():
    best = np.maximum.accumulate(np.array([0.1, 0.5, 0.4, 0.9, 1.0]))
    assert evaluations_to_reach(best, 0.5) == 2
    assert evaluations_to_reach(best, 0.95) == 5
    assert evaluations_to_reach(best, 1.5) is None
    assert threshold_of(1.0) == pytest.approx(0.95)
    assert threshold_of(-2.0) == pytest.approx(-2.1)


def test_summarize_exact_values():
    results = [
        RunResult("random", 0, [0.2, 0.5, 0.6, 0.6], 0.3),
        RunResult("random", 1, [0.1, 0.2, 0.3, 0.4], 0.1),
        RunResult("evolution", 0, [0.3, 0.9, 1.0, 0.2], 0.5),
        RunResult("evolution", 1, [0.5, 0.97, 0.5, 0.5], 0.7),
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


def test_bad_bench_arguments():
    with pytest.raises(ValueError, match="--evaluations=0 is invalid"):
        parse_bench_args(["--evaluations", "0"])
    with pytest.raises(ValueError, match="unknown algorithm 'hillclimb'"):
        parse_bench_args(["--agents", "random,hillclimb"])
    with pytest.raises(ValueError, match="--agents=',' is invalid"):
        parse_bench_args(["--agents", ","])


@pytest.mark.slow
def test_bench_end_to_end(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NASGYM_CACHE", str(tmp_path / "cache"))
    logdir = tmp_path / "bench"
    code = train.main(["bench", "--env", "nasgym/EdgeTPU-ZeroCost-v0", "--agents", "random,evolution",
                       "--evaluations", "5", "--seeds", "2", "--logdir", str(logdir)])
    assert code == 0
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
    assert "| evolution | 2 |" in capsys.readouterr().out
