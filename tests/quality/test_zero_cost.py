import math

import pytest
import torch
from torch import nn

from nasgym.quality import make_evaluator
from nasgym.quality import zero_cost as zc

DIGITS = {"kind": "zero_cost", "dataset": "digits", "batch_size": 32}


def test_synflow_obeys_layerwise_conservation():
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3, bias=False), nn.ReLU(), nn.Linear(3, 2, bias=False))
    with torch.no_grad():
        model[1].weight.copy_(torch.tensor([[1.0, -2.0, 0.5, 0.0], [0.0, 1.0, -1.0, 3.0], [2.0, 0.0, 0.0, -1.0]]))
        model[3].weight.copy_(torch.tensor([[1.0, -1.0, 2.0], [0.5, 0.0, -3.0]]))
        r = float(model[3].weight.abs().sum(0) @ model[1].weight.abs().sum(1))
    # With |weights| and an all-ones input every layer's synflow sum equals R = sum(output); two layers -> 2R.
    assert zc.synflow(model, (2, 2, 1)) == pytest.approx(math.log(2 * r))


def test_naswot_is_the_log_determinant_of_code_agreements():
    images = torch.tensor([[1.0, 1.0, -1.0, -1.0], [1.0, -1.0, 1.0, -1.0]])
    assert zc.naswot(nn.Sequential(nn.ReLU()), images) == pytest.approx(math.log(4 * 4 - 2 * 2))
    assert zc.naswot(nn.Sequential(nn.ReLU()), images[[0, 0]]) == float("-inf")


def test_squash_is_monotone_and_centered():
    assert zc.squash(5.0, 5.0, 2.0) == 0.5
    values = [zc.squash(s, 0.0, 1.0) for s in (-1e6, -3.0, 0.0, 3.0, 1e6)]
    assert values == sorted(values) and values[0] == 0.0 and values[-1] == 1.0


def test_deterministic_and_seed_dependent(archs):
    evaluator = make_evaluator(DIGITS)
    a, b = evaluator.evaluate(archs[0], 0), evaluator.evaluate(archs[0], 0)
    c = evaluator.evaluate(archs[0], 1)
    drop = {"eval_seconds", "cpu_seconds"}
    assert {k: v for k, v in a.items() if k not in drop} == {k: v for k, v in b.items() if k not in drop}
    assert a["score_synflow"] != c["score_synflow"]
    assert 0.0 <= a["accuracy"] <= 1.0 and a["score"] == a["score_naswot"]
    assert a["accuracy"] == zc.squash(a["score_naswot"], *zc.SCORE_SCALES["naswot"])


def test_proxy_selection_and_combined(archs):
    base = make_evaluator(DIGITS).evaluate(archs[2], 0)
    syn = make_evaluator({**DIGITS, "proxy": "synflow"}).evaluate(archs[2], 0)
    comb = make_evaluator({**DIGITS, "proxy": "combined"}).evaluate(archs[2], 0)
    assert syn["score"] == base["score_synflow"] == syn["score_synflow"]
    expected = sum((base[f"score_{n}"] - c) / s for n, (c, s) in zc.SCORE_SCALES.items())
    assert comb["score"] == pytest.approx(expected)


def test_degenerate_score_is_a_failed_evaluation(monkeypatch, archs):
    monkeypatch.setattr(zc, "naswot", lambda model, images: float("-inf"))
    metrics = make_evaluator(DIGITS).evaluate(archs[0], 0)
    assert metrics["accuracy"] == 0.0 and metrics["failed"] == "non-finite naswot score"
    assert math.isfinite(metrics["score_synflow"])
