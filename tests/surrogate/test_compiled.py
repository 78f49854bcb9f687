"""The compiled ensembles (nasgym/surrogate/compiled.py) predict what scikit-learn predicts, for every model kind."""

import numpy as np
import pytest

import nasgym
from nasgym.surrogate.compiled import compile_ensemble
from nasgym.surrogate.dataset import load_table
from nasgym.surrogate.fit import fit_table
from nasgym.surrogate.models import MODELS, Ensemble

SPACE = nasgym.load_space("proxy")


@pytest.fixture(scope="module")
def table(synthetic_data, tiny_fingerprint):
    return load_table(synthetic_data, tiny_fingerprint)


@pytest.fixture(scope="module")
def archs():
    rng = np.random.default_rng(11)
    return [SPACE.sample(rng) for _ in range(2000)]


# every model kind, and both tree backends: QuickScorer with 8-, 16- and 64-bit leaf masks, onnxruntime for a forest
# of trees over 64 leaves (the random forest fitted on all 300 architectures)
@pytest.mark.parametrize(("model", "rows", "backend"), [
    ("hgb", 200, "_QuickScorer"), ("gb", 200, "_QuickScorer"), ("rf", 200, "_QuickScorer"), ("rf", 300, "_OnnxForest"),
    ("mlp", 200, "_MLP")])
def test_compiled_equals_sklearn(table, archs, model, rows, backend):
    surrogate = fit_table(table, np.arange(min(rows, len(table.archs))), model, members=2)
    assert surrogate.compiled.backend == backend and surrogate.compiled is surrogate.compiled
    mean, spread = surrogate.predict(archs)  # scikit-learn, batched
    compiled = np.array([surrogate.predict_one(arch) for arch in archs])
    assert np.abs(compiled[:, 0] - mean).max() < 1e-9 and np.abs(compiled[:, 1] - spread).max() < 1e-9
    assert spread.max() > 0 and np.ptp(mean) > 0  # a spread and a signal to get wrong


def test_every_model_kind_is_compiled_and_unfitted_is_one_line():
    assert set(MODELS) == {"hgb", "gb", "rf", "mlp"}  # a new kind: add its compiler (else scikit-learn's speed)
    with pytest.raises(ValueError, match="surrogate model 'hgb' is not fitted: call fit first"):
        compile_ensemble(Ensemble("hgb"))
