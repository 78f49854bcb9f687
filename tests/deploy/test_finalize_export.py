"""Final training (resume, files, metrics) and ONNX export (checked with onnxruntime) on tiny digits budgets."""

from __future__ import annotations

import json
import os

import pytest
import torch

import nasgym
from nasgym.deploy.export import ONNX_ATOL, export, latency_check
from nasgym.deploy.finalize import Recipe, finalize
from nasgym.deploy.network import build_network, load_network
from nasgym.deploy.source import Source, TaskData, resolve

DIGITS = TaskData("digits")
TINY = Recipe(epochs=2, batch_size=64, lr=0.01, train_images=768)


@pytest.fixture(scope="module")
def finalized(tmp_path_factory, grouped_proxy_arch):
    out = tmp_path_factory.mktemp("final")
    lines: list[str] = []
    record = finalize(Source(grouped_proxy_arch(), "arch"), out, TINY, DIGITS, device="cpu", progress=lines.append)
    return out, record, lines


def test_finalize_writes_weights_arch_and_metrics(finalized, grouped_proxy_arch):
    out, record, lines = finalized
    assert {p.name for p in out.iterdir()} >= {"weights.pt", "arch.json", "final.json", "checkpoint.pt"}
    assert not list(out.glob(".*.tmp"))
    assert [h["epoch"] for h in record["history"]] == [1, 2] and len(lines) == 2
    assert record["val_accuracy"] > 0.3 and 0.0 < record["test_accuracy"] <= 1.0  # 10 classes: chance is 0.1
    network = nasgym.Architecture.from_json((out / "arch.json").read_text())
    assert network.input_shape == (8, 8, 1) and record["network"] == network.to_string()
    model, arch = load_network(out, 10)
    assert arch == network and sum(p.numel() for p in model.parameters()) == record["params"]
    assert resolve(str(out)).kind == "final" and resolve(str(out)).arch == grouped_proxy_arch()
    again: list[str] = []
    assert finalize(Source(grouped_proxy_arch(), "arch"), out, TINY, DIGITS, progress=again.append)["test_accuracy"] \
        == record["test_accuracy"] and "already finalized" in again[0]


def test_finalize_resumes_exactly_and_refuses_another_run(finalized, tmp_path, grouped_proxy_arch):
    out, record, _ = finalized

    def stop_after_first(line: str) -> None:
        if line.startswith("epoch 1/"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        finalize(Source(grouped_proxy_arch(), "arch"), tmp_path, TINY, DIGITS, progress=stop_after_first)
    assert (tmp_path / "checkpoint.pt").is_file() and not (tmp_path / "final.json").exists()
    lines: list[str] = []
    resumed = finalize(Source(grouped_proxy_arch(), "arch"), tmp_path, TINY, DIGITS, progress=lines.append)
    assert lines[0].endswith("resuming after epoch 1/2") and len(lines) == 2
    assert [h["val_accuracy"] for h in resumed["history"]] == [
        h["val_accuracy"] for h in record["history"]]
    a, b = torch.load(out / "weights.pt", weights_only=True), torch.load(tmp_path / "weights.pt", weights_only=True)
    assert all(torch.equal(a[k], b[k]) for k in a)
    with pytest.raises(ValueError, match="holds another finalize run"):
        (tmp_path / "final.json").unlink()
        finalize(Source(grouped_proxy_arch(), "arch"), tmp_path, Recipe(epochs=3, batch_size=32), DIGITS)


def test_checkpoint_is_loaded_without_pickle(tmp_path, grouped_proxy_arch):
    class Planted:
        def __reduce__(self):
            return (os.system, ("touch planted",))

    torch.save({"identity": Planted()}, tmp_path / "checkpoint.pt")
    with pytest.raises(ValueError, match="cannot be read"):
        finalize(Source(grouped_proxy_arch(), "arch"), tmp_path, TINY, DIGITS)
    assert not (tmp_path / "planted").exists()


def test_recipe_errors_name_the_value():
    with pytest.raises(ValueError, match=r"epochs=0 is invalid: expected an int >= 1"):
        Recipe(epochs=0)
    with pytest.raises(ValueError, match=r"optimizer='adam' is invalid"):
        Recipe(optimizer="adam")


def test_onnx_export_matches_torch_on_validation_images(finalized, tmp_path):
    out, _, _ = finalized
    report = export(resolve(str(out)), "onnx", out=tmp_path / "net.onnx", images=300)
    assert report.trained and report.path.is_file()
    assert report.check.images == 300 and report.check.max_abs_diff <= ONNX_ATOL and report.check.top1_agreement == 1
    record = json.loads((tmp_path / "net.export.json").read_text())
    assert record["input_shape_nchw"] == [1, 1, 8, 8] and record["num_classes"] == 10
    assert report.latency is not None and report.latency.ok  # exported (grouped) graph costs what the env reported


def test_export_needs_trained_weights(tmp_path, grouped_proxy_arch):
    with pytest.raises(ValueError, match="run `train.py finalize` on it first"):
        export(Source(grouped_proxy_arch(), "arch"), "onnx", out=tmp_path / "x.onnx")
    with pytest.raises(ValueError, match="--format 'tflite' is invalid"):
        export(Source(grouped_proxy_arch(), "arch"), "tflite")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exported_graph_latency_equals_env_latency(seed, grouped_proxy_arch):
    arch = grouped_proxy_arch(seed * 50)
    for spec in ({"kind": "edgetpu", "hardware": "tensor-g1"}, {"kind": "edgetpu", "hardware": "coral-usb"}):
        grouped, split = (latency_check(arch, spec, group_conv=form) for form in ("grouped", "split"))
        assert grouped.ok and split.ok, (grouped.env_ms, grouped.graph_ms, split.graph_ms)
        assert split.graph_ms == grouped.graph_ms  # the Edge TPU form (TFLite) imports as the same layers
    assert latency_check(arch, {"kind": "macs", "ms_per_gmac": 8.0}) is None


def test_split_network_loads_grouped_weights(finalized):
    out, _, _ = finalized
    grouped, arch = load_network(out, 10, "grouped")
    split, _ = load_network(out, 10, "split")
    x = torch.randn(4, 1, 8, 8)
    torch.testing.assert_close(grouped(x), split(x), atol=1e-5, rtol=1e-5)
    assert sum(p.numel() for p in split.parameters()) == sum(
        p.numel() for p in build_network(arch, 10).parameters())


def test_batch_norms_after_per_group_convs_fold_into_them(finalized):
    from nasgym.deploy.network import fold_group_batch_norms
    from nasgym.model.builder import ConvBN, SplitGroupConv

    out, _, _ = finalized
    split, _ = load_network(out, 10, "split")
    folded = fold_group_batch_norms(split)
    stacks = [m for m in folded.modules() if isinstance(m, ConvBN) and isinstance(m[0], SplitGroupConv)]
    assert stacks and all(isinstance(m[1], torch.nn.Identity) for m in stacks)
    assert all(conv.bias is not None for m in stacks for conv in m[0].convs)
    assert any(isinstance(m[1], torch.nn.BatchNorm2d) for m in split.modules() if isinstance(m, ConvBN))  # a copy
    x = torch.randn(4, 1, 8, 8)
    with torch.no_grad():
        torch.testing.assert_close(folded(x), split(x), atol=1e-5, rtol=1e-5)
