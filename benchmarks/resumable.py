"""Pieces of the long, resumable benchmarks: work claims and raw rows kept in the repository.

Work units are claimed through SQLite, so several worker processes share them. A long benchmark writes every
finished evaluation to the cache (resumable) and, when it reports, to a committed CSV; on start it loads the
committed CSV back into the cache, so a fresh machine resumes from the committed rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from nasgym.files import atomic_path
from nasgym.quality import EvaluationCache
from nasgym.space.architecture import Architecture


def claim(db: Path, unit: str) -> bool:
    """Atomically claim a work unit for this process (False if another worker has it)."""
    with sqlite3.connect(db, timeout=60) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS claims (unit TEXT PRIMARY KEY, pid INTEGER)")
        return conn.execute("INSERT OR IGNORE INTO claims VALUES (?, ?)", (unit, os.getpid())).rowcount == 1


CACHE_COLUMNS = ["arch_string", "arch_hash", "fingerprint", "cache_seed", "metrics"]


def load_rows(cache: EvaluationCache, path: Path) -> int:
    """Put the rows of ``path`` into ``cache`` where it lacks them; return how many were added."""
    if not path.is_file():
        return 0
    added = 0
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            seed = int(row["cache_seed"])
            if cache.get(row["arch_hash"], row["fingerprint"], seed) is None:
                arch = Architecture.parse(row["arch_string"])
                cache.put(arch.hash, row["fingerprint"], seed, json.loads(row["metrics"]), arch.to_json())
                added += 1
    return added


def cache_columns(arch: Architecture, fingerprint: str, cache_seed: int, metrics: dict) -> dict:
    """The columns :func:`load_rows` needs to put a row back into the cache."""
    return {"arch_string": arch.to_string(), "arch_hash": arch.hash, "fingerprint": fingerprint,
            "cache_seed": cache_seed, "metrics": json.dumps(metrics)}


def write_rows(path: Path, rows: list[dict], columns: list[str]) -> int:
    """Write ``rows`` to ``path`` (temp file, then rename); return their number."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def benchmark_main(doc: str, db: Path, rows_csv: Path, columns: list[str], run: Callable[[Path], None],
                   report: Callable[[Path], tuple[str, list[dict]]], section: str, header: str,
                   write_after_run: bool = False) -> None:
    """The command line of a resumable one-process benchmark: load the committed rows into the cache (``--db``), run
    what is missing (unless ``--report``), print the report, and with ``--write`` (or after a run when
    ``write_after_run``) write the raw rows and the RESULTS.md ``section`` (``header`` + the report's text; the
    script name and date come first)."""
    from results_md import write_section

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="only print the tables from the cache")
    parser.add_argument("--write", action="store_true", help="also write RESULTS.md and the raw rows")
    parser.add_argument("--db", type=Path, default=db)
    args = parser.parse_args()
    print(f"loaded {load_rows(EvaluationCache(args.db), rows_csv)} committed rows into {args.db}", flush=True)
    if not args.report:
        run(args.db)
    text, rows = report(args.db)
    print(text)
    if args.write or (write_after_run and not args.report):
        write_rows(rows_csv, rows, columns)
        body = header.format(text=text, date=time.strftime("%Y-%m-%d"))
        write_section(section, body)
