"""Test-wide settings and fixtures.

One torch thread for determinism and to share the 2 CI cores fairly. Fixtures that build what several test files
need: the proxy space, seeded architecture samples, fast environments on the fake evaluator, and small evaluator
specs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from nasgym_fakes import FakeEvaluator

import nasgym
from nasgym.env import NasEnv
from nasgym.hw import MacsCostModel, make_cost_model
from nasgym.rewards import make_reward

torch.set_num_threads(1)

GROUPED_OPS = ("ibn_fused_grouped", "ibn_grouped")
FAKE_ENV_REWARD = {"kind": "mnas", "target_latency_ms": 0.06}
TINY_SUPERNET = {"kind": "supernet", "dataset": "digits", "warmup_steps": 6, "batch_size": 16, "checkpoint_every": 3,
                 "bn_images": 64, "val_images": 100}


@pytest.fixture(scope="session")
def proxy_space() -> nasgym.SearchSpace:
    """The ``proxy`` search space."""
    return nasgym.load_space("proxy")


@pytest.fixture(scope="session")
def sample_archs() -> Callable[[str, int, int], list[nasgym.Architecture]]:
    """``sample_archs(space, n, seed)``: the first ``n`` architectures ``space.sample`` draws from
    ``np.random.default_rng(seed)`` (``sample_archs("proxy", 1, s)[0]`` is ``space.sample(default_rng(s))``)."""

    def sample(space: str, n: int, seed: int) -> list[nasgym.Architecture]:
        loaded, rng = nasgym.load_space(space), np.random.default_rng(seed)
        return [loaded.sample(rng) for _ in range(n)]

    return sample


@pytest.fixture(scope="session")
def grouped_proxy_arch() -> Callable[..., nasgym.Architecture]:
    """``grouped_proxy_arch(seed=0)``: the first proxy architecture with a group conv, sampled from seeds ``seed``,
    ``seed + 1``, ... (one ``default_rng`` per seed)."""

    def first_grouped(seed: int = 0) -> nasgym.Architecture:
        space = nasgym.load_space("proxy")
        for s in range(seed, seed + 200):
            arch = space.sample(np.random.default_rng(s))
            if any(block.op in GROUPED_OPS for block in arch.blocks):
                return arch
        raise AssertionError(f"no architecture with a group conv sampled from seeds {seed}..{seed + 199}")

    return first_grouped


@pytest.fixture
def fake_env() -> Callable[..., NasEnv]:
    """``fake_env(space="proxy", cost=None, reward=None, evaluator=None, **env_kwargs)``: a fast :class:`NasEnv`:
    the MAC-count cost model (or ``make_cost_model(cost)``), a fresh :class:`FakeEvaluator` (or ``evaluator``) and
    the mnas reward at 0.06 ms (or ``make_reward(reward)``)."""

    def make(space: str = "proxy", cost: dict | None = None, reward: dict | None = None, evaluator: object = None,
             **env_kwargs: object) -> NasEnv:
        return NasEnv(nasgym.load_space(space), make_cost_model(cost) if cost else MacsCostModel(),
                      evaluator or FakeEvaluator(), make_reward(reward or FAKE_ENV_REWARD), **env_kwargs)

    return make


@pytest.fixture
def supernet_spec(tmp_path: Path) -> Callable[..., dict]:
    """``supernet_spec(**fields)``: a tiny digits supernet spec (6 warm-up steps, checkpoint every 3) whose
    checkpoints go to the test's ``tmp_path``; ``fields`` override or add fields."""

    def spec(**fields: object) -> dict:
        return {**TINY_SUPERNET, "cache_dir": str(tmp_path), **fields}

    return spec
