"""Fitting the surrogate on a data file: deterministic, memoized in memory, never pickled.

The fitted model is *not* stored: :func:`load_surrogate` refits it from the committed CSV on first use in a process
(seconds for ~1,000 architectures) and keeps it in memory, keyed by the file's content digest. The fit is a pure
function of (data bytes, fingerprint, model, members, seed), so every process gets the same model, and there is no
pickle to break across scikit-learn versions or to trust.

With a ``calibration`` (the target evaluator's :class:`~nasgym.quality.calibration.SizeCalibration`), the model
learns the accuracy *less* the calibration's size term, which is an exact function of the architecture (from the
features' log10 MACs and params, the same counts the evaluator uses): the trees or MLPs learn only what the short
training measured, and the term is added back to every prediction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nasgym.quality.calibration import SizeCalibration, size_offset
from nasgym.space.architecture import Architecture
from nasgym.space.loading import load_space
from nasgym.surrogate.compiled import CompiledEnsemble, compile_ensemble
from nasgym.surrogate.dataset import Table, load_table, read_snapshot
from nasgym.surrogate.features import FeatureEncoder
from nasgym.surrogate.models import MEMBERS, Ensemble

SPACE = "proxy"  # the space the data samples (benchmarks/surrogate_data.py)
FIT_SEED = 0
_FITTED: dict[tuple, Surrogate] = {}


@dataclass
class Surrogate:
    """A fitted ensemble with its feature encoder and the data's seed noise.

    Attributes:
        encoder: Architecture -> features.
        model: The fitted :class:`~nasgym.surrogate.models.Ensemble`.
        seed_std: RMS within-architecture seed standard deviation of the training data.
        n_train: Number of training architectures.
        calibration: The size calibration whose term the model does not learn (module docstring); None: none.
    """

    encoder: FeatureEncoder
    model: Ensemble
    seed_std: float
    n_train: int
    calibration: SizeCalibration | None = None
    _compiled: CompiledEnsemble | None = field(default=None, repr=False, compare=False)

    def offset(self, x: np.ndarray) -> np.ndarray | float:
        """The calibration's size term of feature rows ``x`` (0.0 without a calibration)."""
        if self.calibration is None:
            return 0.0
        return size_offset(self.calibration, math.log(10) * x[..., self.encoder.macs_column],
                           math.log(10) * x[..., self.encoder.params_column])

    def predict(self, archs: list[Architecture]) -> tuple[np.ndarray, np.ndarray]:
        """(predicted mean accuracy, ensemble spread) of ``archs`` (scikit-learn, batched)."""
        x = self.encoder.encode_many(archs)
        mean, spread = self.model.predict(x)
        return mean + self.offset(x), spread

    @property
    def compiled(self) -> CompiledEnsemble:
        """The model compiled for one architecture at a time (compiled on first use)."""
        if self._compiled is None:
            self._compiled = compile_ensemble(self.model)
        return self._compiled

    def predict_one(self, arch: Architecture) -> tuple[float, float]:
        """(predicted mean accuracy, ensemble spread) of one architecture in microseconds: :meth:`predict`'s
        values up to float rounding (:mod:`nasgym.surrogate.compiled`)."""
        x = self.encoder.encode(arch)
        mean, spread = self.compiled.predict_one(x)
        return mean + float(self.offset(x)), spread


def fit_table(table: Table, rows: np.ndarray | None = None, model: str = "hgb", members: int = MEMBERS,
              seed: int = FIT_SEED, encoder: FeatureEncoder | None = None,
              calibration: SizeCalibration | None = None) -> Surrogate:
    """Fit ``model`` on the per-architecture mean accuracy of ``table`` (its ``rows`` only, when given), less the
    size term of ``calibration`` when given."""
    encoder = encoder or FeatureEncoder(load_space(SPACE))
    index = np.arange(len(table.archs)) if rows is None else np.asarray(rows)
    x = encoder.encode_many([table.archs[i] for i in index])
    surrogate = Surrogate(encoder, Ensemble(model, members, seed), table.seed_std(), len(index), calibration)
    surrogate.model.fit(x, table.mean[index] - surrogate.offset(x))
    return surrogate


def load_surrogate(path: str | Path, fingerprint: str, model: str = "hgb", members: int = MEMBERS,
                   fidelity: float = 1.0, steps: int | None = None,
                   snapshot: tuple[str, Table] | None = None, calibration: SizeCalibration | None = None) -> Surrogate:
    """The surrogate fitted on the rows of ``fingerprint`` in ``path``, fitted once per process and content: on the
    final accuracy (``fidelity`` 1.0), else on the learning-curve points at that fraction of the ``steps``.
    ``snapshot``: (digest, table) of the file as already read, so the model is the one of that digest even if the
    file has been rewritten since. ``calibration``: as :func:`fit_table`."""
    if snapshot is None:
        digest, rows = read_snapshot(path)
        snapshot = digest, load_table(path, fingerprint, steps, rows)
    key = (str(Path(path).resolve()), snapshot[0], fingerprint, model, members, fidelity,
           None if fidelity == 1.0 else steps, calibration)
    if key not in _FITTED:
        table = snapshot[1]
        _FITTED[key] = fit_table(table if fidelity == 1.0 else table.at_fraction(fidelity), model=model,
                                 members=members, calibration=calibration)
    return _FITTED[key]


def holdout(n: int, fraction: float = 0.2, seed: int = FIT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) indices: a seeded random ``fraction`` of ``n`` held out."""
    order = np.random.default_rng(seed).permutation(n)
    n_test = max(int(round(fraction * n)), 1)
    return np.sort(order[n_test:]), np.sort(order[:n_test])
