"""Hardware configs: presets, YAML loading, overrides and their errors."""

import dataclasses

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
    assert usb.param_streaming == g1.param_streaming == "excess"
    assert g1.clock_mhz == 1066
    assert usb.param_cache_bytes == 8 * 2**20
    # the executable takes 4 KiB per device op: 50 ops leave 7.8 MiB, 2048 ops none
    assert usb.cache_bytes(50) == pytest.approx(8 * 2**20 - 50 * 4096)
    assert usb.cache_bytes(0) == 8 * 2**20 and usb.cache_bytes(2048) == 0.0 and usb.cache_bytes(5000) == 0.0


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
        (lambda t: t.replace("param_streaming: excess", "param_streaming: some"), "param_streaming='some' is invalid"),
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


def test_presets_are_parsed_once_and_shared():
    """A preset is parsed once (configs are frozen, so every caller gets the same object); overrides make copies."""
    first = load_hardware("tensor-g1")
    assert load_hardware("tensor-g1") is first and load_hardware(PRESET_DIR / "tensor-g1.yaml") is first
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.clock_mhz = 1.0
    fast = load_hardware("tensor-g1", clock_mhz=2000)
    assert fast.clock_mhz == 2000 and fast is not first and load_hardware("tensor-g1").clock_mhz == 1066


def test_an_edited_file_is_parsed_again(tmp_path, monkeypatch):
    """The cache is keyed by the file's bytes: an edit of the same size, at once, is seen (an mtime could miss it)."""
    path = tmp_path / "mine.yaml"
    text = (PRESET_DIR / "coral-usb.yaml").read_text()
    path.write_text(text.replace("clock_mhz: 500", "clock_mhz: 250"))
    assert load_hardware(path).clock_mhz == 250
    path.write_text(text.replace("clock_mhz: 500", "clock_mhz: 260"))
    assert load_hardware(path).clock_mhz == 260
    monkeypatch.chdir(tmp_path)  # a relative path is keyed by its absolute path
    other = tmp_path / "sub"
    other.mkdir()
    (other / "mine.yaml").write_text(text)
    assert load_hardware("mine.yaml").clock_mhz == 260
    monkeypatch.chdir(other)
    assert load_hardware("mine.yaml").clock_mhz == 500
    path.write_text("a: [\n")
    with pytest.raises(ValueError, match="cannot be read"):
        load_hardware(path)
