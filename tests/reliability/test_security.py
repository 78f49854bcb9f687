"""Checkpoints from the cache folder are loaded with ``torch.load(weights_only=True)``: a planted file cannot run
code, and is reported in one line; a genuine checkpoint still loads."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

import nasgym
from nasgym.quality import make_evaluator


class Payload:
    """Pickles to a call that creates a marker file (what a malicious checkpoint would do)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture
def spec(supernet_spec) -> dict:
    """A 2-step supernet spec checkpointing every step into the test's tmp_path."""
    return supernet_spec(warmup_steps=2, checkpoint_every=1, bn_images=32, val_images=50)


@pytest.mark.parametrize("how", ["pickle", "torch.save"])
def test_planted_checkpoint_does_not_run_code(how, tmp_path, spec):
    evaluator = make_evaluator(spec)
    marker = tmp_path / "pwned"
    payload = {"supernet": Payload(str(marker)), "optimizer": {}, "step": 0, "warmup_times": {}}
    evaluator.checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
    if how == "pickle":
        evaluator.checkpoint_path.write_bytes(pickle.dumps(payload))
    else:
        torch.save(payload, evaluator.checkpoint_path)
    with pytest.raises(ValueError) as info:
        evaluator.warm_up()
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"supernet checkpoint '{evaluator.checkpoint_path}' is not a "
                                                      "plain weights file (")
    assert message.endswith("): delete it to warm the supernet up again")
    assert not marker.exists()


def test_genuine_checkpoint_loads_with_weights_only(tmp_path, spec):
    first = make_evaluator(spec)
    first.evaluate(nasgym.load_space("proxy").sample(np.random.default_rng(0)), 0)
    second = make_evaluator(spec)
    net = second.warm_up()
    assert torch.equal(next(net.parameters()), next(first.warm_up().parameters()))
