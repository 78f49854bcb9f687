"""SB3 runs killed at any point (kill -9) and rerun log exactly what an uninterrupted run logs; budgets are exact."""

from __future__ import annotations

import json

import pytest
from reliability_helpers import argv, hashes, rows_of, run, run_killed_after

BUDGET = 40


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """Uninterrupted runs (seed 0) of the algorithms below, evaluated once per module."""
    root = tmp_path_factory.mktemp("reference")
    done = {}

    def get(algo: str, *extra: str, evaluations: int = BUDGET) -> list[str]:
        key = (algo, extra, evaluations)
        if key not in done:
            logdir = root / f"{algo}-{len(done)}"
            result = run(argv(logdir, algo, *extra, evaluations=evaluations), root / "cache")
            assert result.returncode == 0, result.stderr
            done[key] = hashes(logdir)
            assert len(done[key]) == evaluations
        return done[key]

    return get


@pytest.mark.parametrize(("algo", "fault"), [
    ("ppo", "eval:20"),  # killed while an evaluation is computed (mid-rollout)
    ("dqn", "checkpoint:2"),  # killed while its second checkpoint is written (off-policy, replay buffer)
])
def test_killed_run_resumes_as_if_uninterrupted(algo, fault, reference, tmp_path):
    args = argv(tmp_path / "run", algo, "--checkpoint-every", "5", evaluations=BUDGET)
    killed = run(args, tmp_path / "cache", fault=fault)
    assert killed.returncode == -9
    logged = len(rows_of(tmp_path / "run"))
    assert 0 < logged < BUDGET
    resumed = run(args, tmp_path / "cache")
    assert resumed.returncode == 0, resumed.stderr
    assert hashes(tmp_path / "run") == reference(algo)  # same architectures, same order, none twice
    assert [int(r["evaluation"]) for r in rows_of(tmp_path / "run")] == list(range(1, BUDGET + 1))


def test_multi_env_run_killed_mid_csv_write(reference, tmp_path):
    """--n-envs 2 (SubprocVecEnv), an odd budget: killed half-way through writing row 9."""
    args = argv(tmp_path / "run", "ppo", "--n-envs", "2", "--checkpoint-every", "3", evaluations=15)
    assert run(args, tmp_path / "cache", fault="csv:9").returncode == -9
    text = (tmp_path / "run" / "evaluations.csv").read_text()
    assert text.count("\n") == 9 and not text.endswith("\n")  # header, 8 rows and half of row 9
    resumed = run(args, tmp_path / "cache")
    assert resumed.returncode == 0, resumed.stderr
    assert "evaluations.csv: repaired" in resumed.stderr
    assert hashes(tmp_path / "run") == reference("ppo", "--n-envs", "2", evaluations=15)


def test_killed_at_a_random_moment_twice(reference, tmp_path):
    """maskable_ppo killed twice from outside (SIGKILL to the process group) at arbitrary moments."""
    args = argv(tmp_path / "run", "maskable_ppo", "--checkpoint-every", "4", evaluations=BUDGET)
    for rows, delay in ((9, 0.05), (23, 0.13)):
        run_killed_after(args, tmp_path / "cache", rows, delay)
    resumed = run(args, tmp_path / "cache")
    assert resumed.returncode == 0, resumed.stderr
    assert hashes(tmp_path / "run") == reference("maskable_ppo")


def test_larger_budget_continues_without_repeats(reference, tmp_path):
    """A finished run extended to a larger budget equals a run made with that budget (PPO has no budget-dependent
    schedule), and no architecture is evaluated twice by the extension."""
    args = argv(tmp_path / "run", "ppo", "--checkpoint-every", "5", evaluations=25)
    assert run(args, tmp_path / "cache").returncode == 0
    first = hashes(tmp_path / "run")
    longer = argv(tmp_path / "run", "ppo", "--checkpoint-every", "5", evaluations=BUDGET)
    again = run(longer, tmp_path / "cache")
    assert again.returncode == 0, again.stderr
    assert hashes(tmp_path / "run")[:25] == first
    assert hashes(tmp_path / "run") == reference("ppo")
    assert "warning" not in again.stderr


def test_timesteps_budget_is_exact_after_a_kill(tmp_path):
    steps = 30 * 17 + 12  # 17 full episodes and part of the 18th
    args = argv(tmp_path / "run", "a2c", "--timesteps", str(steps), "--checkpoint-every", "3")
    assert run(args, tmp_path / "cache", fault="eval:9").returncode == -9
    assert run(args, tmp_path / "cache").returncode == 0
    assert len(rows_of(tmp_path / "run")) == 17
    assert run(args, tmp_path / "cache").returncode == 0  # rerun of a finished run: nothing added
    assert len(rows_of(tmp_path / "run")) == 17
    model = json.loads((tmp_path / "run" / "run.json").read_text())
    assert model["identity"]["algo"] == "a2c"


@pytest.mark.parametrize(("algo", "extra", "budget"), [("ppo", ("--n-envs", "4"), 10), ("ars", (), 30)])
def test_budget_is_exact(algo, extra, budget, tmp_path):
    result = run(argv(tmp_path / "run", algo, *extra, evaluations=budget), tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    assert len(rows_of(tmp_path / "run")) == budget
