"""Export a trained network: ONNX (checked with onnxruntime) or int8 TFLite for the Edge TPU (:mod:`.tflite`), and
the check that the simulator costs the exported graph exactly as the environment costed the architecture.

``export(source, "onnx")`` writes ``model.onnx`` and ``export.json`` next to the trained weights (or to ``out``):

- the network is exported with torch's exporter (``torch.onnx.export(..., dynamo=True)``, which needs
  ``onnxscript``; a dynamic batch dimension, input ``images`` = normalized float NCHW, output ``logits``);
- onnxruntime runs it on real validation images of the task; the largest absolute difference of the logits to the
  torch module must be within :data:`ONNX_ATOL` and the top-1 predictions must all agree;
- ``export.json`` records the input shape, the normalization (``(pixel / 255 - mean) / std``), the classes, the
  check and the latencies.

Latency consistency (:func:`latency_check`): the searched architecture's network in the form that is exported
(ONNX: grouped convs as one grouped conv; int8 TFLite: slice + convs + concat), imported back through torch.fx and
simulated at the deployment input, is compared with what the env's cost model reported for the architecture. They
are equal in both forms: the fx import recognizes slice -> equal per-group convs -> concat as the one grouped conv
it computes (:func:`nasgym.hw.fx_import.group_convs`; the cost model costs a grouped conv as the device runs it, one
op per group plus the concat copy), so the split graph has exactly the grouped graph's layers.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from nasgym.deploy.network import FINAL_FILE, atomic_write_text, build_network, load_network, task_architecture
from nasgym.deploy.source import Source
from nasgym.space.architecture import Architecture

FORMATS = ("onnx", "tflite-int8")
ONNX_ATOL = 1e-4  # largest accepted |logit(onnxruntime) - logit(torch)| (float32 kernels differ in summation order)
CHECK_IMAGES = 512  # validation images the exported file is checked on


@dataclass(frozen=True)
class OutputCheck:
    """How an exported file's outputs compare with the torch module's on ``images`` real images."""

    images: int
    max_abs_diff: float
    top1_agreement: float
    tolerance: float

    @property
    def ok(self) -> bool:
        """Within the tolerance (ONNX: logits; int8: top-1 agreement) and every top-1 prediction agrees (ONNX)."""
        return self.max_abs_diff <= self.tolerance and self.top1_agreement == 1.0


@dataclass(frozen=True)
class LatencyCheck:
    """Simulated latency of the searched architecture: the env's cost model vs the exported graph via torch.fx."""

    hardware: str
    env_ms: float
    graph_ms: float
    task_graph_ms: float  # the exported task network itself (its own input shape), for information

    @property
    def ok(self) -> bool:
        """The exported graph costs what the env reported (up to float rounding)."""
        return abs(self.env_ms - self.graph_ms) <= 1e-9 * max(1.0, self.env_ms)


@dataclass(frozen=True)
class ExportReport:
    """What :func:`export` wrote and checked."""

    path: Path
    format: str
    trained: bool
    check: OutputCheck
    latency: LatencyCheck | None
    extra: dict

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        c, split = self.check, "test" if self.format == "tflite-int8" else "validation"
        out = [f"wrote {self.path} ({self.path.stat().st_size / 1024:.0f} KiB, {self.format}"
               f"{'' if self.trained else ', UNTRAINED weights'})",
               f"check on {c.images} {split} images: max |logit diff| {c.max_abs_diff:.2e} (tolerance "
               f"{c.tolerance:g}), top-1 agreement {100 * c.top1_agreement:.2f} %"]
        if self.latency is not None:
            lat = self.latency
            out.append(f"latency on {lat.hardware}: env {lat.env_ms:.4f} ms, exported graph via torch.fx "
                       f"{lat.graph_ms:.4f} ms ({'equal' if lat.ok else 'DIFFERENT'}); the task network at its own "
                       f"input: {lat.task_graph_ms:.4f} ms")
        if "io_types" in self.extra:
            x, q_in, q_out = self.extra, self.extra["input_quantization"], self.extra["output_quantization"]
            out.append(f"int8: input {q_in['dtype']} {x['layout']} {q_in['shape']} (scale {q_in['scale']:.6g}, "
                       f"zero point {q_in['zero_point']}), output {q_out['dtype']} (scale {q_out['scale']:.6g}, "
                       f"zero point {q_out['zero_point']}), {x['float32_tensors']} float32 tensors; test-set top-1 "
                       f"agreement with the float network {100 * x['test_top1_agreement']:.2f} % "
                       f"({x['test_images']} images, >= {100 * x['min_agreement']:.0f} % required)")
        out += [f"{key}: {value}" for key, value in self.extra.items() if key.startswith("next")]
        return out


