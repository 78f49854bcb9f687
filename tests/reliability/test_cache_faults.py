"""Cache faults end in one line naming the path and what to do, before anything is computed or written; a cache
that fails mid-run (disk full) loses no result; a full disk for the log stops with one line and the rerun resumes."""

from __future__ import annotations

import sqlite3

import pytest
from reliability_helpers import argv, hashes, one_line, rows_of, run

from nasgym.quality.cache import EvaluationCache


def filled_cache(path) -> None:
    cache = EvaluationCache(path)
    for i in range(200):
        cache.put(f"h{i}", "fake-v1", 0, {"accuracy": 0.5, "eval_seconds": 0.1, "pad": "x" * 300}, "{}")
    cache.close()


@pytest.mark.parametrize(("damage", "message"), [
    ("garbage", "is corrupt (file is not a database): move it away (its results will be recomputed) or pass --cache"),
    ("truncated", "is corrupt (database disk image is malformed"),
    ("directory", "is a directory: expected a file, e.g. "),
])
def test_unusable_cache_is_one_line_before_anything_runs(damage, message, tmp_path):
    path = tmp_path / "evals.sqlite"
    if damage == "garbage":
        path.write_bytes(b"not sqlite at all " * 300)
    elif damage == "truncated":
        filled_cache(path)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:
        path.mkdir()
    result = run(argv(tmp_path / "run", "random", "--cache", str(path), evaluations=3), tmp_path / "unused")
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert line.startswith(f"error: evaluation cache {'path ' if damage == 'directory' else ''}'{path}' ")
    assert message in line
    assert not (tmp_path / "run").exists()  # nothing computed, no folder created


def test_read_only_cache_stops_before_computing(tmp_path, monkeypatch):
    path = tmp_path / "evals.sqlite"
    filled_cache(path)
    connect = EvaluationCache._connect

    def read_only(self):  # what a read-only file or mount does (chmod does not stop root, which CI may be)
        conn = connect(self)
        conn.execute("PRAGMA query_only=ON")
        return conn

    monkeypatch.setattr(EvaluationCache, "_connect", read_only)
    result = run(argv(tmp_path / "run", "random", "--cache", str(path), evaluations=3), tmp_path / "unused")
    assert result.returncode == 2
    assert one_line(result.stderr) == (f"error: evaluation cache '{path}' is read-only: make it writable or pass "
                                       "--cache with a writable file")
    assert not (tmp_path / "run").exists()


def test_nasgym_cache_naming_a_file_is_refused(tmp_path):
    result = run(argv(tmp_path / "run", "random", evaluations=3), tmp_path / "x" / "evals.sqlite")
    assert result.returncode == 2
    assert one_line(result.stderr).startswith(f"error: NASGYM_CACHE='{tmp_path / 'x' / 'evals.sqlite'}' names a "
                                              "file: expected a folder")
    assert not (tmp_path / "x").exists()


def test_cache_full_mid_run_keeps_every_result(tmp_path):
    """Files limited to 48 KiB: the cache's WAL fills after a few evaluations, the small log does not."""
    result = run(argv(tmp_path / "run", "random", evaluations=30), tmp_path / "cache", fsize=48 * 1024)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1 and "cannot be written (disk I/O error): free disk space" in warnings[0]  # EFBIG
    assert warnings[0].endswith("new results are kept in memory for this run")
    rows = rows_of(tmp_path / "run")
    assert len(rows) == 30 and all(float(r["accuracy"]) > 0 for r in rows)
    saved = EvaluationCache(tmp_path / "cache" / "evaluations.sqlite")
    assert 0 < len(saved) < 30
    assert saved.path.exists() and sqlite3.connect(saved.path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_disk_full_for_the_log_is_one_line_and_the_rerun_resumes(tmp_path):
    reference = run(argv(tmp_path / "reference", "evolution", evaluations=60), tmp_path / "reference-cache")
    assert reference.returncode == 0, reference.stderr
    args = argv(tmp_path / "run", "evolution", "--cache", str(tmp_path / "c" / "evals.sqlite"), evaluations=60)
    full = run(args, tmp_path / "unused", fsize=40 * 1024)
    assert full.returncode == 2
    lines = [line for line in full.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("error: no space left to write (")
    assert lines[-1].endswith("File too large; free some space and rerun the same command to resume (nothing "
                              "already logged is lost)")
    assert 0 < len(rows_of(tmp_path / "run")) < 60
    resumed = run(args, tmp_path / "unused")
    assert resumed.returncode == 0, resumed.stderr
    assert hashes(tmp_path / "run") == hashes(tmp_path / "reference")
