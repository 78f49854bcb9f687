"""Imported first by the benchmark scripts: puts the repository root on ``sys.path`` (so ``import nasgym`` resolves
to this checkout when a script runs as ``python benchmarks/<script>.py``) and limits BLAS/OpenMP to one thread
(the benchmarks measure one core). Import it before numpy and torch."""

import os
import sys
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"
ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
