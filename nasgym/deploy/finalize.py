"""Final training of a searched architecture (``train.py finalize``): a real budget on the task the search measured.

The network is the architecture adapted to the task input exactly as the run's evaluator adapted it
(:mod:`nasgym.deploy.network`), trained with the shared training pieces of :mod:`nasgym.quality.training`
(optimizer, warm-up + cosine schedule per step, label smoothing, divergence checks, accuracy) for whole epochs of
the training split, with random-shift augmentation (:mod:`nasgym.deploy.augment`), on CUDA when available. After
every epoch it scores the validation split and writes ``checkpoint.pt`` (model, optimizer, data order and RNG
states; read back with ``torch.load(weights_only=True)``), so a rerun of the same command continues from the last
finished epoch. At the end the test split is scored once and ``weights.pt`` (``state_dict``), ``arch.json`` (the
trained network) and ``final.json`` (task, recipe, per-epoch history, validation and test accuracy) are written,
every file atomically.

Python::

    from nasgym.deploy.finalize import Recipe, finalize
    from nasgym.deploy.source import resolve
    source = resolve("runs/mppo")                      # a run folder, an architecture string / JSON, a reference
    record = finalize(source, "runs/mppo/final", Recipe(epochs=30))
    record["test_accuracy"]
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch
from torch import nn

from nasgym.deploy.augment import default_shift, random_shift
from nasgym.deploy.network import (
    ARCH_FILE,
    CHECKPOINT_FILE,
    FINAL_FILE,
    WEIGHTS_FILE,
    atomic_save,
    atomic_write_text,
    build_network,
    task_architecture,
)
from nasgym.deploy.source import Source, TaskData
from nasgym.quality.training import OPTIMIZERS, Diverged, TrainSettings, accuracy, make_optimizer, train_step
from nasgym.quality.training import to_input as normalized


@dataclass(frozen=True)
class Recipe:
    """The final-training recipe (also used for the reference networks, so they compare fairly).

    Attributes:
        epochs: Passes over the training split.
        batch_size: Images per step.
        lr: Peak learning rate (linear warm-up for ``warmup_epochs``, then cosine to zero, per step).
        optimizer: ``adamw`` or ``sgd`` (Nesterov momentum 0.9).
        weight_decay: Weight decay (decoupled for AdamW).
        label_smoothing: Label smoothing of the cross-entropy.
        warmup_epochs: Warm-up length in epochs (may be fractional).
        shift: Random-shift augmentation in pixels; ``-1`` = :func:`~nasgym.deploy.augment.default_shift`.
        seed: Initialization, data order and augmentation seed.
        train_images: Use only the first N training images (0 = all; for quick checks).
    """

    epochs: int = 30
    batch_size: int = 128
    lr: float = 0.003
    optimizer: str = "adamw"
    weight_decay: float = 0.01
    label_smoothing: float = 0.1
    warmup_epochs: float = 1.0
    shift: int = -1
    seed: int = 0
    train_images: int = 0

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}={value!r} is invalid: expected an int >= 1")
        for name, low in (("shift", -1), ("seed", 0), ("train_images", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name}={value!r} is invalid: expected an int >= {low}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer={self.optimizer!r} is invalid: expected one of {', '.join(OPTIMIZERS)}")
        for name, low, high in (("lr", 0.0, 10.0), ("weight_decay", 0.0, 1.0), ("label_smoothing", 0.0, 0.99),
                                ("warmup_epochs", 0.0, float(self.epochs))):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high \
                    or (name == "lr" and value == 0):
                raise ValueError(f"{name}={value!r} is invalid: expected a number in "
                                 f"{'(' if name == 'lr' else '['}{low:g}, {high:g}]")


class _OnDevice(nn.Module):
    """``model`` on ``device`` taking and returning CPU tensors (so the shared CPU scoring helpers apply)."""

    def __init__(self, model: nn.Module, device: torch.device) -> None:
        super().__init__()
        self.model, self.device = model, device

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x.to(self.device)).float().cpu()


def pick_device(device: str | None = None) -> torch.device:
    """``device`` if given, else ``cuda`` when available, else ``cpu``."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        return torch.device(device)
    except RuntimeError:
        raise ValueError(f"--device {device!r} is invalid: expected cpu, cuda or cuda:N") from None


def _identity(net_arch_json: str, task: TaskData, recipe: Recipe) -> str:
    task_fields = {k: v for k, v in task.to_dict().items() if k != "data_dir"}
    return json.dumps({"arch": net_arch_json, "task": task_fields, "recipe": asdict(recipe)}, sort_keys=True)


