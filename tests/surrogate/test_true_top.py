"""The true top 1 % of a surrogate env (train.py bench's extra column) on synthetic data whose answer is computed
here independently: threshold, hits, the calibration rate, the bench table and the envs that keep today's table."""

from __future__ import annotations

import csv
import gzip
import math

import numpy as np
import pytest
import yaml
from surrogate_helpers import TINY_SPEC, synthetic_rows

import nasgym
from nasgym.hw import make_cost_model
from nasgym.quality import make_evaluator
from nasgym.search import AgentRun, BenchConfig, bench
from nasgym.search.bench import summarize, table_markdown
from nasgym.search.true_top import true_top_of
from nasgym.surrogate.dataset import write_rows

TARGET, BETA = 0.5, -0.1
COST = make_cost_model({"kind": "edgetpu", "hardware": "tensor-g1"})


def reward(arch: nasgym.Architecture, accuracy: float) -> float:
    """The TuNAS abs reward of the test env, by hand."""
    return accuracy + BETA * abs(COST.evaluate(arch)["latency_ms"] / TARGET - 1)


@pytest.fixture(scope="module")
def data(tmp_path_factory, tiny_fingerprint):
    """250 random architectures (one of them with a single seed) and 40 from a 'run'."""
    rows = synthetic_rows(250, tiny_fingerprint)
    runs = synthetic_rows(40, tiny_fingerprint, seed=7)
    for row in runs:
        row["source"] = "run"
    rows = rows[1:] + runs  # the first architecture keeps only its seed 1
    path = tmp_path_factory.mktemp("top") / "data.csv.gz"
    write_rows(path, rows)
    return path


def env_yaml(tmp_path, data, **evaluator) -> str:
    path = tmp_path / "env.yaml"
    path.write_text(yaml.safe_dump({
        "id": "Top-Test", "space": "proxy", "cost": {"kind": "edgetpu", "hardware": "tensor-g1"},
        "evaluator": {"kind": "surrogate", "target": TINY_SPEC, "data": str(data), "members": 2, **evaluator},
        "reward": {"kind": "abs", "target_latency_ms": TARGET, "beta": BETA}, "cache": None}))
    return str(path)


def measured_random(path) -> dict[str, float]:
    """arch string -> mean accuracy of the random architectures with 2 seeds, read straight from the file."""
    with gzip.open(path, "rt", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["source"] == "random"]
    by: dict[str, list[float]] = {}
    for r in rows:
        by.setdefault(r["arch_string"], []).append(float(r["accuracy"]))
    return {a: float(np.mean(v)) for a, v in by.items() if len(v) == 2}


def first_hit_by_hand(rundir, threshold: float, surrogate) -> int | None:
    """1-based evaluation of the first logged architecture whose noise-free reward reaches ``threshold``."""
    with open(rundir / "evaluations.csv", newline="") as f:
        for row in csv.DictReader(f):
            arch = nasgym.Architecture.parse(row["arch_string"])
            if reward(arch, surrogate.evaluate(arch, 0)["accuracy"]) >= threshold:
                return int(row["evaluation"])
    return None


def test_threshold_hits_and_calibration_match_a_direct_computation(tmp_path, data):
    top = true_top_of(env_yaml(tmp_path, data))
    measured = measured_random(data)
    assert top.n_random == len(measured) == 249  # the single-seed one and the 40 'run' ones are left out
    expected = np.quantile([reward(nasgym.Architecture.parse(a), m) for a, m in measured.items()], 0.99)
    assert top.threshold == pytest.approx(expected, abs=1e-12)
    surrogate = make_evaluator({"kind": "surrogate", "target": TINY_SPEC, "data": str(data), "members": 2})

    def noise_free(arch):
        return reward(arch, surrogate.evaluate(arch, 0)["accuracy"])

    rate = np.mean([noise_free(nasgym.Architecture.parse(a)) >= expected for a in measured])
    assert top.random_hit_rate == pytest.approx(rate) and 0 < rate < 0.05  # 3 of 249: near the 1 % of a match
    space, rng = nasgym.load_space("proxy"), np.random.default_rng(11)
    ranked = sorted((space.sample(rng) for _ in range(400)), key=noise_free)
    best, worst = ranked[-1], ranked[0]
    assert top.true_reward(best) == pytest.approx(noise_free(best), abs=1e-9)
    assert top.hit(best.to_string()) is True and top.hit(worst) is False
    runs = [AgentRun("evolution", 0, [0.1, 0.2], 0.5, best.to_string()),
            AgentRun("evolution", 1, [0.1, 0.3], 0.5, worst.to_string()),
            AgentRun("evolution", 2, [0.3, 0.1], 0.5, best.to_string()),
            AgentRun("random", 0, [0.1, 0.1], 0.5, worst.to_string())]
    rows = {r["agent"]: r for r in summarize(runs, top)}
    assert rows["evolution"]["runs_in_true_top_1pct"] == 2 and rows["random"]["runs_in_true_top_1pct"] == 0
    text = table_markdown(list(rows.values()), "Top-Test")
    assert "| evals to 95 % | runs reaching | runs in true top 1 % | evals to true top 1 % |" in text
    assert "| 2/3 | 2/3 | never |" in text and "| never | 0/1 | 0/1 | never |" in text  # no logged rows here
    assert f"has a reward >= {expected:.4f}" in text and "data's 249 uniform random architectures" in text
    assert f"{100 * rate:.1f} % reach it" in text


