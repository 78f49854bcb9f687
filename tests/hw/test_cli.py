"""python -m nasgym.hw: simulate (table and --json) and hardware."""

import json

import nasgym
from nasgym.hw import simulate
from nasgym.hw.__main__ import main


def test_simulate_reference_table(capsys):
    assert main(["simulate", "mobilenet_v2_1.0", "--hardware", "coral-usb"]) == 0
    out = capsys.readouterr().out
    expected = simulate(nasgym.reference("mobilenet_v2_1.0"), "coral-usb")
    assert "layer" in out.splitlines()[0] and "dwconv" in out
    assert f"latency {expected.latency_ms:.3f} ms" in out


def test_simulate_json_files(tmp_path, capsys):
    arch = nasgym.reference("mobilenet_edgetpu_v2_tiny")
    arch_file = tmp_path / "arch.json"
    arch_file.write_text(arch.to_json())
    assert main(["simulate", str(arch_file), "--json", "--num-classes", "10", "--input-shape", "96", "96", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["latency_ms"] == simulate(arch, "tensor-g1", (96, 96, 3), 10).latency_ms
    layers_file = tmp_path / "layers.json"
    layers_file.write_text(json.dumps(nasgym.lower(arch)))
    assert main(["simulate", str(layers_file), "--json", "--hardware", "coral-pcie"]) == 0
    assert json.loads(capsys.readouterr().out)["hardware"] == "coral-pcie"
    assert main(["simulate", arch.to_string(), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["macs"] == nasgym.count(arch).macs


def test_hardware_listing(capsys):
    assert main(["hardware"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in ("coral-usb", "coral-pcie", "tensor-g1")) and "8.73" in out
    assert main(["hardware", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tensor-g1"]["clock_mhz"] == 1066


def test_errors_exit_2(tmp_path, capsys):
    assert main(["simulate", "resnet-9000"]) == 2
    assert "network 'resnet-9000' is unknown" in capsys.readouterr().err
    assert main(["simulate", "mobilenet_v2_1.0", "--hardware", "tpu-v9"]) == 2
    assert "unknown hardware 'tpu-v9'" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text('[{"name": "x", "op": "relu"}]')
    assert main(["simulate", str(bad)]) == 2
    assert "layer 0 ('x') has unknown key(s) [] / missing key(s) ['cin'" in capsys.readouterr().err
    assert main(["simulate", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
