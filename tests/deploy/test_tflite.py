"""int8 TFLite export (optional extra nasgym[tflite]; `make test-tflite`): skipped unless litert-torch is installed."""

from __future__ import annotations

import pytest
import torch

from nasgym.deploy import tflite
from nasgym.deploy.export import export
from nasgym.deploy.finalize import Recipe, finalize
from nasgym.deploy.network import load_network
from nasgym.deploy.source import Source, TaskData, resolve


def test_missing_extra_is_one_line_with_the_install_command(monkeypatch):
    monkeypatch.setattr(tflite, "available", lambda: False)
    with pytest.raises(ValueError, match=r"needs litert-torch: pip install 'nasgym\[tflite\]'"):
        tflite.export_tflite_int8(torch.nn.Identity(), None, "x.tflite")
    assert tflite.compiler_command("out/m.tflite") == "edgetpu_compiler -s -o out out/m.tflite"


@pytest.mark.slow
@pytest.mark.skipif(not tflite.available(), reason="litert-torch not installed (make test-tflite)")
def test_int8_tflite_is_fully_int8_and_agrees_with_float(tmp_path, grouped_proxy_arch):
    import json

    import numpy as np

    finalize(Source(grouped_proxy_arch(), "arch"), tmp_path, Recipe(epochs=3, batch_size=64), TaskData("digits"))
    report = export(resolve(str(tmp_path)), "tflite-int8", images=0)  # the whole test split
    extra = report.extra
    assert report.check.ok and extra["test_top1_agreement"] >= tflite.MIN_AGREEMENT
    assert extra["io_types"] == ["int8", "int8"] and extra["fully_int8_io"] and extra["float32_tensors"] == 0
    assert extra["layout"] == "NHWC" and extra["input_quantization"]["shape"] == [1, 8, 8, 1]
    assert extra["output_quantization"]["shape"] == [1, 10] and extra["next"].startswith("edgetpu_compiler")
    assert report.latency is not None and report.latency.ok  # the split (TFLite) form costs what the env reported
    record = json.loads((tmp_path / "model_int8.export.json").read_text())
    described = tflite.describe(report.path)
    for side in ("input", "output"):
        q = record[f"{side}_quantization"]
        assert {k: q[k] for k in described[side]} == described[side] and q["scale"] > 0
    # The recorded parameters reproduce the file's answers: quantize the images, dequantize the logits.
    from ai_edge_litert.interpreter import Interpreter

    data = TaskData("digits").load()
    model, _ = load_network(tmp_path, 10, "split")
    images = data.normalize(data.x_test[:64])
    interpreter = Interpreter(model_path=str(report.path))
    interpreter.allocate_tensors()
    q_in, q_out = record["input_quantization"], record["output_quantization"]
    agree = 0
    for image, expected in zip(images, model(images).detach().numpy(), strict=True):
        x = np.clip(np.round(image.permute(1, 2, 0).numpy() / q_in["scale"] + q_in["zero_point"]), -128, 127)
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x[None].astype(np.int8))
        interpreter.invoke()
        y = interpreter.get_tensor(interpreter.get_output_details()[0]["index"]).astype(np.float32)
        agree += int(((y.reshape(-1) - q_out["zero_point"]) * q_out["scale"]).argmax() == expected.argmax())
    assert agree / len(images) >= tflite.MIN_AGREEMENT - 1 / len(images)
