"""Evaluations on a local Ray cluster started by the test (2 CPUs): the same metrics as the sequential path, a killed
worker's evaluation retried with nothing lost or stored twice, and train.py --ray-address with exact budgets."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import sqlite3

import numpy as np
import pytest

ray = pytest.importorskip("ray")

import parallel_helpers as helpers  # noqa: E402

from nasgym import Architecture  # noqa: E402
from nasgym.agents import RegularizedEvolution  # noqa: E402
from nasgym.envs_config import load_env_config, make_env  # noqa: E402
from nasgym.parallel import InProcessExecutor  # noqa: E402
from nasgym.parallel.ray_executor import RayExecutor  # noqa: E402
from nasgym.search.batched import run_batched  # noqa: E402
from nasgym.search.recorder import SearchLogger  # noqa: E402


def rows_of(logdir) -> list[dict]:
    with open(logdir / "evaluations.csv", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def cluster():
    """A private 2-CPU Ray whose workers can import the test helpers."""
    previous = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = helpers.worker_path()
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
    yield
    ray.shutdown()
    if previous is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = previous


def test_same_metrics_as_sequential(cluster):
    config = load_env_config("EdgeTPU-ZeroCost", cache=None, eval_seed=0)
    space = make_env(config).unwrapped.space
    rng = np.random.default_rng(0)
    archs = [space.decode(space.sample_indices(rng)) for _ in range(3)]
    executor = RayExecutor(config.evaluator, workers=2)
    futures = [executor.submit(arch, seed) for arch in archs for seed in (0, 1)]
    remote = [f.result(timeout=120) for f in futures]
    executor.close()
    local = [InProcessExecutor(config.evaluator).submit(arch, seed).result() for arch in archs for seed in (0, 1)]
    timing = ("eval_seconds", "cpu_seconds")
    assert [{k: v for k, v in m.items() if k not in timing} for m in remote] == \
        [{k: v for k, v in m.items() if k not in timing} for m in local]
    assert ray.is_initialized()  # an executor leaves a Ray it did not start running


def test_killed_worker_is_retried_nothing_lost_or_duplicated(cluster, tmp_path):
    config = load_env_config(helpers.FAST_ENV, cache=str(tmp_path / "cache.sqlite"), eval_seed=0)
    env = make_env(config)
    agent = RegularizedEvolution(env.unwrapped.space, seed=1, population_size=4, sample_size=2)
    logger = SearchLogger(tmp_path / "run", 1.0, tensorboard=False)
    executor = RayExecutor(helpers.KillOnceEvaluator(str(tmp_path)), workers=2)
    try:
        run_batched(env, agent, 6, executor, logger, seed=0)
    finally:
        executor.close()
        logger.close()
    killed = list(tmp_path.glob("killed-*"))
    assert len(killed) == 1
    done = [p.name.split("-")[1] for p in tmp_path.glob("done-*")]
    assert killed[0].name.split("-")[1] in done  # the killed evaluation ran again
    hashes = [row["arch_hash"] for row in logger.rows]
    assert len(hashes) == 6
    assert sorted(done) == sorted(set(hashes))  # each distinct architecture evaluated exactly once to completion
    with sqlite3.connect(tmp_path / "cache.sqlite") as conn:
        stored = [r[0] for r in conn.execute("SELECT arch_hash FROM evaluations")]
    assert sorted(stored) == sorted(set(hashes))
    fake = helpers.FakeEvaluator()
    for row in logger.rows:  # the metrics of the sequential evaluator
        assert row["accuracy"] == fake.evaluate(Architecture.from_json(row["arch"]), 0)["accuracy"]


def test_train_ray_address_exact_budget_and_resume(cluster, tmp_path):
    import train

    def run(evaluations: int) -> tuple[int, str]:
        argv = ["--env", "EdgeTPU-ZeroCost", "--algo", "evolution", "--evaluations", str(evaluations), "--seed", "0",
                "--logdir", str(tmp_path / "run"), "--workers", "2", "--ray-address", "local", "--references",
                "none", "--no-progress", "--no-tensorboard", "--cache", str(tmp_path / "cache.sqlite")]
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = train.main(argv)
        return code, err.getvalue()

    assert run(4) == (0, "")
    first = (tmp_path / "run" / "evaluations.csv").read_text().splitlines()
    assert len(first) == 1 + 4
    code, err = run(6)  # a larger budget continues the run: the 4 rows replay, 2 new ones
    assert (code, err) == (0, "")
    rows = (tmp_path / "run" / "evaluations.csv").read_text().splitlines()
    assert rows[:5] == first and len(rows) == 1 + 6
    assert ray.is_initialized()  # train.py left the test's Ray running


def test_bench_runs_as_ray_tasks(cluster, tmp_path):
    import train

    env = tmp_path / "env.yaml"  # the zero-cost env with a cache of its own (Ray workers do not see NASGYM_CACHE)
    env.write_text((helpers.ROOT / "envs" / "edgetpu-zerocost.yaml").read_text()
                   .replace("cache: default", f"cache: {tmp_path / 'cache.sqlite'}"))
    logs = {}
    for name, extra in (("ray", ["--ray-address", "local"]), ("sequential", [])):
        argv = ["bench", "--env", str(env), "--agents", "random,evolution", "--evaluations", "3", "--seeds", "1",
                "--logdir", str(tmp_path / name), *extra]
        with contextlib.redirect_stdout(io.StringIO()):
            assert train.main(argv) == 0
        logs[name] = {agent: [(r["evaluation"], r["arch_hash"], r["reward"], r["accuracy"])
                              for r in rows_of(tmp_path / name / agent / "seed0")] for agent in ("random", "evolution")}
    assert [len(rows) for rows in logs["ray"].values()] == [3, 3]
    assert logs["ray"] == logs["sequential"]
