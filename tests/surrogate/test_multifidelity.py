"""Multi-fidelity surrogate: learning-curve points in the table, the evaluator's ``fidelity``, successive halving on
it (through the bench harness, and against random search at an equal budget)."""

import hashlib
import json

import numpy as np
import pytest
import yaml
from surrogate_helpers import CURVE_SPEC, CURVE_STD, CURVE_STEPS, SEED_STD, known_accuracy, known_curve, synthetic_rows

import nasgym
from nasgym.agents import RandomSearch, SuccessiveHalving
from nasgym.env import NasEnv
from nasgym.hw import MacsCostModel
from nasgym.quality import make_evaluator
from nasgym.rewards import make_reward
from nasgym.search import BenchConfig, RunConfig, bench, run
from nasgym.search.blackbox import run_blackbox
from nasgym.surrogate.dataset import load_table, metrics_of, read_rows, write_rows
from nasgym.surrogate.features import FeatureEncoder
from nasgym.surrogate.metrics import kendall

SPACE = nasgym.load_space("proxy")
N, WITH_CURVE = 300, 240  # architectures; those with learning-curve points (rows measured before have none)


@pytest.fixture(scope="module")
def curve_fp() -> str:
    return make_evaluator(CURVE_SPEC).fingerprint


@pytest.fixture(scope="module")
def curve_data(tmp_path_factory, curve_fp):
    path = tmp_path_factory.mktemp("curve") / "curve.csv.gz"
    write_rows(path, synthetic_rows(N, curve_fp, curve_steps=CURVE_STEPS, curve_rows=WITH_CURVE / N))
    return path


@pytest.fixture(scope="module")
def spec(curve_data):
    return {"kind": "surrogate", "target": CURVE_SPEC, "data": str(curve_data), "model": "rf", "members": 2}


def test_table_holds_the_curve_points_and_their_fractions(curve_data, curve_fp):
    table = load_table(curve_data, curve_fp, steps=CURVE_SPEC["steps"])
    assert table.curve_steps == CURVE_STEPS and table.fractions == (0.25, 0.5)
    assert table.curve.shape == (N, 2, 2)
    has = np.isfinite(table.curve).all(axis=(1, 2))
    assert has.sum() == WITH_CURVE and np.isnan(table.curve[~has]).all()  # rows without points: NaN, not dropped
    index = {a.to_string(): i for i, a in enumerate(table.archs)}
    for row in read_rows(curve_data):
        metrics, i = metrics_of(row), index[row["arch_string"]]
        if "curve" in metrics:
            assert table.curve[i, table.seeds.index(int(row["seed"]))].tolist() == metrics["curve"]
        else:
            assert not has[i]
    half = table.at_fraction(0.5)
    assert len(half.archs) == WITH_CURVE and np.array_equal(half.accuracy, table.curve[has][:, :, 1])
    assert load_table(curve_data, curve_fp).fractions == ()  # steps unknown: no fractions
    with pytest.raises(ValueError, match=r"fidelity=0.3 has no learning-curve points: expected 1.0 or one of "
                                         r"\[0.25, 0.5\]"):
        table.at_fraction(0.3)


def test_bad_curve_row_is_one_line(tmp_path, curve_fp):
    rows = synthetic_rows(3, curve_fp, curve_steps=CURVE_STEPS)
    metrics = metrics_of(rows[1])
    rows[1]["metrics"] = json.dumps({**metrics, "curve": metrics["curve"][:1]})
    path = tmp_path / "bad.csv.gz"
    write_rows(path, rows)
    with pytest.raises(ValueError, match=r"line \d: curve_steps=\[2, 4\], curve=\[.*\]: expected lists of positive "
                                         "step counts and finite accuracies of equal length") as err:
        load_table(path, curve_fp)
    assert "\n" not in str(err.value)


