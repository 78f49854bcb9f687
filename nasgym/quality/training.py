"""Training pieces shared by the evaluators: minibatches, cosine-LR training with divergence checks, BN recalibration,
validation accuracy, and a context that fixes the thread count and the RNG seed."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nasgym.quality.config import Check, boolean, fractions, number_in, one_of, positive_int
from nasgym.quality.data import Dataset

OPTIMIZERS: tuple[str, ...] = ("sgd", "adamw")


class Diverged(Exception):
    """Training produced a NaN/inf or exploding loss; the message is the reason."""


def derive_seed(*parts: int) -> int:
    """A 63-bit seed derived from integers (e.g. evaluation seed, repeat index, purpose)."""
    return int(np.random.SeedSequence([int(p) & 0xFFFFFFFF for p in parts]).generate_state(2, np.uint64)[0] >> 1)


@contextlib.contextmanager
def fixed_threads_and_seed(threads: int, seed: int) -> Iterator[None]:
    """Run with ``threads`` torch threads and a seeded torch RNG; restore both (and the caller's RNG) afterwards."""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            yield
    finally:
        torch.set_num_threads(previous)


def batch_indices(n: int, batch_size: int, generator: torch.Generator) -> Iterator[torch.Tensor]:
    """Endless minibatches of indices: shuffled epochs over ``n`` items (last partial batch dropped if n allows)."""
    while True:
        order = torch.randperm(n, generator=generator)
        stop = n - n % batch_size if n >= batch_size else n
        for start in range(0, stop, batch_size):
            yield order[start:start + batch_size]


def to_input(dataset: Dataset, images: torch.Tensor, channels_last: bool) -> torch.Tensor:
    """uint8 images -> normalized float input in the chosen memory format."""
    x = dataset.normalize(images)
    return x.contiguous(memory_format=torch.channels_last) if channels_last else x


@dataclass(frozen=True)
class TrainSettings:
    """Hyper-parameters of one short training run."""

    steps: int
    batch_size: int
    lr: float
    optimizer: str = "sgd"
    momentum: float = 0.9
    weight_decay: float = 5e-5
    label_smoothing: float = 0.1
    warmup_steps: int = 0
    divergence_loss: float = 100.0
    channels_last: bool = True


# Checks of the training fields every training-based evaluator config shares (see TrainSettings).
TRAINING_CHECKS: dict[str, Check] = {
    "steps": positive_int(1),
    "batch_size": positive_int(1),
    "repeats": positive_int(1),
    "optimizer": one_of(*OPTIMIZERS),
    "lr": number_in(0.0, 1e12, low_open=True),
    "momentum": number_in(0.0, 0.999),
    "weight_decay": number_in(0.0, 1.0),
    "label_smoothing": number_in(0.0, 0.99),
    "warmup_steps": positive_int(0),
    "bn_images": positive_int(0),
    "val_images": positive_int(0),
    "width_multiplier": number_in(0.0, 16.0, low_open=True),
    "channels_last": boolean(),
    "threads": positive_int(1),
    "divergence_loss": number_in(0.0, float("inf"), low_open=True),
    "curve": fractions(),
    "curve_val_images": positive_int(0),
}


def training_settings(config: object, channels_last: bool) -> TrainSettings:
    """The :class:`TrainSettings` of one repeat from an evaluator config holding the TRAINING_CHECKS fields."""
    c = config
    return TrainSettings(
        steps=c.steps, batch_size=c.batch_size, lr=c.lr, optimizer=c.optimizer, momentum=c.momentum,
        weight_decay=c.weight_decay, label_smoothing=c.label_smoothing, warmup_steps=min(c.warmup_steps, c.steps),
        divergence_loss=c.divergence_loss, channels_last=channels_last,
    )


def make_optimizer(params: list[nn.Parameter], settings: TrainSettings) -> torch.optim.Optimizer:
    """SGD (Nesterov momentum) or AdamW over ``params``."""
    if settings.optimizer == "sgd":
        return torch.optim.SGD(params, lr=settings.lr, momentum=settings.momentum, nesterov=settings.momentum > 0,
                               weight_decay=settings.weight_decay)
    return torch.optim.AdamW(params, lr=settings.lr, weight_decay=settings.weight_decay)


def lr_at(step: int, settings: TrainSettings) -> float:
    """Linear warm-up then cosine decay to zero over ``settings.steps``."""
    if step < settings.warmup_steps:
        return settings.lr * (step + 1) / settings.warmup_steps
    span = max(1, settings.steps - settings.warmup_steps)
    return 0.5 * settings.lr * (1.0 + math.cos(math.pi * (step - settings.warmup_steps) / span))


def check_loss(value: float, step: int, limit: float) -> None:
    """Raise :class:`Diverged` for a non-finite loss or one above ``limit``."""
    if not math.isfinite(value):
        raise Diverged(f"non-finite loss ({value}) at step {step}")
    if value > limit:
        raise Diverged(f"diverging loss {value:.4g} > divergence_loss={limit:g} at step {step}")


def training_batch(dataset: Dataset, idx: torch.Tensor, channels_last: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """The network input and the labels of the training examples ``idx``."""
    return to_input(dataset, dataset.x_train[idx], channels_last), dataset.y_train[idx]


def train_step(
    forward: Callable[[torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    step: int,
    settings: TrainSettings,
) -> float:
    """One step of the schedule: the LR of ``step`` (:func:`lr_at`), the label-smoothed cross-entropy of
    ``forward(x)`` against the labels ``y``, the divergence check, the update. Returns the loss.

    Raises:
        Diverged: On a NaN/inf loss or one above ``settings.divergence_loss`` (before the update).
    """
    for group in optimizer.param_groups:
        group["lr"] = lr_at(step, settings)
    loss = F.cross_entropy(forward(x), y, label_smoothing=settings.label_smoothing)
    value = float(loss.detach())
    check_loss(value, step, settings.divergence_loss)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return value


def train(
    model: nn.Module, dataset: Dataset, settings: TrainSettings, generator: torch.Generator,
    after_step: Callable[[int], None] | None = None,
) -> float:
    """Train ``model`` for ``settings.steps`` minibatches of the training split (:func:`train_step` on shuffled
    epochs drawn from ``generator``); return the mean loss of the last 10 % of steps. ``after_step(done)`` is called
    after each step with the number of steps done (e.g. to measure a learning curve; it must leave the model in
    training mode and not draw from ``generator``).

    Raises:
        Diverged: On a NaN/inf loss or one above ``settings.divergence_loss``.
    """
    model.train()
    optimizer = make_optimizer([p for p in model.parameters() if p.requires_grad], settings)
    batches = batch_indices(len(dataset.x_train), settings.batch_size, generator)
    tail: list[float] = []
    for step in range(settings.steps):
        x, y = training_batch(dataset, next(batches), settings.channels_last)
        value = train_step(model, optimizer, x, y, step, settings)
        if step >= settings.steps - max(1, settings.steps // 10):
            tail.append(value)
        if after_step is not None:
            after_step(step + 1)
    return float(np.mean(tail)) if tail else float("nan")


@torch.no_grad()
def recalibrate_bn(
    model: nn.Module, dataset: Dataset, images: int, batch_size: int, generator: torch.Generator,
    channels_last: bool = True,
) -> None:
    """Recompute every BatchNorm's running statistics as the average over ``images`` training images."""
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms or images <= 0:
        return
    momenta = [bn.momentum for bn in norms]
    for bn in norms:
        bn.reset_running_stats()
        bn.momentum = None
    model.train()
    batches = batch_indices(len(dataset.x_train), batch_size, generator)
    for _ in range(max(1, math.ceil(images / batch_size))):
        model(to_input(dataset, dataset.x_train[next(batches)], channels_last))
    for bn, momentum in zip(norms, momenta, strict=True):
        bn.momentum = momentum


def validation_batches(
    model: nn.Module, dataset: Dataset, images: int = 0, channels_last: bool = True, batch_size: int = 1000,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """``(predicted classes, labels)`` of the first ``images`` validation examples (0 = all), ``batch_size`` at a
    time, with ``model`` in eval mode. Call it under ``torch.inference_mode()``.

    Raises:
        Diverged: If the network produces non-finite logits.
    """
    model.eval()
    n = len(dataset.x_val) if images <= 0 else min(images, len(dataset.x_val))
    for start in range(0, n, batch_size):
        stop = min(n, start + batch_size)
        logits = model(to_input(dataset, dataset.x_val[start:stop], channels_last))
        if not torch.isfinite(logits).all():
            raise Diverged("non-finite logits at evaluation")
        yield logits.argmax(dim=1), dataset.y_val[start:stop]


@torch.inference_mode()
def accuracy(
    model: nn.Module, dataset: Dataset, images: int = 0, channels_last: bool = True, batch_size: int = 1000,
) -> float:
    """Top-1 accuracy on the first ``images`` validation images (0 = all).

    Raises:
        Diverged: If the network produces non-finite logits.
    """
    correct = total = 0
    for predicted, labels in validation_batches(model, dataset, images, channels_last, batch_size):
        correct += int((predicted == labels).sum())
        total += len(labels)
    return correct / total
