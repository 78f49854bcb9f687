"""int8 TFLite for the Edge TPU through ``litert-torch`` (optional extra: ``pip install 'nasgym[tflite]'``).

The network comes in its Edge TPU form (grouped convs as channel slice + one conv per group + concat, as the TF
Model Garden builds GC-IBN; :mod:`nasgym.deploy.network` maps the trained grouped weights onto it). It is exported
with ``torch.export``, quantized with PT2E static int8 (litert-torch's ``PT2EQuantizer``, symmetric, per-channel
weights) calibrated on ``calibration`` training images of the task, and converted with ``litert_torch.convert``.
The check: the int8 model in the LiteRT CPU interpreter agrees with the float torch model on at least
:data:`MIN_AGREEMENT` of the test set's top-1 predictions, and the file's input and output tensors are int8. The
Edge TPU compiler (not obtainable here) is the next step: :func:`compiler_command`.
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


def _quantize(model: nn.Module, calibration: torch.Tensor) -> nn.Module:
    from litert_torch.quantize import pt2e_quantizer
    from torchao.quantization.pt2e import quantize_pt2e

    exported = torch.export.export(model.eval(), (calibration[:1],)).module()
    quantizer = pt2e_quantizer.PT2EQuantizer().set_global(
        pt2e_quantizer.get_symmetric_quantization_config(is_per_channel=True))
    prepared = quantize_pt2e.prepare_pt2e(exported, quantizer)
    with torch.no_grad():
        for start in range(0, len(calibration), 64):
            for i in range(start, min(start + 64, len(calibration))):
                prepared(calibration[i:i + 1])
    return quantize_pt2e.convert_pt2e(prepared, fold_quantize=False)


def _interpreter(path: Path):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    return interpreter


def run_tflite(path: str | Path, images: torch.Tensor) -> np.ndarray:
    """Logits (dequantized) of a ``.tflite`` file for normalized float NCHW ``images``, one image per invoke."""
    interpreter = _interpreter(Path(path))
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    results = []
    for image in images:
        x = image[None].numpy()
        if tuple(inp["shape"]) != x.shape:  # channels-last I/O
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


def export_tflite_int8(model: nn.Module, dataset, path: str | Path, images: int = 512,
                       calibration: int = 512) -> tuple:
    """Quantize and convert ``model`` (split form, eval mode) to int8 TFLite at ``path`` and check it.

    Returns:
        (:class:`~nasgym.deploy.export.OutputCheck`, extra record fields: I/O types, test-set agreement, the
        compiler command).

    Raises:
        ValueError: If litert-torch is not installed (the message gives the install command).
    """
    if not available():
        raise ValueError(f"--format tflite-int8 needs litert-torch: {INSTALL_HINT}")
    import litert_torch

    from nasgym.deploy.export import OutputCheck
    from nasgym.quality.training import to_input

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    generator = torch.Generator().manual_seed(0)
    pick = torch.randperm(len(dataset.x_train), generator=generator)[:calibration]
    calib = to_input(dataset, dataset.x_train[pick], channels_last=False)
    quantized = _quantize(model, calib)
    edge = litert_torch.convert(quantized, (calib[:1],))
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.tflite")
    try:
        edge.export(str(tmp))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    test = to_input(dataset, dataset.x_test[:images] if images else dataset.x_test, channels_last=False)
    with torch.no_grad():
        expected = model(test).numpy()
    got = run_tflite(path, test)
    agreement = float((got.argmax(1) == expected.argmax(1)).mean())
    inp, out = io_types(path)
    extra = {"io_types": [inp, out], "fully_int8_io": inp == "int8" and out == "int8",
             "test_top1_agreement": agreement, "min_agreement": MIN_AGREEMENT,
             "next": compiler_command(path)}
    check = OutputCheck(images=len(test), max_abs_diff=float(np.abs(got - expected).max()),
                        top1_agreement=1.0 if agreement >= MIN_AGREEMENT else agreement, tolerance=float("inf"))
    return check, extra