def test_fidelity_half_tracks_the_curve_points_not_the_final_accuracy(spec):
    final, half = make_evaluator(spec), make_evaluator({**spec, "fidelity": 0.5})
    assert final.fidelities == half.fidelities == (0.25, 0.5, 1.0)
    encoder, rng = FeatureEncoder(SPACE), np.random.default_rng(7)
    archs = [SPACE.sample(rng) for _ in range(150)]
    predicted = np.array([half.evaluate(a, 0)["accuracy"] for a in archs])
    at_half = np.array([known_curve(encoder, a, 0.5) for a in archs])
    at_end = np.array([known_accuracy(encoder, a) for a in archs])
    assert np.abs(predicted - at_half).mean() < 0.02  # the curve points' level ...
    assert np.abs(predicted - at_end).mean() > 0.08  # ... not the final accuracy's (0.1 higher)
    assert kendall(predicted, at_half) > 0.6
    assert half.surrogate.n_train == WITH_CURVE and final.surrogate.n_train == N  # only rows with the points
    assert half.surrogate.seed_std == pytest.approx(CURVE_STD, rel=0.25)  # noise measured on the points
    assert final.surrogate.seed_std == pytest.approx(SEED_STD, rel=0.25)
    assert half.evaluate(archs[0], 0)["fidelity"] == 0.5 and "fidelity" not in final.evaluate(archs[0], 0)
    assert half.at_fidelity(1.0).fingerprint == final.fingerprint


def test_fingerprint_of_the_default_is_unchanged_and_fidelities_differ(spec):
    final = make_evaluator({**spec, "residual": False})
    fields = {"model": "rf", "members": 2, "noise": False, "target": final.target_fingerprint,
              "data": final.digest}  # the fields before fidelity and residual existed
    digest = hashlib.sha1(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:10]
    assert final.fingerprint == f"surrogate-v1-{digest}"
    assert final.fingerprint == make_evaluator({**spec, "fidelity": 1.0, "residual": False}).fingerprint
    residual = hashlib.sha1(json.dumps({**fields, "residual": True}, sort_keys=True).encode()).hexdigest()[:10]
    assert make_evaluator(spec).fingerprint == f"surrogate-v1-{residual}"  # the target is calibrated
    prints = {make_evaluator({**spec, "fidelity": f}).fingerprint for f in (0.25, 0.5, 1.0)}
    assert len(prints) == 3


def test_noise_at_a_fidelity_is_seeded_and_independent_of_the_final_draw(spec):
    half, final = (make_evaluator({**spec, "noise": True, "fidelity": f}) for f in (0.5, 1.0))
    arch = SPACE.sample(3)
    a, b = half.evaluate(arch, 0), half.evaluate(arch, 1)
    assert a["accuracy"] != b["accuracy"] and a["accuracy"] == half.evaluate(arch, 0)["accuracy"]
    z_half = (a["accuracy"] - a["surrogate_mean"]) / half.surrogate.seed_std
    f = final.evaluate(arch, 0)
    z_final = (f["accuracy"] - f["surrogate_mean"]) / final.surrogate.seed_std
    assert abs(z_half - z_final) > 1e-6


def test_bad_fidelity_is_one_line(spec, synthetic_data, tmp_path, curve_fp):
    from surrogate_helpers import TINY_SPEC

    few = tmp_path / "few.csv.gz"
    write_rows(few, synthetic_rows(100, curve_fp, curve_steps=CURVE_STEPS, curve_rows=0.45))
    for fields, match in [
        ({**spec, "fidelity": 0.3}, r"surrogate evaluator field fidelity=0.3 is not in surrogate data '.*curve.csv.gz':"
                                    r" expected 1.0 or one of \[0.25, 0.5\]"),
        ({**spec, "fidelity": 1.5}, r"field fidelity=1.5 is invalid: expected a number in \(0, 1\]"),
        ({**spec, "fidelity": "half"}, "field fidelity='half' is invalid"),
        ({"kind": "surrogate", "target": TINY_SPEC, "data": str(synthetic_data), "fidelity": 0.5},
         r"fidelity=0.5 is not in surrogate data .*: expected 1.0 \(its rows have no learning-curve points\)"),
        ({**spec, "data": str(few), "fidelity": 0.25},
         r"has 45 architectures with learning-curve points at fidelity 0.25 at >= 2 seeds of evaluator "
         r"train-v1-\w+: expected >= 50; produce more with nice"),
    ]:
        with pytest.raises(ValueError, match=match) as err:
            make_evaluator(fields)
        assert "\n" not in str(err.value)
    assert make_evaluator({**spec, "data": str(few)}).fidelities == (1.0,)  # too few points: full fidelity only


