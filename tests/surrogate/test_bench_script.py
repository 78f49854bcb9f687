"""benchmarks/surrogate_bench.py: both suites on the committed surrogate env, with a tiny budget."""

from __future__ import annotations

import csv

from benchmark_scripts import benchmark_module

from nasgym.search.true_top import true_top_of


def test_both_suites_write_tables_with_the_true_top_column(tmp_path, monkeypatch, capsys):
    with benchmark_module("surrogate_bench") as sb:
        monkeypatch.setitem(sb.SUITES, "discrete", (sb.SUITES["discrete"][0],
                                                        ["random", "successive_halving", "evolution"]))
        monkeypatch.setitem(sb.SUITES, "box", (sb.SUITES["box"][0], ["ppo"]))
        argv = ["--evaluations", "20", "--seeds", "1", "--jobs", "1", "--logdir", str(tmp_path), "--skip", "evolution"]
        assert sb.main(argv) == 0
        out = capsys.readouterr().out
        assert "Env `nasgym/EdgeTPU-Surrogate-v0`; 20 evaluations per run" in out
        assert "Env `nasgym/EdgeTPU-Surrogate-Box-v0`; 20 evaluations per run" in out
        assert out.count("runs in true top 1 % |") == 2
        for agent in ("random", "successive_halving", "ppo"):
            assert f"| {agent} | 1 | " in out
        assert "| evolution |" not in out  # --skip
        assert out.count("| agent | mean reward, first 8 | share in true top 1 % |") == 2
        top = true_top_of(sb.SUITES["discrete"][0])
        with open(tmp_path / "discrete" / "random" / "seed0" / "evaluations.csv", newline="") as f:
            first = [top.true_reward(row["arch_string"]) for row in list(csv.DictReader(f))[:8]]
        share = sum(r >= top.threshold for r in first) / 8
        assert f"| random | {sum(first) / 8:.4f} | {share:.3f} |" in out
        for suite, runs in (("discrete", 2), ("box", 1)):
            assert len(list((tmp_path / suite).glob("*/seed0/evaluations.csv"))) == runs
            assert (tmp_path / suite / "best_reward.png").stat().st_size > 10_000


def test_unknown_suite_is_one_line(capsys):
    with benchmark_module("surrogate_bench") as sb:
        assert sb.main(["--suites", "discrete,boxes"]) == 2
    assert capsys.readouterr().err == ("error: --suites='discrete,boxes' is invalid: expected comma-separated among "
                                       "discrete, box\n")
