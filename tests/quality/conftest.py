"""Shared fixtures of the quality tests: one thread for determinism, small proxy-space architectures (the
proxy space itself is the suite-wide ``proxy_space`` of tests/conftest.py)."""

from __future__ import annotations

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
def archs(sample_archs) -> list[nasgym.Architecture]:
    """Four proxy-space architectures (seed 123)."""
    return sample_archs("proxy", 4, 123)
