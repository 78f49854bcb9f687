"""Fixtures of the surrogate tests (helpers in surrogate_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from surrogate_helpers import TINY_SPEC, synthetic_rows

from nasgym.quality import make_evaluator
from nasgym.surrogate.dataset import write_rows


@pytest.fixture(scope="session")
def tiny_fingerprint() -> str:
    return make_evaluator(TINY_SPEC).fingerprint


@pytest.fixture(scope="session")
def synthetic_data(tmp_path_factory, tiny_fingerprint) -> Path:
    """A 300-architecture synthetic data file of the tiny spec's fingerprint."""
    path = tmp_path_factory.mktemp("surrogate") / "synthetic.csv.gz"
    write_rows(path, synthetic_rows(300, tiny_fingerprint))
    return path