def _quiet_export(model: nn.Module, example: torch.Tensor, path: Path) -> None:
    """``torch.onnx.export`` (dynamo) with a dynamic batch dimension, without its progress chatter."""
    batch = torch.export.Dim("batch", min=1, max=4096)
    loggers = [logging.getLogger(name) for name in ("torch.onnx", "torch.export", "torch._export")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            program = torch.onnx.export(model, (example,), dynamo=True, input_names=["images"],
                                        output_names=["logits"], dynamic_shapes=({0: batch},), verbose=False)
        program.save(str(path))
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def export_onnx(model: nn.Module, input_shape: tuple[int, int, int], path: str | Path) -> Path:
    """Export ``model`` (eval mode, input NCHW of ``input_shape`` = (C, H, W)) to ONNX at ``path`` (atomic)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.onnx")
    try:
        _quiet_export(model.eval(), torch.zeros(2, *input_shape), tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


@torch.inference_mode()
def check_onnx(path: str | Path, model: nn.Module, images: torch.Tensor, atol: float = ONNX_ATOL) -> OutputCheck:
    """Run the ONNX file with onnxruntime (CPU) on ``images`` (normalized float NCHW) against ``model``."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, torch.get_num_threads())
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    expected = model.eval()(images).numpy()
    got = np.concatenate([session.run(None, {"images": images[i:i + 256].numpy()})[0]
                          for i in range(0, len(images), 256)])
    return OutputCheck(images=len(images), max_abs_diff=float(np.abs(got - expected).max()),
                       top1_agreement=float((got.argmax(1) == expected.argmax(1)).mean()), tolerance=atol)


def latency_check(arch: Architecture, cost_spec: dict | None, task_model: nn.Module | None = None,
                  task_shape: tuple[int, int, int] | None = None, group_conv: str = "grouped") -> LatencyCheck | None:
    """Env latency of ``arch`` vs the simulated latency of its exported-form network imported through torch.fx.

    ``cost_spec`` is the env's cost model spec (``None``: Tensor G1). Returns ``None`` for cost models that do not
    simulate a graph (``macs``, task heads).
    """
    from nasgym.hw import make_cost_model, simulate
    from nasgym.hw.cost import EdgeTPUCostModel

    cost = make_cost_model(cost_spec or {"kind": "edgetpu", "hardware": "tensor-g1"})
    if not isinstance(cost, EdgeTPUCostModel):
        return None
    h, w, c = cost.input_shape or arch.input_shape
    deployment = arch if (h, w, c) == tuple(arch.input_shape) else arch.replace(input_shape=(h, w, c))
    graph = build_network(deployment, cost.num_classes, group_conv).eval()
    graph_ms = simulate(graph, cost.hw, input_shape=(c, h, w)).latency_ms
    task_ms = float("nan")
    if task_model is not None and task_shape is not None:
        task_ms = simulate(task_model, cost.hw, input_shape=task_shape).latency_ms
    return LatencyCheck(cost.hw.name, float(cost.evaluate(arch)["latency_ms"]), float(graph_ms), float(task_ms))


def trained_folder(source: Source) -> Path | None:
    """The finalized folder of ``source``: itself, or ``RUN/final`` of a run folder when it exists."""
    if source.kind == "final":
        return source.path
    if source.kind == "run" and (source.path / "final" / FINAL_FILE).is_file():
        return source.path / "final"
    return None


def export(source: Source, fmt: str, out: str | Path | None = None, untrained: bool = False,
           images: int = CHECK_IMAGES, hardware: str | None = None) -> ExportReport:
    """Export the network of ``source`` (see the module docstring) and check it.

    Args:
        source: A resolved SOURCE (:func:`nasgym.deploy.source.resolve`).
        fmt: One of :data:`FORMATS`.
        out: Output file (default: ``model.onnx`` / ``model_int8.tflite`` in the trained folder, else the
            current folder).
        untrained: Allow exporting freshly initialized weights when nothing was trained (for latency and compiler
            checks only).
        images: Validation images for the output check (int8: also the test-set agreement of :mod:`.tflite`).
        hardware: Simulate this preset instead of the run's cost model.

    Raises:
        ValueError: On an unknown format, or no trained network without ``untrained``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"--format {fmt!r} is invalid: expected one of {', '.join(FORMATS)}")
    folder = trained_folder(source)
    if folder is None and not untrained:
        if source.kind == "run":
            where = f"run folder {str(source.path)!r} has no trained network ({source.path}/final)"
        else:
            where = f"{source.arch.to_string()[:40]}... is an architecture, not a trained network"
        raise ValueError(f"{where}: run `train.py finalize` on it first (or pass --untrained to export fresh "
                         "weights for latency and compiler checks only)")
    task = source.task()
    dataset = task.load()
    group_conv = "split" if fmt == "tflite-int8" else "grouped"
    if folder is not None:
        model, arch = load_network(folder, dataset.num_classes, group_conv)
    else:
        arch = task_architecture(source.arch, dataset.input_shape)
        torch.manual_seed(0)
        model = build_network(arch, dataset.num_classes, group_conv).eval()
    h, w, c = arch.input_shape
    default_dir = folder if folder is not None else Path(".")
    path = Path(out) if out else default_dir / ("model.onnx" if fmt == "onnx" else "model_int8.tflite")
    from nasgym.quality.training import to_input

    check_images = to_input(dataset, dataset.x_val[:images], channels_last=False)
    extra: dict = {}
    if fmt == "onnx":
        export_onnx(model, (c, h, w), path)
        check = check_onnx(path, model, check_images)
    else:
        from nasgym.deploy.tflite import export_tflite_int8

        check, extra = export_tflite_int8(model, dataset, path, images=images)
    cost_spec = dict(source.env.get("cost") or {"kind": "edgetpu", "hardware": "tensor-g1"})
    if hardware:
        cost_spec = {**cost_spec, "hardware": hardware}
    latency = latency_check(source.arch, cost_spec, model, (c, h, w), group_conv)
    record = {"format": fmt, "file": path.name, "trained": folder is not None, "input": "images",
              "input_shape_nchw": [1, c, h, w], "normalize": {"mean": dataset.mean, "std": dataset.std,
                                                             "formula": "(pixel / 255 - mean) / std"},
              "num_classes": dataset.num_classes, "task": task.to_dict(), "architecture": arch.to_dict(),
              "searched_architecture": source.arch.to_string(), "check": asdict(check),
              "latency": asdict(latency) if latency else None, **extra}
    atomic_write_text(path.with_name(path.stem + ".export.json"), json.dumps(record, indent=2, default=str) + "\n")
    return ExportReport(path, fmt, folder is not None, check, latency, extra)
