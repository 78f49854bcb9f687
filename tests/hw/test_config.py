"""Hardware configs: presets, YAML loading, overrides and their errors."""

import pytest

from nasgym.hw import HardwareConfig, hardware_names, load_hardware
from nasgym.hw.config import FIELD_NAMES, PRESET_DIR


def test_presets_listed_and_loadable():
    assert hardware_names() == ["coral-pcie", "coral-usb", "tensor-g1"]
    for name in hardware_names():
        hw = load_hardware(name)
        assert hw.name == name
        assert hw.macs_per_cycle == 4096


def test_key_figures():
    usb, g1 = load_hardware("coral-usb"), load_hardware("tensor-g1")
    assert usb.clock_mhz == 500 and usb.peak_tops == pytest.approx(4.096)
    assert usb.param_streaming == "all" and g1.param_streaming == "excess"
    assert g1.clock_mhz == 1066
    assert usb.param_cache_bytes == pytest.approx(7.8 * 2**20)


def test_every_field_is_documented():
    doc = HardwareConfig.__doc__
    for name in FIELD_NAMES:
        assert f"{name}:" in doc, name


def test_yaml_path_and_overrides(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text((PRESET_DIR / "coral-usb.yaml").read_text().replace("clock_mhz: 500", "clock_mhz: 250"))
    hw = load_hardware(str(path))
    assert hw.clock_mhz == 250
    assert load_hardware(path, clock_mhz=100).clock_mhz == 100
    assert load_hardware(hw) is hw
    changed = load_hardware("coral-usb", param_cache_mib=16)
    assert changed.param_cache_mib == 16
    assert changed.content_hash != load_hardware("coral-usb").content_hash


def test_unknown_preset_lists_valid_ones():
    with pytest.raises(ValueError, match="unknown hardware 'tpu-v9': expected one of coral-pcie, coral-usb, tensor-g1"):
        load_hardware("tpu-v9")


def test_unknown_override():
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['clock'\]"):
        load_hardware("coral-usb", clock=1)


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda t: t + "turbo: true\n", r"unknown field\(s\) \['turbo'\]"),
        (lambda t: "\n".join(line for line in t.splitlines() if not line.startswith("pe_rows")),
         r"missing field\(s\) \['pe_rows'\]"),
        (lambda t: t.replace("pe_rows: 4", "pe_rows: 0"), "pe_rows=0 is invalid: expected a positive int"),
        (lambda t: t.replace("clock_mhz: 500", "clock_mhz: -5"), "clock_mhz=-5 is invalid: expected a positive"),
        (lambda t: t.replace("param_streaming: all", "param_streaming: some"), "param_streaming='some' is invalid"),
        (lambda t: t.replace("pe_cols: 4", "pe_cols: four"), "pe_cols='four' is invalid"),
        (lambda t: "- a\n- b\n", "expected a mapping of fields"),
        (lambda t: "a: [\n", "cannot be read"),
    ],
)
def test_bad_yaml(tmp_path, edit, needle):
    path = tmp_path / "bad.yaml"
    path.write_text(edit((PRESET_DIR / "coral-usb.yaml").read_text()))
    with pytest.raises(ValueError, match=needle):
        load_hardware(path)


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("depthwise_efficiency", 1.5, r"expected \(0, 1\]"),
        ("compute_efficiency", 0.0, "expected a positive number"),
        ("lanes_per_core", 2.5, "expected a positive int"),
        ("layer_overhead_cycles", -1, "expected a number >= 0"),
        ("offchip_gbps", True, "expected a number"),
    ],
)
def test_bad_values(field, value, needle):
    with pytest.raises(ValueError, match=needle):
        load_hardware("tensor-g1", **{field: value})


def test_missing_file():
    with pytest.raises(ValueError, match="cannot be read"):
        load_hardware("/nonexistent/hw.yaml")