def test_first_hit_uses_noise_free_rewards_from_the_row_or_the_cost_model(tmp_path, data):
    top = true_top_of(env_yaml(tmp_path, data))
    space, rng = nasgym.load_space("proxy"), np.random.default_rng(5)
    ranked = sorted((space.sample(rng) for _ in range(300)), key=top.true_reward)
    low, high = ranked[:3], ranked[-1]
    assert top.true_reward(high) >= top.threshold > top.true_reward(low[-1])

    def logged(arch, accuracy):  # a row as a run logs it (a noisy accuracy, the reward of that accuracy)
        cost = COST.evaluate(arch)
        return {"arch_string": arch.to_string(), "accuracy": accuracy, "reward": reward(arch, accuracy),
                "latency_ms": cost["latency_ms"], "energy_mj": cost["energy_mj"]}

    rows = [logged(a, 0.99) for a in low] + [logged(high, 0.1), logged(low[0], 0.5)]  # the noise misleads
    expected = [top.true_reward(a) for a in [*low, high, low[0]]]
    assert top.true_rewards(rows) == pytest.approx(expected, abs=1e-12)
    assert top.first_hit(rows) == 4 and top.first_hit(rows[:3]) is None and top.first_hit([]) is None
    bare = [{k: v for k, v in row.items() if k != "latency_ms"} for row in rows]  # the reward reads a missing figure
    assert top.true_rewards(bare) == pytest.approx(expected, abs=1e-12) and top.first_hit(bare) == 4
    run = AgentRun("evolution", 0, [r["reward"] for r in rows], 0.5, low[0].to_string(), rows)
    summary = summarize([run, AgentRun("evolution", 1, [0.1], 0.5, low[0].to_string(), rows[:1])], top)[0]
    assert summary["evals_to_true_top_1pct_mean"] == 4 and summary["runs_reaching_true_top_1pct"] == 1
    assert "| 0/2 | 4 (1/2) |" in table_markdown([summary], "Top-Test")


def test_too_few_random_architectures_give_no_threshold(tmp_path, tiny_fingerprint):
    rows = synthetic_rows(90, tiny_fingerprint)
    for row in rows[:60]:  # the first 30 architectures came from runs: 60 random ones remain
        row["source"] = "run"
    write_rows(tmp_path / "few.csv.gz", rows)
    top = true_top_of(env_yaml(tmp_path, tmp_path / "few.csv.gz"))
    assert top.n_random == 60 and math.isnan(top.threshold) and top.hit(rows[0]["arch_string"]) is None
    text = table_markdown(summarize([AgentRun("random", 0, [0.1], 0.2, rows[0]["arch_string"])], top), "X")
    assert "| 1/1 | -/1 | - |" in text
    assert "the data has 60 uniform random architectures with >= 2 seeds: expected >= 100" in text


def test_other_envs_keep_todays_table():
    assert true_top_of("nasgym/EdgeTPU-ZeroCost-v0") is None
    rows = summarize([AgentRun("random", 0, [0.2, 0.5], 0.3, "x")])
    assert "runs_in_true_top_1pct" not in rows[0]
    assert "true top" not in table_markdown(rows, "nasgym/EdgeTPU-ZeroCost-v0")


def test_bench_on_a_surrogate_env_counts_the_hits_of_each_run(tmp_path, data):
    env = env_yaml(tmp_path, data, noise=True)
    text = bench(BenchConfig(env=env, agents=["random", "evolution"], evaluations=40, seeds=2,
                             logdir=str(tmp_path / "bench")))
    top = true_top_of(env)
    surrogate = make_evaluator({"kind": "surrogate", "target": TINY_SPEC, "data": str(data), "members": 2})
    with open(tmp_path / "bench" / "bench.csv", newline="") as f:
        table = {r["agent"]: r for r in csv.DictReader(f)}
    for agent in ("random", "evolution"):
        hits = 0
        for seed in (0, 1):
            with open(tmp_path / "bench" / agent / f"seed{seed}" / "evaluations.csv", newline="") as f:
                logged = list(csv.DictReader(f))
            best = max(logged, key=lambda r: float(r["reward"]))  # first of equal rewards
            arch = nasgym.Architecture.parse(best["arch_string"])
            hits += reward(arch, surrogate.evaluate(arch, 0)["accuracy"]) >= top.threshold
        assert table[agent]["runs_in_true_top_1pct"] == str(hits)
        assert f"| {hits}/2 |" in text.split(f"| {agent} |")[1].splitlines()[0]
        first = [first_hit_by_hand(tmp_path / "bench" / agent / f"seed{seed}", top.threshold, surrogate)
                 for seed in (0, 1)]
        reached = [x for x in first if x is not None]
        assert int(table[agent]["runs_reaching_true_top_1pct"]) == len(reached)
        if reached:
            assert float(table[agent]["evals_to_true_top_1pct_mean"]) == pytest.approx(np.mean(reached))
    assert float(table["random"]["true_top_1pct_threshold"]) == pytest.approx(top.threshold)
