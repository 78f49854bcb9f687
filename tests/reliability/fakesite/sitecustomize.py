"""Registers the fake evaluator (``evaluator: {kind: fake}``) in every process that has this folder on PYTHONPATH,
so SubprocVecEnv workers of ``fault_train.py`` runs (started by forkserver) know it too."""

import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[2]))  # tests/, for nasgym_fakes

from nasgym_fakes import FakeEvaluator  # noqa: E402

import nasgym.quality.factory as _factory  # noqa: E402

_factory.EVALUATORS["fake"] = lambda **_: FakeEvaluator()
