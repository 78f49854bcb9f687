"""Persistent evaluation cache: SQLite in WAL mode keyed by (architecture hash, evaluator fingerprint, seed).

Several processes may read and write one cache file at once (WAL journal, a busy timeout, one short transaction per
``put``); a process killed mid-write loses nothing already committed. Every row keeps the metrics as JSON (failed
evaluations included, with their reason), the architecture JSON, and the evaluator seconds in their own column so
searches can be compared by evaluation cost.

Faults end in one line: an unusable file (corrupt, truncated, read-only, a directory, locked too long) raises
:class:`CacheError` (a ``ValueError``) naming the path and what to do, checked when the cache is opened so that a run
stops before it computes anything. A write that fails later (disk full) never loses the result just computed:
:class:`CachedEvaluator` warns once and keeps such results in memory for the rest of the process.
"""

from __future__ import annotations

import csv
import json
import logging
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from nasgym.space.architecture import Architecture

_log = logging.getLogger(__name__)
T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS evaluations (
    arch_hash TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    seed INTEGER NOT NULL,
    accuracy REAL NOT NULL,
    eval_seconds REAL NOT NULL,
    failed TEXT,
    metrics TEXT NOT NULL,
    arch_json TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (arch_hash, fingerprint, seed)
)
"""
CSV_COLUMNS = ("arch_hash", "fingerprint", "seed", "accuracy", "eval_seconds", "failed", "created", "metrics",
               "arch_json")


class CacheError(ValueError):
    """The evaluation cache file cannot be used; the message names the path and what to do."""


def describe(path: Path, err: sqlite3.Error, timeout: float = 0.0) -> str:
    """One line for an SQLite error on the cache file ``path``."""
    text = str(err)
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (f"evaluation cache {str(path)!r} is corrupt ({text}): move it away (its results will be recomputed) "
                "or pass --cache with another file")
    if "readonly" in text or "read-only" in text:
        return f"evaluation cache {str(path)!r} is read-only: make it writable or pass --cache with a writable file"
    if "disk is full" in text or "disk I/O" in text:
        return f"evaluation cache {str(path)!r} cannot be written ({text}): free disk space and rerun"
    if "locked" in text:
        return (f"evaluation cache {str(path)!r} stayed locked by another process for {timeout:.0f} s: retry, or "
                "pass --cache with another file")
    if path.is_dir():
        return (f"evaluation cache path {str(path)!r} is a directory: expected a file, e.g. "
                f"{str(path / 'evaluations.sqlite')!r}")
    return f"evaluation cache {str(path)!r} cannot be opened ({text}): check that its folder exists and is writable"


def _json_safe(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


class EvaluationCache:
    """Evaluation results on disk (see module docstring).

    Args:
        path: SQLite file; parent directories are created.
        timeout: Seconds to wait for another process's write lock.
    """

    def __init__(self, path: str | os.PathLike, timeout: float = 60.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._local = threading.local()
        if self.path.is_dir():
            raise CacheError(describe(self.path, sqlite3.OperationalError("is a directory")))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise CacheError(f"evaluation cache {str(self.path)!r} cannot be created: {str(self.path.parent)!r} is "
                             "a file, expected a folder") from None
        self._guard(self._connect)
        self._guard(self._check_writable)

    def _guard(self, action: Callable[[], T]) -> T:
        """Run ``action``, turning SQLite errors into a one-line :class:`CacheError`."""
        try:
            return action()
        except sqlite3.Error as err:
            raise CacheError(describe(self.path, err, self.timeout)) from None

    def _check_writable(self) -> None:
        """A quick integrity check and the write lock taken and released: a corrupt, truncated or read-only file
        fails now, before any evaluation is computed."""
        conn = self._connect()
        problems = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError(f"database disk image is malformed: {'; '.join(problems)}")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            mode = self._enable_wal(conn)
            if str(mode).lower() != "wal":
                raise ValueError(f"cache path={str(self.path)!r} does not support WAL mode (got {mode!r})")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(SCHEMA)
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def _enable_wal(self, conn: sqlite3.Connection) -> str:
        """Switch a new file to WAL. Two processes creating the file at once can get 'database is locked' at once
        (SQLite's busy handler does not cover the journal-mode switch), so retry until ``timeout``."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def get(self, arch_hash: str, fingerprint: str, seed: int) -> dict | None:
        """The stored metrics, or ``None`` if this (arch, evaluator, seed) was never evaluated."""
        row = self._guard(lambda: self._connect().execute(
            "SELECT metrics FROM evaluations WHERE arch_hash=? AND fingerprint=? AND seed=?",
            (arch_hash, fingerprint, int(seed)),
        ).fetchone())
        return None if row is None else json.loads(row[0])

    def put(self, arch_hash: str, fingerprint: str, seed: int, metrics: dict, arch_json: str) -> None:
        """Store (or replace) one result in its own committed transaction.

        Raises:
            ValueError: If ``metrics`` lacks ``accuracy`` or ``eval_seconds``.
            CacheError: If the row cannot be written (disk full, read-only, corrupt).
        """
        missing = [key for key in ("accuracy", "eval_seconds") if key not in metrics]
        if missing:
            raise ValueError(f"metrics lack {', '.join(missing)}: expected at least accuracy and eval_seconds")
        row = (
            arch_hash, fingerprint, int(seed), float(metrics["accuracy"]), float(metrics["eval_seconds"]),
            metrics.get("failed"), json.dumps(_json_safe(metrics), sort_keys=True), arch_json, time.time(),
        )

        def write() -> None:
            conn = self._connect()
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT OR REPLACE INTO evaluations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)

        self._guard(write)

    def rows(self, fingerprint: str | None = None) -> list[dict]:
        """All rows (optionally of one evaluator) as dicts with the columns of :data:`CSV_COLUMNS`."""
        query = f"SELECT {', '.join(CSV_COLUMNS)} FROM evaluations"
        args: tuple = ()
        if fingerprint is not None:
            query, args = query + " WHERE fingerprint=?", (fingerprint,)
        rows = self._guard(lambda: self._connect().execute(query + " ORDER BY created, arch_hash, seed", args)
                           .fetchall())
        return [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows]

    def __len__(self) -> int:
        return int(self._guard(lambda: self._connect().execute("SELECT COUNT(*) FROM evaluations").fetchone()[0]))

    def export_csv(self, path: str | os.PathLike) -> int:
        """Write every row to a CSV file (temp name, then rename); return the number of rows."""
        rows = self.rows()
        path = Path(path)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)
        return len(rows)

    def close(self) -> None:
        """Close this thread's connection (idempotent)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class CachedEvaluator:
    """An evaluator behind an :class:`EvaluationCache`: ``evaluate`` returns ``(metrics, cache_hit)``."""

    def __init__(self, evaluator, cache: EvaluationCache) -> None:
        self.evaluator = evaluator
        self.cache = cache
        self.fingerprint: str = evaluator.fingerprint
        self.unsaved: dict[tuple[str, int], dict] = {}  # results the cache could not store (kept for this process)

    def evaluate(self, arch: Architecture, seed: int) -> tuple[dict, bool]:
        """Cached metrics when present, else evaluate, store (failures too) and return them. A result that cannot
        be stored is kept in memory (one warning), never lost."""
        hit = self.lookup(arch, seed)
        if hit is not None:
            return hit, True
        metrics = self.evaluator.evaluate(arch, seed)
        self.store(arch, seed, metrics)
        return metrics, False

    def lookup(self, arch: Architecture, seed: int) -> dict | None:
        """The stored metrics of (``arch``, ``seed``) for this evaluator, ``None`` if never evaluated."""
        key = (arch.hash, int(seed))
        if key in self.unsaved:
            return self.unsaved[key]
        return self.cache.get(arch.hash, self.fingerprint, seed)

    def store(self, arch: Architecture, seed: int, metrics: dict) -> None:
        """Store a result computed by this evaluator (here or in a worker); kept in memory if the cache cannot be
        written (one warning)."""
        try:
            self.cache.put(arch.hash, self.fingerprint, seed, metrics, arch.to_json())
        except CacheError as err:
            if not self.unsaved:
                _log.warning(f"{err}; new results are kept in memory for this run")
            self.unsaved[(arch.hash, int(seed))] = metrics
