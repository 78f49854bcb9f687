"""``device`` of the train evaluator: validated, recorded in the results, never part of the fingerprint."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import nasgym
from nasgym.quality import make_evaluator
from nasgym.quality.device import resolve_device

SPEC = {"kind": "train", "dataset": "digits", "steps": 5, "repeats": 1, "bn_images": 64}


@pytest.mark.parametrize("device", ["auto", "cpu", "cuda", "cuda:1"])
def test_device_is_not_in_the_fingerprint(device):
    assert make_evaluator({**SPEC, "device": device}).fingerprint == make_evaluator(SPEC).fingerprint


@pytest.mark.parametrize("device", ["gpu", "cuda:x", "CPU", 0])
def test_bad_device_is_one_line(device):
    with pytest.raises(ValueError, match=r"train evaluator field device=.* is invalid: expected 'auto', 'cpu', "
                                         r"'cuda' or 'cuda:N'"):
        make_evaluator({**SPEC, "device": device})


def test_cpu_result_records_its_device_and_equals_auto_here():
    arch = nasgym.load_space("proxy").sample(np.random.default_rng(0))
    cpu = make_evaluator({**SPEC, "device": "cpu"}).evaluate(arch, 0)
    assert cpu["device"] == "cpu"
    if not torch.cuda.is_available():
        auto = make_evaluator(SPEC).evaluate(arch, 0)
        assert (auto["device"], auto["accuracy"]) == ("cpu", cpu["accuracy"])


@pytest.mark.skipif(torch.cuda.is_available(), reason="a machine without CUDA")
def test_cuda_without_cuda_is_refused():
    assert resolve_device("auto") == torch.device("cpu")
    with pytest.raises(ValueError, match="CUDA is not available"):
        resolve_device("cuda")


ZERO_COST = {"kind": "zero_cost", "dataset": "digits"}


def test_zero_cost_takes_a_device_outside_its_fingerprint():
    assert make_evaluator({**ZERO_COST, "device": "cpu"}).fingerprint == make_evaluator(ZERO_COST).fingerprint
    with pytest.raises(ValueError, match=r"zero_cost evaluator field device='gpu' is invalid: expected 'auto'"):
        make_evaluator({**ZERO_COST, "device": "gpu"})
    arch = nasgym.load_space("proxy").sample(np.random.default_rng(1))
    cpu = make_evaluator({**ZERO_COST, "device": "cpu"}).evaluate(arch, 0)
    assert cpu["device"] == "cpu" and 0.0 <= cpu["accuracy"] <= 1.0
    if not torch.cuda.is_available():
        auto = make_evaluator(ZERO_COST).evaluate(arch, 0)
        assert (auto["device"], auto["score_naswot"], auto["score_synflow"]) == (
            "cpu", cpu["score_naswot"], cpu["score_synflow"])


def test_supernet_takes_a_device_outside_its_fingerprint(supernet_spec):
    spec = supernet_spec(warmup_steps=4, bn_images=32, val_images=64, checkpoint_every=2)
    assert make_evaluator({**spec, "device": "cpu"}).fingerprint == make_evaluator(spec).fingerprint
    with pytest.raises(ValueError, match=r"supernet evaluator field device='cuda:x' is invalid"):
        make_evaluator({**spec, "device": "cuda:x"})
    arch = nasgym.load_space("proxy").sample(np.random.default_rng(2))
    cpu = make_evaluator({**spec, "device": "cpu"}).evaluate(arch, 0)
    assert cpu["device"] == "cpu" and 0.0 <= cpu["accuracy"] <= 1.0
    if not torch.cuda.is_available():  # "auto" reuses the CPU checkpoint and gives the same score
        assert make_evaluator(spec).evaluate(arch, 0)["accuracy"] == cpu["accuracy"]
