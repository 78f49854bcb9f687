import pytest

from nasgym.quality import (
    Evaluator,
    SupernetEvaluator,
    TrainEvaluator,
    ZeroCostEvaluator,
    evaluator_kinds,
    make_evaluator,
)
from nasgym.quality import data as data_module

TRAINED_KINDS = [k for k in evaluator_kinds() if k != "surrogate"]  # surrogate needs its data (tests/surrogate)


def test_kinds_and_types():
    assert evaluator_kinds() == ("zero_cost", "train", "supernet", "task", "surrogate")
    assert isinstance(make_evaluator({"kind": "zero_cost"}), ZeroCostEvaluator)
    assert isinstance(make_evaluator({"kind": "train", "steps": 5}), TrainEvaluator)
    assert isinstance(make_evaluator({"kind": "supernet", "space": "proxy"}), SupernetEvaluator)
    for kind in TRAINED_KINDS:
        assert isinstance(make_evaluator({"kind": kind}), Evaluator)


def test_constructors_do_not_load_data(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("dataset loaded in a constructor")

    monkeypatch.setattr(data_module, "load_fashion_mnist", boom)
    monkeypatch.setattr(data_module, "_LOADED", {})
    for kind in TRAINED_KINDS:
        make_evaluator({"kind": kind})


@pytest.mark.parametrize(("spec", "match"), [
    ({"kind": "gradient"}, "kind='gradient' is invalid: expected one of zero_cost, train, supernet"),
    ({"steps": 3}, "has no 'kind'"),
    ("train", "expected a dict"),
    ({"kind": "train", "stepz": 3}, r"unknown train evaluator field\(s\) 'stepz': valid fields are kind, dataset"),
    ({"kind": "train", "steps": 0}, "field steps=0 is invalid: expected an int >= 1"),
    ({"kind": "train", "steps": True}, "steps=True"),
    ({"kind": "train", "lr": -1.0}, "lr=-1.0"),
    ({"kind": "train", "optimizer": "adam"}, "optimizer='adam' is invalid: expected one of 'sgd', 'adamw'"),
    ({"kind": "train", "dataset": "mnist"}, "dataset='mnist'"),
    ({"kind": "zero_cost", "proxy": "snip"}, "proxy='snip' is invalid: expected one of 'naswot', 'synflow'"),
    ({"kind": "zero_cost", "batch_size": 1}, "batch_size=1"),
    ({"kind": "supernet", "warmup": 5}, r"unknown supernet evaluator field\(s\) 'warmup'"),
    ({"kind": "supernet", "bn_images": -1}, "bn_images=-1"),
    ({"kind": "supernet", "channels_last": 1}, "channels_last=1 is invalid: expected true or false"),
])
def test_config_errors_name_the_field(spec, match):
    with pytest.raises(ValueError, match=match):
        make_evaluator(spec)


def test_fingerprints_follow_config_and_version():
    a = make_evaluator({"kind": "train"}).fingerprint
    assert a == make_evaluator({"kind": "train", "steps": 100}).fingerprint
    assert a.startswith("train-v1-") and a != make_evaluator({"kind": "train", "steps": 101}).fingerprint
    assert a == make_evaluator({"kind": "train", "data_dir": "/elsewhere"}).fingerprint
    z = {make_evaluator({"kind": "zero_cost", "proxy": p}).fingerprint for p in ("naswot", "synflow", "combined")}
    assert len(z) == 3
    s = make_evaluator({"kind": "supernet"}).fingerprint
    assert s == make_evaluator({"kind": "supernet", "cache_dir": "/tmp/x", "threads": 2}).fingerprint
    assert s != make_evaluator({"kind": "supernet", "warmup_steps": 10}).fingerprint
