import csv
import multiprocessing as mp
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from nasgym.quality import CachedEvaluator, EvaluationCache


def _writer(path: str, worker: int, n: int) -> None:
    cache = EvaluationCache(path)
    for i in range(n):
        cache.put(f"arch{i:03d}", f"fp{worker}", 0, {"accuracy": i / n, "eval_seconds": 0.01}, "{}")


def test_put_get_round_trip_and_wal(tmp_path):
    cache = EvaluationCache(tmp_path / "sub" / "cache.sqlite")
    assert cache.get("a", "fp", 0) is None
    metrics = {"accuracy": 0.75, "eval_seconds": 1.5, "seed_accuracies": [0.7, 0.8], "score": float("-inf")}
    cache.put("a", "fp", 0, metrics, '{"x":1}')
    assert cache.get("a", "fp", 0) == {**metrics, "score": "-inf"}
    assert cache.get("a", "fp", 1) is None and cache.get("a", "other", 0) is None
    cache.put("a", "fp", 0, {"accuracy": 0.5, "eval_seconds": 2.0}, "{}")
    assert cache.get("a", "fp", 0)["accuracy"] == 0.5 and len(cache) == 1
    with sqlite3.connect(cache.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_put_requires_accuracy_and_seconds(tmp_path):
    cache = EvaluationCache(tmp_path / "c.sqlite")
    with pytest.raises(ValueError, match="eval_seconds"):
        cache.put("a", "fp", 0, {"accuracy": 0.5}, "{}")


def test_two_processes_write_at_once(tmp_path):
    path = str(tmp_path / "shared.sqlite")
    EvaluationCache(path)
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, w, 150)) for w in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    cache = EvaluationCache(path)
    assert len(cache) == 300
    assert cache.get("arch149", "fp1", 0)["accuracy"] == pytest.approx(149 / 150)


def _open_and_write(path: str, worker: int, barrier) -> None:
    barrier.wait()  # every process creates the (new) file at the same moment
    _writer(path, worker, 3)


def test_many_processes_create_one_new_cache_at_once(tmp_path):
    """Regression: two SubprocVecEnv workers opening a fresh file used to fail switching it to WAL ('locked')."""
    ctx = mp.get_context("fork")
    for attempt in range(8):  # the race is timing-dependent: several fresh files
        path = str(tmp_path / f"fresh{attempt}.sqlite")
        barrier = ctx.Barrier(6)
        procs = [ctx.Process(target=_open_and_write, args=(path, w, barrier)) for w in range(6)]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(120)
        assert [proc.exitcode for proc in procs] == [0] * 6
        assert len(EvaluationCache(path)) == 18


def test_killed_writer_loses_nothing_committed(tmp_path):
    path = tmp_path / "killed.sqlite"
    EvaluationCache(path)
    code = (
        "import sys; from nasgym.quality import EvaluationCache\n"
        "c = EvaluationCache(sys.argv[1])\n"
        "i = 0\n"
        "while True:\n"
        "    c.put(f'a{i}', 'fp', 0, {'accuracy': 0.5, 'eval_seconds': 0.1, 'blob': 'x' * 5000}, '{}')\n"
        "    i += 1\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(path)])
    reader = EvaluationCache(path)
    deadline = time.time() + 60
    while len(reader) < 50 and time.time() < deadline:
        time.sleep(0.05)
    seen = len(reader)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert seen >= 50
    after = EvaluationCache(path)
    assert len(after) >= seen
    assert all(after.get(f"a{i}", "fp", 0)["accuracy"] == 0.5 for i in range(seen))
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_export_csv(tmp_path):
    cache = EvaluationCache(tmp_path / "c.sqlite")
    cache.put("a", "fp", 0, {"accuracy": 0.5, "eval_seconds": 3.0}, '{"arch":1}')
    cache.put("b", "fp", 1, {"accuracy": 0.0, "eval_seconds": 0.5, "failed": "non-finite loss"}, "{}")
    assert cache.export_csv(tmp_path / "out.csv") == 2
    rows = list(csv.DictReader(open(tmp_path / "out.csv")))
    assert [(r["arch_hash"], r["seed"], r["eval_seconds"], r["failed"]) for r in rows] == [
        ("a", "0", "3.0", ""), ("b", "1", "0.5", "non-finite loss")]
    assert not list(tmp_path.glob(".*.tmp"))


class _Counting:
    fingerprint = "count-v1"

    def __init__(self) -> None:
        self.calls = 0

    def evaluate(self, arch, seed):
        self.calls += 1
        return {"accuracy": 0.25 + seed / 10, "eval_seconds": 0.1}


def test_cached_evaluator_hits_after_first_call(tmp_path, archs):
    inner = _Counting()
    cached = CachedEvaluator(inner, EvaluationCache(tmp_path / "c.sqlite"))
    assert cached.fingerprint == "count-v1"
    assert cached.evaluate(archs[0], 1) == ({"accuracy": 0.35, "eval_seconds": 0.1}, False)
    assert cached.evaluate(archs[0], 1) == ({"accuracy": 0.35, "eval_seconds": 0.1}, True)
    assert cached.evaluate(archs[0], 2)[1] is False and inner.calls == 2
    row = cached.cache.rows("count-v1")[0]
    assert row["arch_json"] == archs[0].to_json() and row["arch_hash"] == archs[0].hash
