"""Pareto math of a search: the front of (accuracy up, latency down) and its normalized hypervolume.

Hypervolume: area dominated by the front inside ``[0, R] ms x [0, 1] accuracy`` (reference point: latency ``R``,
accuracy 0), divided by ``R``, so it lies in ``[0, 1]``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def hypervolume(front: Sequence[tuple[float, float]], reference_latency_ms: float) -> float:
    """Normalized hypervolume of ``(accuracy, latency_ms)`` points against (accuracy 0, ``reference_latency_ms``)."""
    if not reference_latency_ms > 0:
        raise ValueError(f"reference_latency_ms={reference_latency_ms!r} is invalid: expected a positive number")
    points = sorted((lat, acc) for acc, lat in front if lat < reference_latency_ms and acc > 0)
    area, best_acc = 0.0, 0.0
    edges = [lat for lat, _ in points] + [reference_latency_ms]
    for i, (lat, acc) in enumerate(points):
        best_acc = max(best_acc, acc)
        area += (edges[i + 1] - lat) * best_acc
    return area / reference_latency_ms


def pareto_front(rows: Sequence[dict]) -> list[dict]:
    """Rows not dominated in (accuracy higher, latency lower), sorted by latency; the first of duplicates kept."""
    front: list[dict] = []
    rows = [r for r in rows if math.isfinite(r["accuracy"]) and math.isfinite(r["latency_ms"])]
    for row in sorted(rows, key=lambda r: (r["latency_ms"], -r["accuracy"], r["evaluation"])):
        if not front or row["accuracy"] > front[-1]["accuracy"]:
            front.append(row)
    return front


__all__ = ["hypervolume", "pareto_front"]
