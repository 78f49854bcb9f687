"""Rank metrics of a surrogate: Kendall tau, Spearman rho, tau within the top decile, the seed-vs-seed ceiling."""

from __future__ import annotations

import numpy as np
from scipy import stats


def kendall(x: np.ndarray, y: np.ndarray) -> float:
    """Kendall tau-b over the entries where both are finite (NaN with fewer than 3)."""
    ok = np.isfinite(x) & np.isfinite(y)
    return float(stats.kendalltau(x[ok], y[ok])[0]) if ok.sum() >= 3 else float("nan")


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman rho over the entries where both are finite (NaN with fewer than 3)."""
    ok = np.isfinite(x) & np.isfinite(y)
    return float(stats.spearmanr(x[ok], y[ok])[0]) if ok.sum() >= 3 else float("nan")


def top_kendall(predicted: np.ndarray, measured: np.ndarray, fraction: float = 0.1) -> float:
    """Kendall tau among the architectures whose *measured* value is in the top ``fraction`` (where searches spend
    their time; NaN with fewer than 3 of them)."""
    n = max(int(round(fraction * len(measured))), 0)
    top = np.argsort(-measured)[:n]
    return kendall(predicted[top], measured[top])


def seed_kendall(accuracy: np.ndarray) -> float:
    """The data's noise ceiling: Kendall tau between the first two seed columns of ``accuracy`` (architectures x
    seeds), over the architectures that have both, i.e. how well one more training run ranks like another."""
    return kendall(accuracy[:, 0], accuracy[:, 1]) if accuracy.shape[1] >= 2 else float("nan")
