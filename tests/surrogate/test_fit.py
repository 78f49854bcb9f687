import numpy as np

from nasgym.surrogate.dataset import load_table
from nasgym.surrogate.fit import fit_table, holdout, load_surrogate
from nasgym.surrogate.metrics import kendall, seed_kendall, top_kendall
from nasgym.surrogate.models import Ensemble


def test_surrogate_recovers_a_known_function(synthetic_data, tiny_fingerprint):
    table = load_table(synthetic_data, tiny_fingerprint)
    train, test = holdout(len(table.archs))
    assert len(test) == round(0.2 * len(table.archs)) and not set(train) & set(test)
    surrogate = fit_table(table, train, "hgb", members=3)
    predicted, spread = surrogate.predict([table.archs[i] for i in test])
    assert kendall(predicted, table.mean[test]) > 0.7  # a model that ignores the features gets ~0
    assert (spread >= 0).all() and spread.mean() > 0
    x = surrogate.encoder.encode_many(list(table.archs))
    y = np.random.default_rng(0).permutation(table.mean)  # the features carry no signal about shuffled labels
    broken = Ensemble("hgb", 3).fit(x[train], y[train])
    assert abs(kendall(broken.predict(x[test])[0], table.mean[test])) < 0.3


def test_fit_is_deterministic_and_memoized(synthetic_data, tiny_fingerprint):
    table = load_table(synthetic_data, tiny_fingerprint)
    archs = list(table.archs[:20])
    a = fit_table(table, np.arange(100), "rf", members=2).predict(archs)[0]
    b = fit_table(table, np.arange(100), "rf", members=2).predict(archs)[0]
    assert np.array_equal(a, b)
    assert load_surrogate(synthetic_data, tiny_fingerprint, "rf", 2) is load_surrogate(synthetic_data,
                                                                                      tiny_fingerprint, "rf", 2)


def test_noise_ceiling_and_top_decile():
    rng = np.random.default_rng(0)
    truth = rng.normal(size=500)
    acc = np.stack([truth + 0.1 * rng.normal(size=500), truth + 0.1 * rng.normal(size=500)], axis=1)
    assert 0.85 < seed_kendall(acc) < 1.0
    assert top_kendall(truth, truth) == 1.0
    assert np.isnan(kendall(np.array([1.0, np.nan]), np.array([1.0, 2.0])))