def finalize(source: Source, out: str | Path, recipe: Recipe | None = None, task: TaskData | None = None,
             device: str | None = None, progress: Callable[[str], None] = print) -> dict:
    """Train ``source``'s architecture on its task (see the module docstring); returns the ``final.json`` record.

    Args:
        source: A resolved SOURCE (its task: the run's evaluator input, else ``task``, else Fashion-MNIST).
        out: Output folder (created); a rerun with the same arguments resumes from its checkpoint.
        recipe: The training recipe (default :class:`Recipe`).
        task: Task data for sources without a run (architectures); ignored for runs and finalized folders.
        device: ``cpu``, ``cuda``, ...; default CUDA when available.
        progress: Called with one line per epoch.

    Raises:
        ValueError: If ``out`` holds another finalize run, or training diverges (the message says where).
    """
    recipe = recipe or Recipe()
    task = source.task(task)
    dataset = task.load()
    if recipe.train_images:
        dataset = replace(dataset, x_train=dataset.x_train[:recipe.train_images],
                          y_train=dataset.y_train[:recipe.train_images])
    net_arch = task_architecture(source.arch, dataset.input_shape)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {str(out)!r} is a file: expected a folder (new or of this finalize run)")
    out.mkdir(parents=True, exist_ok=True)
    identity = _identity(net_arch.to_json(), task, recipe)
    done = out / FINAL_FILE
    if done.is_file():
        record = json.loads(done.read_text())
        if record.get("identity") == identity and (out / WEIGHTS_FILE).is_file():
            progress(f"{out}: already finalized (test accuracy {record['test_accuracy']:.4f})")
            return record
    dev = pick_device(device)
    n = len(dataset.x_train)
    batch = min(recipe.batch_size, n)
    per_epoch = n // batch
    settings = TrainSettings(steps=recipe.epochs * per_epoch, batch_size=batch, lr=recipe.lr,
                             optimizer=recipe.optimizer, weight_decay=recipe.weight_decay,
                             label_smoothing=recipe.label_smoothing,
                             warmup_steps=round(recipe.warmup_epochs * per_epoch))
    shift = default_shift(dataset.input_shape[0]) if recipe.shift < 0 else recipe.shift
    torch.manual_seed(recipe.seed)
    channels_last = dev.type == "cuda"  # on CPU, small maps are several times faster in the default layout
    model = build_network(net_arch, dataset.num_classes).to(dev)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    optimizer = make_optimizer([p for p in model.parameters() if p.requires_grad], settings)
    generator = torch.Generator().manual_seed(recipe.seed)
    history: list[dict] = []
    checkpoint = out / CHECKPOINT_FILE
    if checkpoint.is_file():
        history = _resume(checkpoint, identity, model, optimizer, generator, dev)
        progress(f"{out}: resuming after epoch {len(history)}/{recipe.epochs}")
    scored = _OnDevice(model, dev)
    for epoch in range(len(history), recipe.epochs):
        start, losses = time.monotonic(), []
        model.train()
        order = torch.randperm(n, generator=generator)
        for b in range(per_epoch):
            step = epoch * per_epoch + b
            idx = order[b * batch:(b + 1) * batch]
            x = normalized(dataset, random_shift(dataset.x_train[idx], shift, generator), channels_last).to(dev)
            try:
                losses.append(train_step(model, optimizer, x, dataset.y_train[idx].to(dev), step, settings))
            except Diverged as err:
                raise ValueError(f"final training diverged in epoch {epoch + 1} ({err}): expected a finite loss; "
                                 f"lower --lr (now {recipe.lr:g})") from None
        val = accuracy(scored, dataset, channels_last=channels_last)
        history.append({"epoch": epoch + 1, "train_loss": sum(losses) / max(1, len(losses)), "val_accuracy": val,
                        "seconds": round(time.monotonic() - start, 2)})
        atomic_save({"identity": identity, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                     "generator": generator.get_state(), "torch_rng": torch.get_rng_state(),
                     "history": json.dumps(history)}, checkpoint)
        progress(f"epoch {epoch + 1}/{recipe.epochs}: train loss {history[-1]['train_loss']:.4f}, validation "
                 f"accuracy {val:.4f} ({history[-1]['seconds']:.0f} s, {dev})")
    test = accuracy(scored, replace(dataset, x_val=dataset.x_test, y_val=dataset.y_test), channels_last=channels_last)
    params = sum(p.numel() for p in model.parameters())
    atomic_save({k: v.cpu() for k, v in model.state_dict().items()}, out / WEIGHTS_FILE)
    atomic_write_text(out / ARCH_FILE, net_arch.to_json(indent=2) + "\n")
    record = {"arch": source.arch.to_dict(), "arch_string": source.arch.to_string(), "arch_hash": source.arch.hash,
              "network": net_arch.to_string(), "task": task.to_dict(), "recipe": asdict(recipe),
              "val_accuracy": history[-1]["val_accuracy"] if history else math.nan, "test_accuracy": test,
              "params": params, "device": str(dev), "history": history, "source": str(source.path or ""),
              "env": source.env, "identity": identity}
    atomic_write_text(done, json.dumps(record, indent=2, default=str) + "\n")
    return record


def _resume(path: Path, identity: str, model: nn.Module, optimizer: torch.optim.Optimizer,
            generator: torch.Generator, device: torch.device) -> list[dict]:
    """Load a checkpoint of the same finalize run into the objects; returns the finished epochs' history."""
    try:
        state = torch.load(path, map_location=device, weights_only=True)
    except Exception as err:  # a planted pickle, a truncated file: both are refused, never executed
        raise ValueError(f"checkpoint {str(path)!r} cannot be read ({type(err).__name__}): expected a nasgym "
                         "finalize checkpoint; delete it to start over") from None
    if not isinstance(state, dict) or state.get("identity") != identity:
        raise ValueError(f"folder {str(path.parent)!r} holds another finalize run (other architecture, task or "
                         "recipe): pass another --out, or the same arguments to continue it")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    generator.set_state(state["generator"])
    torch.set_rng_state(state["torch_rng"])
    return json.loads(state["history"])


def finalize_references(names: list[str], out: str | Path, recipe: Recipe, task: TaskData,
                        device: str | None = None, progress: Callable[[str], None] = print) -> dict[str, dict]:
    """Train reference networks (``nasgym.reference_names()``) under the same recipe and task, each in
    ``out/references/NAME``; returns name -> ``final.json`` record."""
    from nasgym.space.reference import reference, reference_names

    unknown = [n for n in names if n not in reference_names()]
    if unknown:
        raise ValueError(f"unknown reference net(s) {unknown}: expected names among {reference_names()}")
    records = {}
    for name in names:
        progress(f"reference {name}:")
        source = Source(reference(name), "arch")
        records[name] = finalize(source, Path(out) / "references" / name, recipe, task, device, progress)
    return records
