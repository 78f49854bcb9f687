"""The public API of DESIGN.md is reachable from `import nasgym` alone."""

import subprocess
import sys

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
