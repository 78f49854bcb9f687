"""``train``: standalone short training of the proxy network, averaged over a few seeds.

Each repeat builds the proxy network (see :mod:`nasgym.quality.proxy`) with a seeded init, trains it for ``steps``
minibatches of the training split (AdamW by default, cosine LR with linear warm-up, label smoothing, channels_last,
a fixed thread count), recomputes the BatchNorm statistics as the average over ``bn_images`` training images
(essential at small budgets) and scores top-1 accuracy on the validation split. ``accuracy`` is the mean over
``repeats`` repeats; ``accuracy_std`` their standard deviation (the evaluator's own seed noise).
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass

import numpy as np
import torch

from nasgym.model import count
from nasgym.quality.base import Stopwatch, failed_metrics
from nasgym.quality.canvas import canvas_dataset, check_canvas
from nasgym.quality.config import fingerprint, number_pair, one_of, optional_str, parse_config, positive_int
from nasgym.quality.data import DATASETS, IMAGE_SIDES, Dataset, load_dataset
from nasgym.quality.device import device_check, resolve_device
from nasgym.quality.proxy import build_proxy_model, proxy_architecture
from nasgym.quality.training import (
    TRAINING_CHECKS,
    Diverged,
    TrainSettings,
    accuracy,
    derive_seed,
    fixed_threads_and_seed,
    recalibrate_bn,
    train,
    training_settings,
)
from nasgym.space.architecture import Architecture

VERSION = 1


@dataclass(frozen=True)
class TrainConfig:
    """Config of the ``train`` evaluator (budget per repeat = ``steps * batch_size`` images)."""

    dataset: str = "fashion_mnist"
    data_dir: str | None = None
    steps: int = 100
    batch_size: int = 64
    repeats: int = 2
    optimizer: str = "adamw"
    lr: float = 0.003
    momentum: float = 0.9
    weight_decay: float = 5e-5
    label_smoothing: float = 0.1
    warmup_steps: int = 10
    bn_images: int = 2048
    val_images: int = 0
    width_multiplier: float = 1.0
    channels_last: bool = True
    threads: int = 1
    divergence_loss: float = 100.0
    canvas: int = 0
    canvas_scale: tuple[float, float] = (1.0, 2.0)
    device: str = "auto"  # not in the fingerprint (see nasgym.quality.device)

    def __post_init__(self) -> None:
        object.__setattr__(self, "canvas_scale", tuple(self.canvas_scale))


TRAIN_CHECKS = {
    "dataset": one_of(*DATASETS), "data_dir": optional_str(), **TRAINING_CHECKS,
    "canvas": positive_int(0), "canvas_scale": number_pair(0.0, 16.0), "device": device_check(),
}


class TrainEvaluator:
    """Short standalone training on the proxy task (see module docstring). Constructing it is cheap."""

    kind = "train"

    def __init__(self, config: TrainConfig | None = None, **fields: object) -> None:
        self.config = config or parse_config(TrainConfig, fields, TRAIN_CHECKS, self.kind)
        if self.config.canvas:
            check_canvas(self.config.canvas, self.config.canvas_scale, IMAGE_SIDES[self.config.dataset])
        # Without a canvas the fingerprint is the one from before the canvas fields existed (cache stays valid).
        unused = () if self.config.canvas else ("canvas", "canvas_scale")
        self.fingerprint = fingerprint(self.kind, self.config, VERSION, exclude=("data_dir", "device", *unused))
        self._on_device: tuple = (None, None)  # (device, dataset moved there once)

    def __repr__(self) -> str:
        return f"TrainEvaluator({self.fingerprint})"

    def settings(self) -> TrainSettings:
        """The training hyper-parameters of one repeat."""
        return training_settings(self.config, self.config.channels_last)

    def dataset(self) -> Dataset:
        """The proxy task's data: the dataset, on ``canvas`` x ``canvas`` canvases when ``canvas`` > 0."""
        c = self.config
        dataset = load_dataset(c.dataset, c.data_dir)
        return canvas_dataset(dataset, c.canvas, c.canvas_scale) if c.canvas else dataset

    def evaluate(self, arch: Architecture, seed: int) -> dict:
        """Mean validation accuracy over ``repeats`` seeded short trainings; never raises for a diverging net."""
        watch = Stopwatch()
        c = self.config
        device = resolve_device(c.device)
        dataset = self.dataset_on(device)
        proxy = proxy_architecture(arch, dataset.input_shape, c.width_multiplier)
        counts = count(proxy, num_classes=dataset.num_classes)
        info = {"params": counts.params, "proxy_macs": counts.macs, "device": str(device)}
        accuracies, losses = [], []
        try:
            for repeat in range(c.repeats):
                run_seed = derive_seed(seed, repeat)
                acc, loss = self._run(arch, dataset, run_seed)
                accuracies.append(acc)
                losses.append(loss)
        except Diverged as error:
            times = watch.times()
            return failed_metrics(str(error), times.pop("eval_seconds"), **times, **info)
        return {
            "accuracy": float(np.mean(accuracies)),
            "accuracy_std": float(np.std(accuracies, ddof=1)) if len(accuracies) > 1 else 0.0,
            "seed_accuracies": accuracies,
            "train_loss": float(np.mean(losses)),
            "train_images": c.steps * c.batch_size * c.repeats,
            **info,
            **watch.times(),
        }

    def dataset_on(self, device) -> Dataset:
        """:meth:`dataset` with its tensors on ``device`` (moved once, then kept)."""
        if self._on_device[0] != device:
            data = self.dataset()
            if device.type != "cpu":
                data = dataclasses.replace(data, **{f.name: getattr(data, f.name).to(device)
                                                    for f in dataclasses.fields(data)
                                                    if isinstance(getattr(data, f.name), torch.Tensor)})
            self._on_device = (device, data)
        return self._on_device[1]

    def _run(self, arch: Architecture, dataset, run_seed: int) -> tuple[float, float]:
        c = self.config
        with fixed_threads_and_seed(c.threads, run_seed):
            model = build_proxy_model(arch, dataset.num_classes, dataset.input_shape, c.width_multiplier)
            model = model.to(dataset.x_train.device)  # initialized on the CPU: the same weights on every device
            if c.channels_last:
                model = model.to(memory_format=torch.channels_last)
            generator = torch.Generator().manual_seed(run_seed)
            loss = train(model, dataset, self.settings(), generator)
            recalibrate_bn(model, dataset, c.bn_images, 256, generator, c.channels_last)
            return accuracy(model, dataset, c.val_images, c.channels_last), loss

    def describe(self) -> dict:
        """Kind, fingerprint and config as a plain dict."""
        return {"kind": self.kind, "fingerprint": self.fingerprint, **asdict(self.config)}
