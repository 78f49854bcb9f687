"""Agents on a deterministic fast env: they improve with their budget, REINFORCE learns, plug-ins load."""

import numpy as np
import pytest

import nasgym
import nasgym.search
from nasgym.agents import AGENTS, NSGA2, RandomSearch, RegularizedEvolution, Reinforce
from nasgym.search import RunConfig, resolve_algo
from nasgym.search.blackbox import run_blackbox

BUDGET = 150
# proxy space, simulated Tensor G1 latency, deterministic MAC-driven accuracy, TuNAS abs reward
FAST = {"cost": {"kind": "edgetpu", "hardware": "tensor-g1"},
        "reward": {"kind": "abs", "target_latency_ms": 0.3, "beta": -0.5}}


def run(agent, env, budget=BUDGET) -> list[float]:
    rewards = []
    run_blackbox(env, agent, budget, on_episode=lambda info: rewards.append(info["reward"]), seed=0)
    return rewards


@pytest.mark.parametrize("name", sorted(AGENTS))
def test_each_agent_improves_beyond_its_first_tenth(name, fake_env):
    improved = 0
    for seed in (1, 2, 3):  # random sampling alone improves in ~8 of 10 seeds: ask for 2 of 3
        env = fake_env(**FAST)
        rewards = run(AGENTS[name](env.space, seed=seed), env)
        assert len(rewards) == BUDGET
        improved += max(rewards) > max(rewards[: BUDGET // 10])
    assert improved >= 2, name


def test_runs_are_deterministic_for_a_seed(fake_env):
    for name in ("random", "evolution", "reinforce", "nsga2"):
        a = run(AGENTS[name](fake_env(**FAST).space, seed=3), fake_env(**FAST), 30)
        b = run(AGENTS[name](fake_env(**FAST).space, seed=3), fake_env(**FAST), 30)
        assert a == b, name


def test_proposals_are_valid_members():
    space = nasgym.load_space("edgetpu-v2")
    for agent in (RandomSearch(space, 0), RegularizedEvolution(space, 0, population_size=4, sample_size=2),
                  Reinforce(space, 0), NSGA2(space, 0, population_size=4)):
        for _ in range(6):
            indices = agent.propose()
            assert space.encode(space.decode(indices)) == indices
            agent.observe(indices, float(np.sum(indices)), {"accuracy": 0.5, "latency_ms": 1.0})


def test_evolution_children_differ_from_parent_by_mutation():
    space = nasgym.load_space("proxy")
    agent = RegularizedEvolution(space, seed=0, population_size=5, sample_size=2)
    parent = space.sample_indices(np.random.default_rng(0))
    for _ in range(20):
        child = agent.mutate(parent)
        assert child != parent
        assert space.encode(space.decode(child)) == child
    for i in range(7):
        agent.observe(space.sample_indices(np.random.default_rng(i)), float(i), {})
    assert len(agent.population) == 5
    assert [reward for _, reward in agent.population] == [2.0, 3.0, 4.0, 5.0, 6.0]  # the oldest died


def test_reinforce_learns_the_rewarded_choice():
    """Reward = number of fused-IBN blocks: the controller's probability of ibn_fused must rise well above uniform."""
    space = nasgym.load_space("proxy")
    agent = Reinforce(space, seed=0, learning_rate=0.1)
    op_positions = [i for i, d in enumerate(space.decisions) if d.kind == "op"]
    for _ in range(150):
        indices = agent.propose()
        arch = space.decode(indices)
        agent.observe(indices, float(sum(b.op == "ibn_fused" for b in arch.blocks)), {})
    probabilities = agent.probabilities()
    for position in op_positions:
        choices = space.decisions[position].choices
        assert probabilities[position][choices.index("ibn_fused")] > 0.6  # uniform: 0.2-0.5


def test_reinforce_warmup_keeps_the_policy_uniform():
    space = nasgym.load_space("proxy")
    agent = Reinforce(space, seed=0, warmup=10)
    for _ in range(10):
        indices = agent.propose()
        agent.observe(indices, float(indices[0]), {})
    assert all(np.allclose(p, 1 / len(p)) for p in agent.probabilities())
    indices = agent.propose()
    agent.observe(indices, 100.0, {})
    assert not all(np.allclose(p, 1 / len(p)) for p in agent.probabilities())


def test_nsga2_rejects_results_of_the_wrong_length():
    agent = NSGA2(nasgym.load_space("proxy"), seed=0, population_size=4)
    with pytest.raises(ValueError, match="observe\\(\\) got 3 indices: expected 30"):
        agent.observe([0, 0, 0], 1.0, {"accuracy": 0.5, "latency_ms": 1.0})


@pytest.mark.parametrize(
    ("cls", "kwargs", "message"),
    [
        (RegularizedEvolution, {"population_size": 0}, "population_size=0 is invalid"),
        (RegularizedEvolution, {"population_size": 3, "sample_size": 5}, "sample_size=5 is invalid"),
        (Reinforce, {"learning_rate": 0}, "learning_rate=0 is invalid"),
        (Reinforce, {"baseline_momentum": 1.0}, "baseline_momentum=1.0 is invalid"),
        (Reinforce, {"warmup": -1}, "warmup=-1 is invalid"),
        (NSGA2, {"population_size": 1}, "population_size=1 is invalid"),
    ],
)
def test_bad_agent_config(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls(nasgym.load_space("proxy"), 0, **kwargs)


PLUGIN = '''
from nasgym.agents.base import BlackBoxAgent


class FirstChoice(BlackBoxAgent):
    """Always proposes the first valid choice of every decision."""

    def propose(self):
        return self.repair([0] * len(self.space.decisions))

    def observe(self, indices, reward, info):
        self.last = reward


class NotAnAgent:
    pass
'''


def test_plugin_agent_loads_from_a_file_and_runs(tmp_path, fake_env):
    path = tmp_path / "my_agent.py"
    path.write_text(PLUGIN)
    spec = resolve_algo(f"{path}:FirstChoice")
    assert spec.kind == "blackbox"
    env = fake_env(**FAST)
    agent = spec.cls(env.space, seed=0)
    rewards = run(agent, env, 3)
    assert len(rewards) == 3 and len(set(rewards)) == 1 and agent.last == rewards[-1]


def test_bad_agent_specs(tmp_path):
    path = tmp_path / "my_agent.py"
    path.write_text(PLUGIN)
    with pytest.raises(ValueError, match="does not exist: expected path.py:Class"):
        resolve_algo(f"{tmp_path / 'missing.py'}:FirstChoice")
    with pytest.raises(ValueError, match="class 'Nope' not found"):
        resolve_algo(f"{path}:Nope")
    with pytest.raises(ValueError, match="neither an SB3 BaseAlgorithm nor a black-box agent"):
        resolve_algo(f"{path}:NotAnAgent")
    with pytest.raises(ValueError, match="algorithm 'simulated_annealing' is unknown: expected one of"):
        resolve_algo("simulated_annealing")


def test_nsga2_accepts_replayed_results():
    agent = NSGA2(nasgym.load_space("proxy"), seed=0, population_size=4)
    indices = agent.space.sample_indices(np.random.default_rng(0))
    agent.observe(indices, 0.7, {"accuracy": 0.8, "latency_ms": 0.4})
    assert len(agent.study.trials) == 1 and agent.study.trials[0].values == [0.8, 0.4]
    agent.observe(indices, 0.0, {"accuracy": 0.0, "latency_ms": 0.4, "failed": "diverged"})
    assert len(agent.study.trials) == 1  # failed replays are skipped


COUNTING_PLUGIN = '''
from pathlib import Path

from nasgym.agents.random_search import RandomSearch


class CountingRandom(RandomSearch):
    """Random search that appends one line per observed result to a file next to this plug-in."""

    def observe(self, indices, reward, info):
        with open(Path(__file__).with_suffix(".log"), "a") as f:
            f.write(f"{reward}\\n")
'''


@pytest.mark.slow
def test_resumed_blackbox_run_replays_the_log_into_the_agent(tmp_path, monkeypatch):
    monkeypatch.setenv("NASGYM_CACHE", str(tmp_path / "cache"))
    plugin = tmp_path / "counting.py"
    plugin.write_text(COUNTING_PLUGIN)
    config = RunConfig(env="EdgeTPU-ZeroCost", algo=f"{plugin}:CountingRandom", seed=0, logdir=str(tmp_path / "run"),
                       progress=False, references="none", tensorboard=False)
    first = nasgym.search.run(RunConfig(**{**config.__dict__, "evaluations": 3}))
    assert first.n_evaluations == 3
    second = nasgym.search.run(RunConfig(**{**config.__dict__, "evaluations": 5}))
    assert second.n_evaluations == 5
    observed = plugin.with_suffix(".log").read_text().split()
    assert len(observed) == 3 + 3 + 2  # first run, replay of its 3 results, 2 new ones
    assert observed[3:6] == observed[:3]
    # The replay advanced the agent's RNG: the resumed run proposes new networks, not the first three again.
    assert len({row["arch_hash"] for row in second.rows}) == 5
    assert not any(row["cache_hit"] for row in second.rows)
