"""Successive halving (agents/successive_halving.py) on the fake env's fidelities: budget in full-evaluation
equivalents, rung sizes and promotions, what is logged, determinism and one-line errors."""

from fractions import Fraction

import pytest

import nasgym
from nasgym.agents import AGENTS, SuccessiveHalving
from nasgym.search.blackbox import run_blackbox


def run(agent, env, units: int) -> list[dict]:
    rows: list[dict] = []
    run_blackbox(env, agent, units, on_episode=rows.append, seed=0)
    return rows


def rung_counts(agent: SuccessiveHalving) -> dict[int, list[int]]:
    counts: dict[int, list[int]] = {}
    for e in agent.evaluations:
        per = counts.setdefault(e.bracket, [0] * len(agent.fidelities))
        per[e.rung] += 1
    return counts


def test_registered_and_bound_to_the_env_fidelities(fake_env):
    assert AGENTS["successive_halving"] is SuccessiveHalving
    agent = SuccessiveHalving(fake_env().space, seed=0)
    run(agent, fake_env(), 1)
    assert agent.fidelities == (0.25, 0.5, 1.0)


@pytest.mark.parametrize(("eta", "initial", "sizes", "per_bracket"), [
    (3, 36, [36, 12, 4], Fraction(19)),    # 9 + 6 + 4 units
    (2, 10, [10, 5, 2], Fraction(7)),      # 2.5 + 2.5 + 2
    (3, 27, [27, 9, 3], Fraction(57, 4)),  # 6.75 + 4.5 + 3: costs straddle units, a carry remains
])
def test_budget_is_exact_and_rungs_promote_one_in_eta(fake_env, eta, initial, sizes, per_bracket):
    env = fake_env()
    agent = SuccessiveHalving(env.space, seed=1, eta=eta, initial=initial)
    units = int(4 * per_bracket)  # 4 whole brackets (57, 28 and 57 units)
    spent = []
    run_blackbox(env, agent, units, on_episode=lambda info: spent.append(agent.spent), seed=0)
    assert agent.rung_sizes() == sizes
    # after k proposals the agent has spent k full-evaluation equivalents, less a carry below the next cost
    for k, s in enumerate(spent, start=1):
        assert k - 1 < s <= k
    if per_bracket.denominator == 1:
        assert spent == [Fraction(k) for k in range(1, units + 1)]  # aligned costs: exactly one unit per proposal
    assert sum(Fraction(e.fidelity) for e in agent.evaluations) == agent.spent == units  # 4 whole brackets
    assert rung_counts(agent) == {b: sizes for b in range(4)}
    for b in range(4):  # each rung holds the best 1/eta of the previous one, by reward at the lower fidelity
        for rung in (0, 1):
            lower = [e for e in agent.evaluations if e.bracket == b and e.rung == rung]
            upper = [e.indices for e in agent.evaluations if e.bracket == b and e.rung == rung + 1]
            best = sorted(lower, key=lambda e: -e.reward)[:len(upper)]
            assert upper == [e.indices for e in best]
            assert min(e.reward for e in best) >= max(e.reward for e in lower if e not in best)


def test_logged_rows_are_full_evaluations_or_the_recommendation(fake_env):
    env = fake_env()
    agent = SuccessiveHalving(env.space, seed=2)  # eta 3, 36 -> 12 -> 4: units 1-9, 10-15, 16-19
    rows = run(agent, env, 25)
    space = env.space
    logged = [space.encode(nasgym.Architecture.from_json(r["arch"])) for r in rows]
    full = [e for e in agent.evaluations if e.fidelity == 1.0]
    assert [e.indices for e in full] == logged[15:19]  # the 4 full evaluations, in the units that paid for them
    for k, rung in ((9, 0), (15, 1)):  # before any full evaluation: the best of the highest fidelity reached
        reached = [e for e in agent.evaluations[: 36 if rung == 0 else 48] if e.rung == rung]
        assert logged[k - 1] == max(reached, key=lambda e: e.reward).indices
    best = max(range(15, 19), key=lambda i: rows[i]["reward"])
    assert logged[19:] == [logged[best]] * 6  # then the incumbent, a repeat (the next bracket's low rungs)
    assert all(r["cache_hit"] for r in rows[19:])
    assert [r["reward"] for r in rows[19:]] == [rows[best]["reward"]] * 6


def test_deterministic_for_a_seed(fake_env):
    def trace(seed):
        agent = SuccessiveHalving(fake_env().space, seed=seed)
        rows = run(agent, fake_env(), 30)
        return [r["arch_hash"] for r in rows], [(e.fidelity, e.indices, e.reward) for e in agent.evaluations]

    assert trace(3) == trace(3)
    assert trace(3) != trace(4)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"eta": 1}, "eta=1 is invalid: expected an int >= 2"),
    ({"initial": 0}, "initial=0 is invalid: expected an int >= 1"),
    ({"fidelities": [0.5, 0.25, 1.0]}, r"fidelities=\[0.5, 0.25, 1.0\] is invalid: expected >= 2 increasing"),
    ({"fidelities": [0.5]}, r"fidelities=\[0.5\] is invalid"),
    ({"fidelities": [0.25, 0.5]}, r"ending with 1.0"),
])
def test_bad_config_is_one_line(kwargs, message):
    with pytest.raises(ValueError, match=message) as err:
        SuccessiveHalving(nasgym.load_space("proxy"), 0, **kwargs)
    assert "\n" not in str(err.value)


class _FullOnly:
    """An evaluator without lower fidelities (only 1.0 offered)."""

    fingerprint = "full-only"
    fidelities = (1.0,)

    def at_fidelity(self, fidelity):
        raise AssertionError("not called")

    def evaluate(self, arch, seed):
        return {"accuracy": 0.5}


def test_env_without_fidelities_is_one_line(fake_env):
    from nasgym_fakes import FakeEvaluator

    class NoFidelities:
        fingerprint = "plain"

        def evaluate(self, arch, seed):
            return FakeEvaluator().evaluate(arch, seed)

    for evaluator, message in ((NoFidelities(), "needs an evaluator with fidelities: expected kind 'surrogate'"),
                               (_FullOnly(), r"needs >= 2 fidelities: the env's evaluator offers \[1.0\]")):
        env = fake_env(evaluator=evaluator)
        with pytest.raises(ValueError, match=message) as err:
            run(SuccessiveHalving(env.space, 0), env, 1)
        assert "\n" not in str(err.value)
