"""int8 TFLite export (optional extra nasgym[tflite]; `make test-tflite`): skipped unless litert-torch is installed."""

from __future__ import annotations

import pytest
import torch

from nasgym.deploy import tflite
from nasgym.deploy.finalize import Recipe, finalize
from nasgym.deploy.network import load_network
from nasgym.deploy.source import Source, TaskData


def proxy_arch():
    """A proxy-space architecture with a group conv (exported as slice + convs + concat)."""
    import numpy as np

    import nasgym

    space = nasgym.load_space("proxy")
    return next(a for a in (space.sample(np.random.default_rng(s)) for s in range(200))
                if any(b.op in ("ibn_fused_grouped", "ibn_grouped") for b in a.blocks))


def test_missing_extra_is_one_line_with_the_install_command(monkeypatch):
    monkeypatch.setattr(tflite, "available", lambda: False)
    with pytest.raises(ValueError, match=r"needs litert-torch: pip install 'nasgym\[tflite\]'"):
        tflite.export_tflite_int8(torch.nn.Identity(), None, "x.tflite")
    assert tflite.compiler_command("out/m.tflite") == "edgetpu_compiler -s -o out out/m.tflite"


@pytest.mark.slow
@pytest.mark.skipif(not tflite.available(), reason="litert-torch not installed (make test-tflite)")
def test_int8_tflite_agrees_with_float(tmp_path):
    finalize(Source(proxy_arch(), "arch"), tmp_path, Recipe(epochs=3, batch_size=64), TaskData("digits"))
    model, _ = load_network(tmp_path, 10, "split")
    check, extra = tflite.export_tflite_int8(model, TaskData("digits").load(), tmp_path / "m.tflite", images=0,
                                             calibration=256)
    assert extra["test_top1_agreement"] >= tflite.MIN_AGREEMENT and check.ok
    assert extra["next"].startswith("edgetpu_compiler")
