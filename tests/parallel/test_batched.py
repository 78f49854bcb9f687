"""Asynchronous batch ask/tell (nasgym.parallel.run_batched) without Ray: one worker is the sequential runner, K in
flight resume exactly (in-process interruption and ``kill -9`` of a ``--workers 2`` run), budgets are exact."""

from __future__ import annotations

import sqlite3
import sys
from concurrent.futures import Future

import parallel_helpers as helpers
import pytest

sys.path.insert(0, str(helpers.TESTS / "reliability"))
from reliability_helpers import argv, rows_of, run, run_killed_after  # noqa: E402

from nasgym.agents import AGENTS  # noqa: E402
from nasgym.envs_config import load_env_config, make_env  # noqa: E402
from nasgym.parallel import InProcessExecutor, evaluate  # noqa: E402
from nasgym.search.batched import run_batched  # noqa: E402
from nasgym.search.blackbox import run_blackbox  # noqa: E402
from nasgym.search.recorder import SearchLogger  # noqa: E402

SMALL = {"evolution": {"population_size": 4, "sample_size": 2}, "nsga2": {"population_size": 4}}


class SubmitOrderExecutor:
    """``workers`` evaluations 'in flight' that all finish in submission order (deterministic async schedule)."""

    def __init__(self, workers: int) -> None:
        self.workers, self.calls = workers, 0

    def submit(self, arch, seed) -> Future:
        self.calls += 1
        future: Future = Future()
        future.set_result(evaluate({"kind": "fake"}, arch.to_json(), seed))
        return future

    def close(self) -> None:
        pass


def _env(tmp_path):
    return make_env(load_env_config(helpers.FAST_ENV, cache=str(tmp_path / "cache.sqlite"), eval_seed=0))


def _agent(name, env):
    return AGENTS[name](env.unwrapped.space, seed=2, **SMALL.get(name, {}))


@pytest.mark.parametrize("name", sorted(AGENTS))
def test_one_worker_is_the_sequential_runner(name, tmp_path):
    env = _env(tmp_path / "a")
    sequential: list[dict] = []
    run_blackbox(env, _agent(name, env), 12, on_episode=sequential.append, seed=0)
    env = _env(tmp_path / "b")
    batched: list[dict] = []
    run_batched(env, _agent(name, env), 12, InProcessExecutor({"kind": "fake"}), on_episode=batched.append, seed=0)
    keys = ("arch_hash", "reward", "accuracy", "latency_ms", "cache_hit")
    assert [[i[k] for k in keys] for i in batched] == [[i[k] for k in keys] for i in sequential]


class Stop(Exception):
    pass


def _run(tmp_path, budget, workers, stop_after=None):
    env = _env(tmp_path)
    logger = SearchLogger(tmp_path / "run", 1.0, tensorboard=False)
    executor = SubmitOrderExecutor(workers)
    seen = []

    def on_episode(info):
        seen.append(info)
        if stop_after is not None and len(seen) == stop_after:
            raise Stop

    try:
        run_batched(env, _agent("evolution", env), budget, executor, logger, on_episode=on_episode, seed=0)
    except Stop:
        pass
    finally:
        logger.close()
    return [(r["arch_hash"], r["reward"]) for r in logger.rows], executor.calls


@pytest.mark.parametrize("stop_after", [2, 7])
def test_interrupted_run_resumes_exactly(stop_after, tmp_path, caplog):
    reference, _ = _run(tmp_path / "reference", 14, workers=3)
    assert len(reference) == 14
    partial, _ = _run(tmp_path / "resumed", 14, workers=3, stop_after=stop_after)
    assert partial == reference[:stop_after]
    resumed, calls = _run(tmp_path / "resumed", 14, workers=3)
    assert resumed == reference  # same architectures, same order, nothing logged twice, budget exact
    assert calls <= 14 - stop_after  # logged evaluations come from the log / cache, never recomputed
    again, calls = _run(tmp_path / "resumed", 14, workers=3)
    assert (again, calls) == (reference, 0)
    assert "differs from the log" not in caplog.text


def test_killed_workers_run_resumes_exactly(tmp_path):
    args = argv(tmp_path / "run", "evolution", "--workers", "2", evaluations=16)
    assert run_killed_after(args, tmp_path / "cache", rows=4, extra_delay=0.0) == -9
    before = rows_of(tmp_path / "run")
    assert 4 <= len(before) < 16
    result = run(args, tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    assert "differs from the log" not in result.stderr and "warning" not in result.stderr
    after = rows_of(tmp_path / "run")
    assert len(after) == 16 and after[:len(before)] == before
    assert [r["evaluation"] for r in after] == [str(i) for i in range(1, 17)]
    with sqlite3.connect(next((tmp_path / "cache").glob("*.sqlite"))) as conn:
        stored = [row[0] for row in conn.execute("SELECT arch_hash FROM evaluations")]
    assert sorted(stored) == sorted({r["arch_hash"] for r in after})  # each architecture stored once
