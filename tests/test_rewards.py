"""Reward objects: exact formulas, the energy term, configs and bad input."""

import math

import pytest

from nasgym.rewards import AbsReward, ConstraintReward, MnasHardReward, MnasReward, make_reward


def metrics(acc: float, lat: float, energy: float = 1.0) -> dict:
    return {"accuracy": acc, "latency_ms": lat, "energy_mj": energy}


def test_abs_reward_formula_and_default_beta():
    reward = make_reward({"kind": "abs", "target_latency_ms": 2.0})
    assert isinstance(reward, AbsReward) and reward.beta == -0.10
    assert reward(metrics(0.8, 3.0)) == pytest.approx(0.8 - 0.10 * 0.5)
    assert reward(metrics(0.8, 1.0)) == pytest.approx(0.8 - 0.10 * 0.5)  # symmetric around T0
    assert reward(metrics(0.8, 2.0)) == pytest.approx(0.8)


def test_mnas_and_mnas_hard():
    soft = make_reward({"kind": "mnas", "target_latency_ms": 2.0})
    hard = make_reward({"kind": "mnas_hard", "target_latency_ms": 2.0})
    assert isinstance(soft, MnasReward) and isinstance(hard, MnasHardReward) and soft.beta == -0.07
    assert soft(metrics(0.8, 4.0)) == pytest.approx(0.8 * 2.0 ** -0.07)
    assert soft(metrics(0.8, 1.0)) == pytest.approx(0.8 * 0.5 ** -0.07)  # bonus below the target
    assert hard(metrics(0.8, 4.0)) == pytest.approx(0.8 * 2.0 ** -0.07)
    assert hard(metrics(0.8, 1.0)) == pytest.approx(0.8)  # no bonus


def test_constraint_reward():
    reward = make_reward({"kind": "constraint", "target_latency_ms": 2.0, "penalty": -0.5})
    assert isinstance(reward, ConstraintReward)
    assert reward(metrics(0.7, 2.0)) == 0.7
    assert reward(metrics(0.7, 2.01)) == -0.5


def test_energy_term():
    spec = {"target_latency_ms": 1.0, "energy_target_mj": 2.0, "energy_beta": -0.2}
    assert make_reward({"kind": "abs", **spec})(metrics(0.9, 1.0, 3.0)) == pytest.approx(0.9 - 0.2 * 0.5)
    assert make_reward({"kind": "mnas", **spec})(metrics(0.9, 1.0, 4.0)) == pytest.approx(0.9 * 2.0 ** -0.2)
    assert make_reward({"kind": "mnas_hard", **spec})(metrics(0.9, 1.0, 1.0)) == pytest.approx(0.9)
    constraint = make_reward({"kind": "constraint", **spec})
    assert constraint(metrics(0.9, 1.0, 2.0)) == 0.9 and constraint(metrics(0.9, 1.0, 2.5)) == -1.0


def test_config_round_trip():
    reward = make_reward({"kind": "mnas_hard", "target_latency_ms": 1.5, "beta": -0.2})
    assert make_reward(reward.config()) == reward
    assert reward.config()["kind"] == "mnas_hard"


def test_zero_latency_is_finite():
    assert math.isfinite(make_reward({"kind": "mnas", "target_latency_ms": 1.0})(metrics(0.5, 0.0)))


@pytest.mark.parametrize(("spec", "match"), [
    ({"kind": "fancy", "target_latency_ms": 1.0}, r"reward kind 'fancy' is invalid: expected one of abs, mnas"),
    ({"kind": "abs", "target_latency_ms": 1.0, "gamma": 1}, r"\['gamma'\] are unknown for kind 'abs'"),
    ({"kind": "abs"}, "needs target_latency_ms"),
    ({"kind": "abs", "target_latency_ms": -1.0}, r"target_latency_ms=-1.0 is invalid: expected a positive"),
    ({"kind": "abs", "target_latency_ms": 1.0, "beta": "x"}, r"beta='x' is invalid: expected a number"),
    ({"kind": "mnas", "target_latency_ms": 1.0, "beta": math.nan}, r"beta=nan is invalid: expected a finite"),
    ("abs", "expected a mapping"),
])
def test_bad_reward_config(spec, match):
    with pytest.raises(ValueError, match=match):
        make_reward(spec)
