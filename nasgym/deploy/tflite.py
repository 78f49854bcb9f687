"""int8 TFLite for the Edge TPU through ``litert-torch`` (optional extra: ``pip install 'nasgym[tflite]'``).

The network comes in its Edge TPU form (grouped convs as channel slice + one conv per group + concat, as the TF
Model Garden builds GC-IBN; :mod:`nasgym.deploy.network` maps the trained grouped weights onto it), with
channels-last I/O (``litert_torch.to_channel_last_io``: input NHWC, the layout an Edge TPU takes, so the graph
starts with no transpose). It is exported with ``torch.export`` (strict, which records the source of each op: the
quantizer annotates residual adds from it, else they stay float), quantized with PT2E static int8 (litert-torch's
``PT2EQuantizer``, symmetric, per-channel weights) calibrated on ``calibration`` training images of the task, and
converted with ``litert_torch.convert(..., quant_config=QuantConfig(pt2e_quantizer=...))``: the quantizer config
puts the LiteRT converter in static QDQ mode, which fuses the quantize/dequantize pairs into int8 kernels and
makes the input and output tensors int8 themselves (without it every op runs in float between quantize and
dequantize ops and the I/O is float32). The check: no float32 tensor in the file, int8 input and output (their
scale and zero point go to ``model_int8.export.json``), and the int8 model in the LiteRT CPU interpreter (inputs
quantized, outputs dequantized) agrees with the float torch model on at least :data:`MIN_AGREEMENT` of the test
set's top-1 predictions. The Edge TPU compiler (not obtainable here) is the next step: :func:`compiler_command`.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

MIN_AGREEMENT = 0.99  # int8 vs float top-1 agreement on the test split
INSTALL_HINT = "pip install 'nasgym[tflite]' (litert-torch, about 2 GB; or: make test-tflite)"


def available() -> bool:
    """Whether litert-torch and the LiteRT interpreter are installed."""
    return all(importlib.util.find_spec(name) is not None for name in ("litert_torch", "ai_edge_litert"))


def compiler_command(path: str | Path) -> str:
    """The Edge TPU compiler command for an int8 ``.tflite`` file."""
    return f"edgetpu_compiler -s -o {Path(path).parent} {path}"


def _quantizer():
    from litert_torch.quantize import pt2e_quantizer

    return pt2e_quantizer.PT2EQuantizer().set_global(
        pt2e_quantizer.get_symmetric_quantization_config(is_per_channel=True))


def _quantize(model: nn.Module, calibration: torch.Tensor, quantizer) -> nn.Module:
    """PT2E static int8 of ``model`` calibrated one image at a time on ``calibration`` (the model's input layout)."""
    from torchao.quantization.pt2e import quantize_pt2e

    exported = torch.export.export(model.eval(), (calibration[:1],), strict=True).module()
    prepared = quantize_pt2e.prepare_pt2e(exported, quantizer)
    with torch.no_grad():
        for i in range(len(calibration)):
            prepared(calibration[i:i + 1])
    return quantize_pt2e.convert_pt2e(prepared, fold_quantize=False)


def _interpreter(path: Path):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    return interpreter


def run_tflite(path: str | Path, images: torch.Tensor) -> np.ndarray:
    """Logits (dequantized) of a ``.tflite`` file for normalized float NCHW ``images``, one image per invoke; the
    images are transposed to the file's NHWC input and quantized with its scale and zero point when it takes int."""
    interpreter = _interpreter(Path(path))
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    channels_last = tuple(inp["shape"]) == (1, *images.shape[2:], images.shape[1])
    results = []
    for image in images:
        x = image[None].numpy()
        if channels_last:
            x = np.transpose(x, (0, 2, 3, 1))
        if inp["dtype"] != np.float32:
            scale, zero = inp["quantization"]
            x = np.clip(np.round(x / scale + zero), np.iinfo(inp["dtype"]).min, np.iinfo(inp["dtype"]).max)
        interpreter.set_tensor(inp["index"], x.astype(inp["dtype"]))
        interpreter.invoke()
        y = interpreter.get_tensor(out["index"]).astype(np.float32)
        if out["dtype"] != np.float32:
            scale, zero = out["quantization"]
            y = (y - zero) * scale
        results.append(y.reshape(-1))
    return np.stack(results)


def io_types(path: str | Path) -> tuple[str, str]:
    """Input and output tensor dtypes of a ``.tflite`` file."""
    interpreter = _interpreter(Path(path))
    return (np.dtype(interpreter.get_input_details()[0]["dtype"]).name,
            np.dtype(interpreter.get_output_details()[0]["dtype"]).name)


def describe(path: str | Path) -> dict:
    """What the Edge TPU needs to know of a ``.tflite`` file: its input and output tensors (name, shape, dtype,
    scale, zero point) and the number of float32 tensors (0 in a fully int8 model)."""
    interpreter = _interpreter(Path(path))

    def tensor(detail: dict) -> dict:
        scale, zero = detail["quantization"]
        return {"name": detail["name"], "shape": [int(v) for v in detail["shape"]],
                "dtype": np.dtype(detail["dtype"]).name, "scale": float(scale), "zero_point": int(zero)}

    floats = sum(np.dtype(t["dtype"]) == np.float32 for t in interpreter.get_tensor_details())
    return {"input": tensor(interpreter.get_input_details()[0]), "output": tensor(interpreter.get_output_details()[0]),
            "float32_tensors": int(floats)}


def export_tflite_int8(model: nn.Module, dataset, path: str | Path, images: int = 512,
                       calibration: int = 512) -> tuple:
    """Quantize and convert ``model`` (split form, eval mode) to int8 TFLite at ``path`` and check it.

    Args:
        model: The float network (NCHW input); the file takes NHWC.
        dataset: The task data: training images calibrate, test images check (``images``; 0: all of them).

    Returns:
        (:class:`~nasgym.deploy.export.OutputCheck`, extra record fields: I/O types and quantization, float32
        tensor count, test-set agreement, the compiler command).

    Raises:
        ValueError: If litert-torch is not installed (the message gives the install command), or the file it wrote
            is not fully int8.
    """
    if not available():
        raise ValueError(f"--format tflite-int8 needs litert-torch: {INSTALL_HINT}")
    import litert_torch
    from litert_torch.quantize.quant_config import QuantConfig

    from nasgym.deploy.export import OutputCheck
    from nasgym.deploy.network import fold_group_batch_norms
    from nasgym.quality.training import to_input

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    generator = torch.Generator().manual_seed(0)
    pick = torch.randperm(len(dataset.x_train), generator=generator)[:calibration]
    calib = to_input(dataset, dataset.x_train[pick], channels_last=False).permute(0, 2, 3, 1).contiguous()  # NHWC
    quantizer = _quantizer()
    folded = fold_group_batch_norms(model)  # else the BN after each per-group concat stays float
    quantized = _quantize(litert_torch.to_channel_last_io(folded, args=[0]), calib, quantizer)
    edge = litert_torch.convert(quantized, (calib[:1],), quant_config=QuantConfig(pt2e_quantizer=quantizer))
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.tflite")
    try:
        edge.export(str(tmp))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    tensors = describe(path)
    inp, out = tensors["input"]["dtype"], tensors["output"]["dtype"]
    if (inp, out) != ("int8", "int8") or tensors["float32_tensors"]:
        raise ValueError(f"litert-torch wrote {path} with {inp} input, {out} output and {tensors['float32_tensors']} "
                         "float32 tensors: expected a fully int8 file (check the litert-torch version)")
    test = to_input(dataset, dataset.x_test[:images] if images else dataset.x_test, channels_last=False)
    with torch.no_grad():
        expected = model(test).numpy()
    got = run_tflite(path, test)
    agreement = float((got.argmax(1) == expected.argmax(1)).mean())
    extra = {"io_types": [inp, out], "fully_int8_io": inp == "int8" and out == "int8",
             "float32_tensors": tensors["float32_tensors"], "layout": "NHWC",
             "input_quantization": {**tensors["input"],
                                    "formula": "q = clip(round(((pixel / 255 - mean) / std) / scale + zero_point))"},
             "output_quantization": {**tensors["output"], "formula": "logit = (q - zero_point) * scale"},
             "test_top1_agreement": agreement, "test_images": len(test), "min_agreement": MIN_AGREEMENT,
             "next": compiler_command(path)}
    check = OutputCheck(images=len(test), max_abs_diff=float(np.abs(got - expected).max()),
                        top1_agreement=1.0 if agreement >= MIN_AGREEMENT else agreement, tolerance=float("inf"))
    return check, extra
