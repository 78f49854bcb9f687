"""Where an evaluator computes: ``device: auto | cpu | cuda | cuda:N`` (``auto`` = CUDA when present, else CPU).

The device is not part of an evaluator's fingerprint: a result computed on a GPU and one computed on a CPU for the
same (architecture, config, seed) are the same cache entry. GPU kernels round differently (and cuDNN picks
algorithms per run), so the two differ by float noise, far below the evaluator's own seed noise; like NAS benchmarks
that treat repeated seeds as samples of one distribution, nasgym treats them as two samples of the same quantity and
keeps whichever came first. Each result records the device it ran on (``device`` in the cached metrics), and
``benchmarks/gpu_check.py`` measures how well GPU and CPU scores agree (Kendall tau of the rankings).
"""

from __future__ import annotations

import dataclasses
import re

from nasgym.quality.config import Check

_DEVICE = re.compile(r"auto|cpu|cuda(:\d+)?")


def device_check() -> Check:
    """The config check of a ``device`` field."""
    return (lambda v: isinstance(v, str) and _DEVICE.fullmatch(v) is not None, "'auto', 'cpu', 'cuda' or 'cuda:N'")


def resolve_device(spec: str):  # -> torch.device (torch imported lazily)
    """The torch device of ``spec``; ``ValueError`` for a CUDA device this machine does not have."""
    import torch

    if spec == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(spec)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"device={spec!r} is invalid here: CUDA is not available (expected 'auto' or 'cpu')")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise ValueError(f"device={spec!r} is invalid: this machine has {torch.cuda.device_count()} CUDA "
                             "device(s)")
    return device


def dataset_to(dataset, device):  # (Dataset, torch.device) -> Dataset
    """``dataset`` with every tensor on ``device`` (the same object on the CPU)."""
    import torch

    if device.type == "cpu":
        return dataset
    return dataclasses.replace(dataset, **{f.name: getattr(dataset, f.name).to(device)
                                           for f in dataclasses.fields(dataset)
                                           if isinstance(getattr(dataset, f.name), torch.Tensor)})
