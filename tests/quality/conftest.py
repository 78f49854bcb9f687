"""Shared fixtures of the quality tests: one thread for determinism, small proxy-space architectures."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import nasgym


@pytest.fixture(autouse=True)
def _one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="session")
def proxy_space() -> nasgym.SearchSpace:
    return nasgym.load_space("proxy")


@pytest.fixture(scope="session")
def archs(proxy_space) -> list[nasgym.Architecture]:
    rng = np.random.default_rng(123)
    return [proxy_space.sample(rng) for _ in range(4)]
