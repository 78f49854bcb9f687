import gymnasium as gym
import pytest
from surrogate_helpers import TINY_SPEC, synthetic_rows

import nasgym
from nasgym.quality import make_evaluator
from nasgym.surrogate import dataset
from nasgym.surrogate.dataset import write_rows


@pytest.fixture
def no_committed_data(tmp_path, monkeypatch):
    monkeypatch.setattr(dataset, "DATA_DIR", tmp_path / "none")


def test_missing_data_is_one_line_with_the_command(no_committed_data):
    for make in (lambda: make_evaluator({"kind": "surrogate"}),
                 lambda: gym.make("nasgym/EdgeTPU-Surrogate-v0"),
                 lambda: nasgym.make_env("EdgeTPU-Surrogate", evaluator={"target": TINY_SPEC})):
        with pytest.raises(ValueError, match=r"surrogate data '.*\.csv\.gz' does not exist: produce it with "
                                             r"nice -n 10 .*benchmarks/surrogate_data.py --workers 2") as err:
            make()
        assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match=r"--spec '\{\"kind\": \"default\", \"dataset\": \"digits\""):
        make_evaluator({"kind": "surrogate", "target": TINY_SPEC})


@pytest.mark.parametrize(("fields", "match"), [
    ({"model": "xgb"}, "field model='xgb' is invalid: expected one of 'hgb', 'gb', 'rf', 'mlp'"),
    ({"members": 0}, "field members=0 is invalid: expected an int >= 1"),
    ({"noise": "yes"}, "field noise='yes' is invalid: expected true or false"),
    ({"target": 3}, "field target=3 is invalid: expected an evaluator spec"),
    ({"target": {"kind": "train", "stepz": 1}}, r"unknown train evaluator field\(s\) 'stepz'"),
    ({"dataa": "x"}, r"unknown surrogate evaluator field\(s\) 'dataa': valid fields are kind, target, data"),
])
def test_bad_fields_are_one_line(fields, match):
    with pytest.raises(ValueError, match=match) as err:
        make_evaluator({"kind": "surrogate", **fields})
    assert "\n" not in str(err.value)


def test_data_without_rows_of_the_target_or_too_few(synthetic_data, tmp_path, tiny_fingerprint):
    with pytest.raises(ValueError, match="has no rows of evaluator train-v1-"):
        make_evaluator({"kind": "surrogate", "data": str(synthetic_data)})  # target default: another fingerprint
    few = tmp_path / "few.csv.gz"
    write_rows(few, synthetic_rows(10, tiny_fingerprint))
    with pytest.raises(ValueError, match="has 10 architectures with >= 2 seeds of evaluator .*: expected >= 50"):
        make_evaluator({"kind": "surrogate", "target": TINY_SPEC, "data": str(few)})


def test_predictions_noise_and_fingerprint(synthetic_data, tmp_path):
    spec = {"kind": "surrogate", "target": TINY_SPEC, "data": str(synthetic_data), "members": 2}
    ev = make_evaluator(spec)
    arch = nasgym.load_space("proxy").sample(5)
    first = ev.evaluate(arch, 0)
    assert 0.0 <= first["accuracy"] <= 1.0 and first["accuracy"] == ev.evaluate(arch, 1)["accuracy"]
    assert first["accuracy_std"] >= 0 and first["eval_seconds"] >= 0
    noisy = make_evaluator({**spec, "noise": True})
    a, b = noisy.evaluate(arch, 0)["accuracy"], noisy.evaluate(arch, 1)["accuracy"]
    assert a != b and a == noisy.evaluate(arch, 0)["accuracy"]
    assert abs(a - first["accuracy"]) < 6 * ev.surrogate.seed_std
    other = tmp_path / "other.csv.gz"
    write_rows(other, synthetic_rows(60, ev.target_fingerprint, seed=1))
    assert make_evaluator({**spec, "data": str(other)}).fingerprint != ev.fingerprint  # new rows, new surrogate
    assert noisy.fingerprint != ev.fingerprint and ev.fingerprint == make_evaluator(spec).fingerprint
    assert ev.fingerprint.startswith("surrogate-v1-")


def test_env_runs_on_the_surrogate(synthetic_data):
    env = gym.make("nasgym/EdgeTPU-Surrogate-MultiDiscrete-v0",
                   evaluator={"target": TINY_SPEC, "data": str(synthetic_data), "members": 2})
    env.reset(seed=0)
    done, info = False, {}
    while not done:
        _, _, done, _, info = env.step(env.action_space.sample())
    assert 0.0 <= info["accuracy"] <= 1.0 and info["latency_ms"] > 0
    env.close()


def test_a_file_rewritten_after_construction_does_not_change_the_model(tmp_path, tiny_fingerprint):
    path = tmp_path / "growing.csv.gz"
    write_rows(path, synthetic_rows(60, tiny_fingerprint))
    ev = make_evaluator({"kind": "surrogate", "target": TINY_SPEC, "data": str(path), "members": 2, "model": "rf"})
    fingerprint = ev.fingerprint
    write_rows(path, synthetic_rows(120, tiny_fingerprint, seed=3))  # the collector rewrites it meanwhile
    assert ev.surrogate.n_train == 60 and ev.fingerprint == fingerprint  # the rows the fingerprint names
    assert make_evaluator({"kind": "surrogate", "target": TINY_SPEC, "data": str(path), "members": 2,
                           "model": "rf"}).surrogate.n_train == 120
