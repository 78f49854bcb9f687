"""The deployment path measured on a small network: finalize on digits, export, check (writes RESULTS "Deployment").

A GC-IBN architecture of the proxy space is trained by ``finalize`` (scikit-learn digits, 10 epochs) and exported
to every format whose packages are installed: ONNX (checked with onnxruntime) and int8 TFLite (``nasgym[tflite]``,
checked in the LiteRT interpreter). Each format writes its own rows, so run it once per environment::

    .venv/bin/python benchmarks/deploy_check.py --write                 # ONNX (main dependencies)
    /path/to/tflite-venv/bin/python benchmarks/deploy_check.py --write  # int8 TFLite (nasgym[tflite] installed)
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
from pathlib import Path

import _bootstrap  # noqa: F401  (repository root on sys.path, one BLAS thread; before numpy)
import numpy as np
from results_md import write_section

import nasgym
from nasgym.deploy.export import export
from nasgym.deploy.finalize import Recipe, finalize
from nasgym.deploy.source import Source, TaskData, resolve

FORMATS = {"onnx": ("onnxruntime", "onnxscript"), "tflite-int8": ("litert_torch",)}
RECIPE = Recipe(epochs=10, batch_size=64, lr=0.01)


def grouped_arch() -> nasgym.Architecture:
    """The first proxy-space architecture (seeds 0, 1, ...) with a group conv."""
    space = nasgym.load_space("proxy")
    for seed in range(200):
        arch = space.sample(np.random.default_rng(seed))
        if any(b.op in ("ibn_fused_grouped", "ibn_grouped") for b in arch.blocks):
            return arch
    raise RuntimeError("no grouped architecture in 200 samples")


def main() -> None:
    """Finalize, export every installed format, print and (with --write) record the rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    arch = grouped_arch()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        record = finalize(Source(arch, "arch"), Path(tmp) / "final", RECIPE, TaskData("digits"), device="cpu")
        for fmt, modules in FORMATS.items():
            if not all(importlib.util.find_spec(m) for m in modules):
                continue
            report = export(resolve(str(Path(tmp) / "final")), fmt)
            rows.append((fmt, [line for line in report.lines() if not line.startswith("wrote ")]))
    head = [f"`benchmarks/deploy_check.py`: `{arch.to_string()}` finalized on digits ({RECIPE.epochs} epochs, CPU): "
            f"validation {record['val_accuracy']:.3f}, test {record['test_accuracy']:.3f}."]
    text = "\n".join(head + [f"\n**{fmt}**\n\n" + "\n".join(f"- {line}" for line in lines) for fmt, lines in rows])
    print(text)
    if args.write:
        for fmt, _ in rows:
            write_section(f"Deployment: {fmt}", text)


if __name__ == "__main__":
    main()
