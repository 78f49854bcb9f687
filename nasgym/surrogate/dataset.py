"""The surrogate's measured rows: one gzip CSV per evaluator fingerprint, one row per (architecture, seed).

``benchmarks/data/surrogate/FINGERPRINT.csv.gz`` (written by ``benchmarks/surrogate_data.py``) holds the
evaluations of one evaluator configuration, so rows of another configuration (the ``default`` spec changes) stay in
their own file and are never mixed. Columns: :data:`COLUMNS` (``latency_ms.PRESET`` per hardware preset, the
deployment network at 224x224x3 with 1000 classes, as the env's cost model; ``metrics`` is the evaluator's full
result as JSON, so the evaluation cache can be rebuilt from the file).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nasgym.files import atomic_path
from nasgym.space.architecture import Architecture

DATA_DIR = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "surrogate"
DATA_COMMAND = "nice -n 10 .venv/bin/python benchmarks/surrogate_data.py --archs 1000 --workers 2"
PRESETS = ("coral-pcie", "coral-usb", "tensor-g1")
COLUMNS = ("arch_string", "arch_hash", "source", "seed", "accuracy", "cpu_seconds", "failed", "params", "macs",
           "proxy_params", *(f"latency_ms.{p}" for p in PRESETS), "fingerprint", "metrics")


def data_path(fingerprint: str) -> Path:
    """The committed data file of the evaluator with ``fingerprint``."""
    return DATA_DIR / f"{fingerprint}.csv.gz"


def read_rows(path: str | Path) -> list[dict]:
    """The rows of a data file as dicts of strings.

    Raises:
        ValueError: Not a gzip CSV with the columns :data:`COLUMNS` (names the path).
    """
    path = Path(path)
    try:
        with gzip.open(path, "rt", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise ValueError(f"surrogate data {str(path)!r} lacks column(s) {missing}: expected {list(COLUMNS)}")
            return list(reader)
    except (OSError, EOFError, csv.Error, UnicodeDecodeError) as err:
        raise ValueError(f"surrogate data {str(path)!r} cannot be read ({err}): expected a gzip CSV written by "
                         "benchmarks/surrogate_data.py") from None


def write_rows(path: str | Path, rows: list[dict]) -> int:
    """Write ``rows`` (dicts with :data:`COLUMNS`) to ``path`` as gzip CSV, atomically; rows sorted by (architecture
    hash, seed) and the gzip header without a timestamp, so the same rows give the same bytes. Returns their number."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(sorted(rows, key=lambda r: (r["arch_hash"], int(r["seed"]))))
    with atomic_path(path) as tmp:
        tmp.write_bytes(gzip.compress(text.getvalue().encode(), mtime=0))
    return len(rows)


def file_digest(path: str | Path) -> str:
    """sha1 of the file's bytes (12 hex digits): the data's identity in the surrogate's fingerprint."""
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()[:12]


@dataclass(frozen=True)
class Table:
    """The rows of one fingerprint, by architecture.

    Attributes:
        archs: The architectures, in the file's order (by hash).
        seeds: The evaluation seeds, sorted.
        accuracy: (architectures, seeds) accuracy; NaN where a seed is missing.
        sources: Per architecture how it was sampled (``random``, ``run``, ``study``).
        rows: Per architecture its first row (params, MACs, latencies, ...).
    """

    archs: tuple[Architecture, ...]
    seeds: tuple[int, ...]
    accuracy: np.ndarray
    sources: tuple[str, ...]
    rows: tuple[dict, ...]

    @property
    def mean(self) -> np.ndarray:
        """Per-architecture mean over the seeds it has."""
        return np.nanmean(self.accuracy, axis=1)

    def complete(self, n_seeds: int = 2) -> np.ndarray:
        """Mask of the architectures with at least ``n_seeds`` seeds."""
        return np.isfinite(self.accuracy).sum(axis=1) >= n_seeds

    def seed_std(self) -> float:
        """Root-mean-square within-architecture standard deviation over the seeds (the data's seed noise)."""
        full = self.accuracy[np.isfinite(self.accuracy).sum(axis=1) >= 2]
        if len(full) == 0:
            return float("nan")
        return float(np.sqrt(np.nanmean(np.nanvar(full, axis=1, ddof=1))))


def load_table(path: str | Path, fingerprint: str | None = None) -> Table:
    """The rows of ``path`` (those of ``fingerprint`` only when given) as a :class:`Table`.

    Raises:
        ValueError: Unreadable file, a bad row (names the line), or no row of ``fingerprint``.
    """
    by_arch: dict[str, dict[int, float]] = {}
    first: dict[str, dict] = {}
    for line, row in enumerate(read_rows(path), start=2):
        if fingerprint is not None and row["fingerprint"] != fingerprint:
            continue
        try:
            seed, acc = int(row["seed"]), float(row["accuracy"])
        except ValueError:
            raise ValueError(f"surrogate data {str(path)!r} line {line}: seed={row['seed']!r}, "
                             f"accuracy={row['accuracy']!r}: expected an int and a number") from None
        if not math.isfinite(acc):
            raise ValueError(f"surrogate data {str(path)!r} line {line}: accuracy={row['accuracy']!r}: expected a "
                             "finite number")
        by_arch.setdefault(row["arch_string"], {})[seed] = acc
        first.setdefault(row["arch_string"], row)
    if not by_arch:
        which = f" of evaluator {fingerprint}" if fingerprint else ""
        raise ValueError(f"surrogate data {str(path)!r} has no rows{which}: produce them with {DATA_COMMAND}")
    seeds = tuple(sorted({s for per in by_arch.values() for s in per}))
    accuracy = np.full((len(by_arch), len(seeds)), np.nan)
    for i, per in enumerate(by_arch.values()):
        for seed, acc in per.items():
            accuracy[i, seeds.index(seed)] = acc
    return Table(tuple(Architecture.parse(text) for text in by_arch), seeds, accuracy,
                 tuple(first[a]["source"] for a in by_arch), tuple(first.values()))


def metrics_of(row: dict) -> dict:
    """The evaluator's metrics stored in ``row``."""
    return json.loads(row["metrics"])
