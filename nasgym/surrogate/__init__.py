"""Surrogate benchmark of a search space (issue 15): a model fitted to measured evaluations predicts accuracy in
microseconds.

- :mod:`~nasgym.surrogate.dataset`: the measured rows (``benchmarks/data/surrogate/FINGERPRINT.csv.gz``), read and
  written; produced by ``benchmarks/surrogate_data.py``.
- :mod:`~nasgym.surrogate.features`: architecture -> feature vector.
- :mod:`~nasgym.surrogate.models`: the regressors compared, each an ensemble (mean and spread).
- :mod:`~nasgym.surrogate.fit`: fitting on the dataset (deterministic, memoized in memory) and rank metrics.
- :mod:`~nasgym.surrogate.compiled`: a fitted ensemble as arrays, one architecture in microseconds.
- :mod:`~nasgym.surrogate.evaluator`: evaluator kind ``surrogate`` (``nasgym/EdgeTPU-Surrogate-v0``; ``fidelity``:
  the accuracy at a learning-curve point, for multi-fidelity agents such as ``successive_halving``).
"""
