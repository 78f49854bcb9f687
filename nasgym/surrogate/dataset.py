"""The surrogate's measured rows: one gzip CSV per evaluator fingerprint, one row per (architecture, seed).

``benchmarks/data/surrogate/FINGERPRINT.csv.gz`` (written by ``benchmarks/surrogate_data.py``) holds the
evaluations of one evaluator configuration, so rows of another configuration (the ``default`` spec changes) stay in
their own file and are never mixed. Columns: :data:`COLUMNS` (``latency_ms.PRESET`` per hardware preset, the
deployment network at 224x224x3 with 1000 classes, as the env's cost model; ``metrics`` is the evaluator's full
result as JSON, so the evaluation cache can be rebuilt from the file).

Learning-curve points (multi-fidelity): a row whose ``metrics`` hold ``curve_steps`` (training steps) and ``curve``
(the accuracy after each of them) contributes them to :attr:`Table.curve`; rows without them (measured before the
points were recorded) are NaN there. A point's fraction of the training budget is its step divided by the final
step count of the evaluator (``steps`` of :func:`load_table`, the target evaluator's config): the steps are what the
row records, so the fractions stay exact whatever fractions the collector asked for (``round(f * steps)``).
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
DATA_COMMAND = "nice -n 10 .venv/bin/python benchmarks/surrogate_data.py --workers 2"
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
    return read_snapshot(path)[1]


def read_snapshot(path: str | Path) -> tuple[str, list[dict]]:
    """(digest, rows) of one read of ``path``: the digest (sha1 of the bytes, 12 hex digits: the data's identity in
    the surrogate's fingerprint) is that of exactly these rows, even while ``benchmarks/surrogate_data.py``
    rewrites the file.

    Raises:
        ValueError: As :func:`read_rows`.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
        with gzip.open(io.BytesIO(data), "rt", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise ValueError(f"surrogate data {str(path)!r} lacks column(s) {missing}: expected {list(COLUMNS)}")
            return _digest(data), list(reader)
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


def _digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()[:12]


@dataclass(frozen=True)
class Table:
    """The rows of one fingerprint, by architecture.

    Attributes:
        archs: The architectures, in the file's order (by hash).
        seeds: The evaluation seeds, sorted.
        accuracy: (architectures, seeds) accuracy; NaN where a seed is missing.
        sources: Per architecture how it was sampled (``random``, ``run``, ``study``).
        rows: Per architecture its first row (params, MACs, latencies, ...).
        curve_steps: The training steps of the learning-curve points any row has, sorted.
        curve: (architectures, seeds, len(curve_steps)) accuracy at those steps; NaN where a row lacks the point.
        steps: The evaluator's final step count (``None``: unknown, then there are no :attr:`fractions`).
    """

    archs: tuple[Architecture, ...]
    seeds: tuple[int, ...]
    accuracy: np.ndarray
    sources: tuple[str, ...]
    rows: tuple[dict, ...]
    curve_steps: tuple[int, ...] = ()
    curve: np.ndarray | None = None
    steps: int | None = None

    @property
    def fractions(self) -> tuple[float, ...]:
        """The fraction of the training budget of each learning-curve point (``curve_steps / steps``)."""
        if self.steps is None:
            return ()
        return tuple(step / self.steps for step in self.curve_steps)

    def at_fraction(self, fraction: float) -> Table:
        """The table of the learning-curve point at ``fraction`` of the budget: ``accuracy`` is that point, and only
        the architectures with it (at any seed) are kept.

        Raises:
            ValueError: No point at ``fraction`` (names the value and the available fractions).
        """
        matches = [i for i, f in enumerate(self.fractions) if abs(f - fraction) < 1e-9]
        if not matches or self.curve is None:
            raise ValueError(f"fidelity={fraction!r} has no learning-curve points: expected 1.0 or one of "
                             f"{[round(f, 6) for f in self.fractions]}")
        points = self.curve[:, :, matches[0]]
        keep = np.flatnonzero(np.isfinite(points).any(axis=1))
        return Table(tuple(self.archs[i] for i in keep), self.seeds, points[keep],
                     tuple(self.sources[i] for i in keep), tuple(self.rows[i] for i in keep))

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


def load_table(path: str | Path, fingerprint: str | None = None, steps: int | None = None,
               rows: list[dict] | None = None) -> Table:
    """The rows of ``path`` (those of ``fingerprint`` only when given) as a :class:`Table`; ``steps`` is the
    evaluator's final step count, which turns the learning-curve steps into :attr:`Table.fractions`. ``rows``: the
    file's rows already read (:func:`read_snapshot`), so the table matches a digest taken with them.

    Raises:
        ValueError: Unreadable file, a bad row (names the line), or no row of ``fingerprint``.
    """
    by_arch: dict[str, dict[int, float]] = {}
    points: dict[tuple[str, int], dict[int, float]] = {}
    first: dict[str, dict] = {}
    for line, row in enumerate(read_rows(path) if rows is None else rows, start=2):
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
        curve = _curve_points(row, path, line)
        if curve:
            points[(row["arch_string"], seed)] = curve
    if not by_arch:
        which = f" of evaluator {fingerprint}" if fingerprint else ""
        raise ValueError(f"surrogate data {str(path)!r} has no rows{which}: produce them with {DATA_COMMAND}")
    seeds = tuple(sorted({s for per in by_arch.values() for s in per}))
    curve_steps = tuple(sorted({step for per in points.values() for step in per}))
    accuracy = np.full((len(by_arch), len(seeds)), np.nan)
    curve = np.full((len(by_arch), len(seeds), len(curve_steps)), np.nan)
    for i, (text, per) in enumerate(by_arch.items()):
        for seed, acc in per.items():
            accuracy[i, seeds.index(seed)] = acc
            for step, value in points.get((text, seed), {}).items():
                curve[i, seeds.index(seed), curve_steps.index(step)] = value
    return Table(tuple(Architecture.parse(text) for text in by_arch), seeds, accuracy,
                 tuple(first[a]["source"] for a in by_arch), tuple(first.values()), curve_steps, curve, steps)


def _curve_points(row: dict, path: str | Path, line: int) -> dict[int, float]:
    """``{step: accuracy}`` of the learning-curve points of ``row`` (empty when it has none)."""
    try:
        metrics = metrics_of(row) if row["metrics"] else {}
    except ValueError:
        raise ValueError(f"surrogate data {str(path)!r} line {line}: metrics={row['metrics'][:60]!r}: expected a "
                         "JSON object") from None
    if not isinstance(metrics, dict) or "curve" not in metrics:
        return {}
    steps, values = metrics.get("curve_steps"), metrics["curve"]
    ok = isinstance(steps, list) and isinstance(values, list) and len(steps) == len(values)
    if not ok or not all(isinstance(s, int) and s > 0 for s in steps) \
            or not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
        raise ValueError(f"surrogate data {str(path)!r} line {line}: curve_steps={steps!r}, curve={values!r}: "
                         "expected lists of positive step counts and finite accuracies of equal length")
    return dict(zip(steps, map(float, values), strict=True))


def metrics_of(row: dict) -> dict:
    """The evaluator's metrics stored in ``row``."""
    return json.loads(row["metrics"])
