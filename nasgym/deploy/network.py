"""The network that is trained and exported for a searched architecture, and its files.

The searched architecture is costed at its deployment input (e.g. 224x224x3); its quality was measured on a task
input (e.g. Fashion-MNIST 28x28x1, or a 56x56 canvas) with :func:`nasgym.quality.proxy.proxy_architecture`, which
keeps every block choice and drops strides only where the input is too small. The final network is that same
adaptation at full width, so the accuracy a search optimized is the accuracy that gets trained and deployed.

A finalized folder holds ``arch.json`` (the trained network's architecture, ``Architecture.from_json`` reads it),
``weights.pt`` (its ``state_dict``, grouped convs as one grouped conv) and ``final.json`` (task, recipe, metrics).
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import torch
from torch import nn

from nasgym.model import build_model
from nasgym.space.architecture import Architecture

WEIGHTS_FILE, ARCH_FILE, FINAL_FILE, CHECKPOINT_FILE = "weights.pt", "arch.json", "final.json", "checkpoint.pt"


def task_architecture(arch: Architecture, input_shape: tuple[int, int, int]) -> Architecture:
    """``arch`` adapted to a task input (H, W, C), exactly as the quality evaluators adapt it (width kept)."""
    from nasgym.quality.proxy import proxy_architecture

    return proxy_architecture(arch, tuple(input_shape))


def build_network(arch: Architecture, num_classes: int, group_conv: str = "grouped") -> nn.Module:
    """The classification network of ``arch`` (its own input shape), grouped convs in ``group_conv`` form."""
    return build_model(arch, num_classes=num_classes, in_channels=arch.input_shape[2], group_conv=group_conv)


def split_state_dict(model_split: nn.Module, grouped_state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """``grouped_state`` (grouped convs as one conv) mapped onto the keys of ``model_split`` (slice + per-group
    convs): a grouped conv's weight is its per-group convs' weights stacked along the output channels."""
    out = {}
    split_keys = model_split.state_dict().keys()
    for name, tensor in grouped_state.items():
        if name in split_keys:
            out[name] = tensor
            continue
        prefix = name.removesuffix(".weight")
        parts = sorted((k for k in split_keys if k.startswith(prefix + ".convs.")),
                       key=lambda k: int(k.removeprefix(prefix + ".convs.").split(".")[0]))
        if not parts:
            raise ValueError(f"weight {name!r} has no counterpart in the split network: expected the same architecture")
        out.update(zip(parts, torch.chunk(tensor, len(parts), dim=0), strict=True))
    return out


@torch.no_grad()
def fold_group_batch_norms(model: nn.Module) -> nn.Module:
    """A copy of a split-form network (eval mode) with each batch norm that follows a per-group conv stack
    (:class:`~nasgym.model.builder.SplitGroupConv`) folded into the per-group convs (weights scaled per output
    channel, a bias added) and replaced by ``Identity``. PT2E folds a batch norm only into the conv right before it;
    one after the concat would stay a float subtract, multiply and add in the int8 file. Same function, up to float
    rounding."""
    from nasgym.model.builder import ConvBN, SplitGroupConv

    model = copy.deepcopy(model).eval()
    for module in model.modules():
        if not (isinstance(module, ConvBN) and isinstance(module[0], SplitGroupConv)
                and isinstance(module[1], nn.BatchNorm2d)):
            continue
        split, bn = module[0], module[1]
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        shift = bn.bias - bn.running_mean * scale
        for i, conv in enumerate(split.convs):
            part = slice(i * conv.out_channels, (i + 1) * conv.out_channels)
            folded = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding,
                               bias=True)
            folded.weight.copy_(conv.weight * scale[part].view(-1, 1, 1, 1))
            bias = conv.bias if conv.bias is not None else torch.zeros_like(shift[part])
            folded.bias.copy_(bias * scale[part] + shift[part])
            split.convs[i] = folded
        module[1] = nn.Identity()
    return model


def load_network(folder: Path, num_classes: int, group_conv: str = "grouped") -> tuple[nn.Module, Architecture]:
    """The trained network of a finalized folder in ``group_conv`` form, in eval mode, and its architecture.

    Raises:
        ValueError: If ``arch.json`` / ``weights.pt`` are missing or do not fit each other.
    """
    from nasgym.deploy.source import load_architecture_file

    weights = folder / WEIGHTS_FILE
    if not weights.is_file():
        raise ValueError(f"finalized folder {str(folder)!r} has no {WEIGHTS_FILE}: expected the output of a "
                         "finished train.py finalize (rerun it to resume)")
    arch = load_architecture_file(folder / ARCH_FILE)
    state = torch.load(weights, map_location="cpu", weights_only=True)
    model = build_network(arch, num_classes, group_conv)
    if group_conv == "split":
        state = split_state_dict(model, state)
    try:
        model.load_state_dict(state)
    except RuntimeError as err:
        first = str(err).splitlines()[1].strip() if len(str(err).splitlines()) > 1 else str(err)
        raise ValueError(f"{str(weights)!r} does not fit {str(folder / ARCH_FILE)!r} ({first})") from None
    return model.eval(), arch


def atomic_save(obj: object, path: Path) -> None:
    """``torch.save`` to a temp name, then rename (never a half-written file at ``path``)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to a temp name, then rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