def test_successive_halving_runs_in_the_bench_and_logs_full_fidelity(spec, tmp_path):
    env_yaml = tmp_path / "mf.yaml"
    env_yaml.write_text(yaml.safe_dump({
        "id": "MF-Test", "space": "proxy", "cost": {"kind": "macs", "ms_per_gmac": 8.0}, "evaluator": spec,
        "reward": {"kind": "abs", "target_latency_ms": 0.5, "beta": -0.1}, "cache": None}))
    text = bench(BenchConfig(env=str(env_yaml), agents=["successive_halving", "random"], evaluations=19, seeds=1,
                             logdir=str(tmp_path / "bench")))
    assert "| successive_halving | 1 |" in text and "| random | 1 |" in text
    final = make_evaluator(spec)
    rows = [r for r in read_csv(tmp_path / "bench" / "successive_halving" / "seed0" / "evaluations.csv")]
    assert len(rows) == 19 and "fidelity" not in rows[0]  # one row per unit of budget, all at fidelity 1
    for row in rows:
        arch = nasgym.Architecture.parse(row["arch_string"])
        assert float(row["accuracy"]) == pytest.approx(final.evaluate(arch, 0)["accuracy"], abs=1e-9)
    assert len({r["arch_hash"] for r in rows[15:]}) == 4  # units 16-19: the first bracket's 4 full evaluations


def test_a_resumed_successive_halving_run_logs_what_an_uninterrupted_one_does(spec, tmp_path):
    env_yaml = tmp_path / "mf.yaml"
    env_yaml.write_text(yaml.safe_dump({
        "id": "MF-Test", "space": "proxy", "cost": {"kind": "macs", "ms_per_gmac": 8.0}, "evaluator": spec,
        "reward": {"kind": "abs", "target_latency_ms": 0.5, "beta": -0.1}, "cache": None}))

    def logged(logdir, evaluations):
        result = run(RunConfig(env=str(env_yaml), algo="successive_halving", evaluations=evaluations, seed=1,
                               logdir=str(tmp_path / logdir), progress=False, references="none", tensorboard=False))
        return [(r["arch_hash"], r["reward"]) for r in result.rows]

    logged("split", 12)  # stopped inside the first bracket's second rung, then continued
    assert logged("split", 30) == logged("whole", 30)


def read_csv(path):
    import csv

    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_successive_halving_beats_random_search_at_equal_budget(spec):
    """Reward = accuracy; 3 brackets (57 units): SH screens 108 architectures at 1/4 of the cost where random search
    trains 57. A working promotion finds better architectures on average over 10 seeds (ranking by a random number
    instead is worse than random search)."""
    evaluator = make_evaluator(spec)
    reward = make_reward({"kind": "abs", "target_latency_ms": 1.0, "beta": 0.0, "energy_beta": 0.0})
    best: dict[str, list[float]] = {"sh": [], "random": []}
    for seed in range(10):
        for name, cls in (("sh", SuccessiveHalving), ("random", RandomSearch)):
            rewards: list[float] = []
            env = NasEnv(SPACE, MacsCostModel(), evaluator, reward)
            run_blackbox(env, cls(SPACE, seed=seed), 57, seed=0,
                         on_episode=lambda info, out=rewards: out.append(info["reward"]))
            best[name].append(max(rewards))
    assert np.mean(best["sh"]) > np.mean(best["random"])


def test_another_fidelity_keeps_the_read_of_the_data(tmp_path, curve_fp):
    path = tmp_path / "growing.csv.gz"
    write_rows(path, synthetic_rows(N, curve_fp, curve_steps=CURVE_STEPS, curve_rows=WITH_CURVE / N))
    final = make_evaluator({"kind": "surrogate", "target": CURVE_SPEC, "data": str(path), "model": "rf",
                            "members": 2})
    path.write_bytes(b"rewritten by the collector meanwhile")  # not even readable any more
    half = final.at_fidelity(0.5)
    assert half.digest == final.digest and half.config.fidelity == 0.5 and final.config.fidelity == 1.0
    assert half.surrogate.n_train == WITH_CURVE and final.surrogate.n_train == N
    assert half.fingerprint != final.fingerprint and half.at_fidelity(1.0).fingerprint == final.fingerprint
    with pytest.raises(ValueError, match=r"fidelity=0\.3 is not in surrogate data"):
        final.at_fidelity(0.3)
