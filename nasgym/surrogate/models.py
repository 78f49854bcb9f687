"""The regressors the surrogate compares, each as a small ensemble whose spread is the uncertainty estimate.

Every model is :data:`MEMBERS` copies of one scikit-learn regressor, member ``i`` fitted with ``random_state =
seed + i`` on a bootstrap resample (drawn from ``seed + i``) of the training rows: the mean of the members is the
prediction, their standard deviation its uncertainty (the spread of a bagged ensemble, as in NAS-Bench-301's
ensembles). Deterministic for a given seed and data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nasgym.registry import Registry

MEMBERS = 5


def _hgb(seed: int) -> Any:
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(max_iter=300, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=10,
                                         l2_regularization=1e-3, early_stopping=False, random_state=seed)


def _gb(seed: int) -> Any:
    from sklearn.ensemble import GradientBoostingRegressor

    return GradientBoostingRegressor(n_estimators=300, learning_rate=0.05, max_depth=3, subsample=0.8,
                                     random_state=seed)


def _rf(seed: int) -> Any:
    from sklearn.ensemble import RandomForestRegressor

    return RandomForestRegressor(n_estimators=100, min_samples_leaf=2, max_features=0.5, n_jobs=1,
                                 random_state=seed)


def _mlp(seed: int) -> Any:
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    mlp = MLPRegressor(hidden_layer_sizes=(64, 64), alpha=1e-2, max_iter=1000, learning_rate_init=1e-3,
                       early_stopping=True, n_iter_no_change=20, random_state=seed)
    return TransformedTargetRegressor(make_pipeline(StandardScaler(), mlp), transformer=StandardScaler())


MODELS: Registry[Callable[[int], Any]] = Registry("surrogate model")
MODELS.register("hgb", _hgb)  # scikit-learn HistGradientBoosting
MODELS.register("gb", _gb)  # scikit-learn GradientBoosting
MODELS.register("rf", _rf)  # random forest
MODELS.register("mlp", _mlp)  # multi-layer perceptron (standardized inputs and target)


class Ensemble:
    """``members`` bagged copies of the model ``name`` (see the module docstring).

    Raises:
        ValueError: Unknown model name or a non-positive member count (one line).
    """

    def __init__(self, name: str, members: int = MEMBERS, seed: int = 0) -> None:
        self.make = MODELS.get(name)
        if isinstance(members, bool) or not isinstance(members, int) or members < 1:
            raise ValueError(f"members={members!r} is invalid: expected a positive int")
        self.name, self.n_members, self.seed = name, members, seed
        self.members: list[Any] = []

    def fit(self, x: np.ndarray, y: np.ndarray) -> Ensemble:
        """Fit every member on its bootstrap resample of ``(x, y)``; returns self."""
        import warnings

        from sklearn.exceptions import ConvergenceWarning

        self.members = []
        for i in range(self.n_members):
            rows = np.random.default_rng(self.seed + i).integers(0, len(x), len(x))
            model = self.make(self.seed + i)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(x[rows], y[rows])
            self.members.append(model)
        return self

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mean, standard deviation) over the members for each row of ``x``."""
        if not self.members:
            raise ValueError(f"surrogate model {self.name!r} is not fitted: call fit first")
        outputs = np.stack([m.predict(x) for m in self.members])
        return outputs.mean(axis=0), outputs.std(axis=0)
