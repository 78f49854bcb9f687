"""nasgym.registry.Registry: lookup, the one error message, and the dict-like edits tests rely on."""

import pytest

from nasgym.registry import Registry


def test_register_get_names_contains() -> None:
    reg: Registry[int] = Registry("thing")
    assert reg.register("a", 1) == 1
    reg.register("b", 2)
    assert reg.get("b") == 2 and reg.names() == ("a", "b") and list(reg) == ["a", "b"] and len(reg) == 2
    assert "a" in reg and "c" not in reg and ["a"] not in reg  # an unhashable name is simply absent
    assert list(reg.items()) == [("a", 1), ("b", 2)]


def test_algorithm_and_agent_tables_are_registries() -> None:
    from nasgym.agents import AGENTS
    from nasgym.search.algos import SB3_ALGOS, resolve_algo

    assert isinstance(AGENTS, Registry) and isinstance(SB3_ALGOS, Registry)
    with pytest.raises(ValueError) as error:
        resolve_algo("hillclimb")
    assert str(error.value) == ("algorithm 'hillclimb' is unknown: expected one of a2c, ars, ddpg, dqn, maskable_ppo, "
                                "ppo, qrdqn, recurrent_ppo, sac, td3, trpo, evolution, nsga2, random, reinforce, "
                                "successive_halving or path.py:Class")
    with pytest.raises(ValueError, match="^agent 'x' is unknown: expected one of random, evolution, reinforce, nsga2, "
                                        "successive_halving$"):
        AGENTS.get("x")


@pytest.mark.parametrize(("registry", "message"), [
    (Registry("task"), "task='x' is invalid: expected one of a, b"),
    (Registry("reward kind", sep=" "), "reward kind 'x' is invalid: expected one of a, b"),
    (Registry("cost model kind", problem="is unknown"), "cost model kind='x' is unknown: expected one of a, b"),
])
def test_unknown_name_message(registry: Registry, message: str) -> None:
    registry.register("a", 1)
    registry.register("b", 2)
    with pytest.raises(ValueError) as error:
        registry.get("x")
    assert str(error.value) == message
    with pytest.raises(ValueError, match=r"expected one of a, b or more$"):
        registry.get(["x"], hint=" or more")


def test_temporary_entry() -> None:
    reg: Registry[int] = Registry("thing")
    reg["fake"] = 3
    assert reg["fake"] == 3 and reg.pop("fake") == 3 and reg.pop("fake", None) is None
    reg["fake"] = 4
    del reg["fake"]
    assert reg.names() == ()
