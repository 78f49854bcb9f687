"""The public API (the names the README's Python examples use) is reachable from `import nasgym` alone."""

import subprocess
import sys

import pytest

import nasgym


def test_public_names():
    for name in ("Architecture", "Block", "SearchSpace", "load_space", "space_names", "reference", "reference_names",
                 "count", "build_model", "lower", "make_env"):
        assert hasattr(nasgym, name), name
    assert callable(nasgym.hw.simulate) and callable(nasgym.hw.hardware_names)
    assert callable(nasgym.quality.make_evaluator)
    assert nasgym.hw.hardware_names() == ["coral-pcie", "coral-usb", "tensor-g1"]


def test_printing_a_reference_from_the_command_line():
    code = "import nasgym; print(nasgym.reference('mobilenet_edgetpu_v2_s'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith("Architecture d130fa70f6d0  input 224x224x3  20 blocks")
    assert "ibn_fused_grouped" in out and "head   conv 1x1 -> 1280" in out


def test_space_env_and_simulator_do_not_import_torch():
    """``import nasgym`` gives the space, the env ids and the simulator without torch; torch loads on first use of
    ``build_model`` or ``nasgym.quality``."""
    code = (
        "import sys, numpy as np, gymnasium as gym, nasgym, nasgym.hw\n"
        "arch = nasgym.load_space('edgetpu-v2').sample(np.random.default_rng(0))\n"
        "report = nasgym.hw.simulate(arch, hardware='tensor-g1')\n"
        "assert report.latency_ms > 0 and len(report.layers) > 10 and 'stem' in report.table()\n"
        "assert nasgym.count(arch).macs > 0 and nasgym.lower(arch)\n"
        "env = gym.make('nasgym/EdgeTPU-ZeroCost-v0')\n"
        "env.reset(seed=0)\n"
        "assert 'torch' not in sys.modules, sorted(m for m in sys.modules if m.startswith('torch'))[:5]\n"
        "assert callable(nasgym.build_model) and 'torch' in sys.modules\n"
        "assert callable(nasgym.quality.make_evaluator)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout == "ok\n", out.stderr[-2000:]


def test_lazy_names_are_listed_and_unknown_names_fail():
    assert {"build_model", "quality"} <= set(dir(nasgym))
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        nasgym.nope  # noqa: B018
