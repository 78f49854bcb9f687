"""``task``: short training of the proxy network on a registered task (segmentation, text, ...).

Each repeat reads the task's dataset (:mod:`nasgym.tasks.registry`), adapts the architecture to the proxy input
(:mod:`nasgym.tasks.adapt`: 2-D for image heads, 1-D over token embeddings for the ``text`` head), builds it with
the task's head and a seeded init, trains it for ``steps`` minibatches with the shared trainer of
:mod:`nasgym.quality.training` (per-pixel cross-entropy for segmentation), recomputes the BatchNorm statistics
over ``bn_images`` training examples and scores the validation split with the task's metric. ``accuracy`` (the
quality the reward reads) is the mean of that metric over ``repeats``: mean IoU for segmentation, top-1 accuracy
for text. ``split="test"`` scores the test split instead (final reporting only; the search uses validation).
Config example: ``{"kind": "task", "task": "segmentation", "steps": 200, "data": {"train_size": 4000}}``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from nasgym.model import build_model, count
from nasgym.quality.base import Stopwatch, failed_metrics
from nasgym.quality.config import fingerprint, one_of, optional_str, parse_config, positive_int
from nasgym.quality.data import Dataset
from nasgym.quality.training import (
    TRAINING_CHECKS,
    Diverged,
    TrainSettings,
    derive_seed,
    fixed_threads_and_seed,
    recalibrate_bn,
    train,
    training_settings,
)
from nasgym.space.architecture import Architecture
from nasgym.tasks.adapt import segmentation_proxy, text_proxy
from nasgym.tasks.metrics import SCORES
from nasgym.tasks.registry import TASK_REGISTRY, TaskSpec, get_task

VERSION = 1


@dataclass(frozen=True)
class TaskConfig:
    """Config of the ``task`` evaluator (budget per repeat = ``steps * batch_size`` examples).

    ``data`` holds the task reader's options (e.g. ``{"train_size": 2000}``), ``data_dir`` an alternative data
    location; ``min_resolution`` 0 means the task's default; ``embed_dim`` is the token embedding width of the
    ``text`` head (the proxy input's channels).
    """

    task: str = "segmentation"
    data: dict | None = None
    data_dir: str | None = None
    steps: int = 150
    batch_size: int = 32
    repeats: int = 1
    optimizer: str = "adamw"
    lr: float = 0.005
    momentum: float = 0.9
    weight_decay: float = 1e-4
    label_smoothing: float = 0.0
    warmup_steps: int = 10
    bn_images: int = 512
    val_images: int = 0
    width_multiplier: float = 1.0
    min_resolution: int = 0
    embed_dim: int = 64
    channels_last: bool = False
    threads: int = 1
    divergence_loss: float = 100.0
    split: str = "val"


TASK_CHECKS = {
    "task": (lambda v: isinstance(v, str) and v in TASK_REGISTRY, "a registered task (segmentation, text, ...)"),
    "data": (lambda v: v is None or isinstance(v, dict), "a mapping of the task reader's options, or null"),
    "data_dir": optional_str(),
    "min_resolution": positive_int(0),
    "embed_dim": positive_int(1),
    "split": one_of("val", "test"),
    **TRAINING_CHECKS,
}


class TaskEvaluator:
    """Short proxy training on a registered task (see the module docstring). Constructing it is cheap."""

    kind = "task"

    def __init__(self, config: TaskConfig | None = None, **fields: object) -> None:
        self.config = config or parse_config(TaskConfig, fields, TASK_CHECKS, self.kind)
        self.spec: TaskSpec = get_task(self.config.task)
        self.fingerprint = fingerprint(f"{self.kind}-{self.spec.name}", self.config, VERSION)

    def __repr__(self) -> str:
        return f"TaskEvaluator({self.fingerprint})"

    def dataset(self) -> Dataset:
        """The task's dataset (memoized by its reader)."""
        return self.spec.reader(self.config.data, self.config.data_dir)

    def proxy(self, arch: Architecture, dataset: Dataset) -> Architecture:
        """The proxy network of ``arch`` for ``dataset`` (1-D for the text head)."""
        c, spec = self.config, self.spec
        min_resolution = c.min_resolution or spec.min_resolution
        if spec.head == "text":
            return text_proxy(arch, dataset.input_shape[0], c.embed_dim, c.width_multiplier, min_resolution)
        return segmentation_proxy(arch, dataset.input_shape, c.width_multiplier, min_resolution)

    def build(self, proxy: Architecture, dataset: Dataset) -> nn.Module:
        """The proxy network as a torch module with the task's head."""
        vocabulary = getattr(dataset, "vocabulary", None)
        if self.spec.head == "text":
            if vocabulary is None:
                raise ValueError(f"task {self.spec.name!r} has the text head but its reader returned a "
                                 f"{type(dataset).__name__} without a vocabulary: expected a TextDataset")
            return build_model(proxy, dataset.num_classes, task="text", vocab_size=len(vocabulary))
        return build_model(proxy, dataset.num_classes, task=self.spec.head, in_channels=dataset.input_shape[2])

    def settings(self) -> TrainSettings:
        """The training hyper-parameters of one repeat."""
        return training_settings(self.config, self._channels_last())

    def _channels_last(self) -> bool:
        return self.config.channels_last and self.spec.head != "text"

    def evaluate(self, arch: Architecture, seed: int) -> dict:
        """Mean validation score over ``repeats`` seeded short trainings; never raises for a diverging net."""
        watch = Stopwatch()
        c = self.config
        dataset = self.dataset()
        proxy = self.proxy(arch, dataset)
        counts = count(proxy, num_classes=dataset.num_classes, task=self.spec.head)
        info = {"params": counts.params, "proxy_macs": counts.macs}
        runs: list[dict] = []
        try:
            for repeat in range(c.repeats):
                runs.append(self._run(proxy, dataset, derive_seed(seed, repeat)))
        except Diverged as error:
            times = watch.times()
            return failed_metrics(str(error), times.pop("eval_seconds"), **times, **info)
        _, key = SCORES[self.spec.metric]
        scores = [run[key] for run in runs]
        extra = {name: float(np.mean([run[name] for run in runs])) for name in runs[0]
                 if name != key and isinstance(runs[0][name], float)}
        return {
            "accuracy": float(np.mean(scores)),
            "accuracy_std": float(np.std(scores, ddof=1)) if len(scores) > 1 else 0.0,
            "seed_accuracies": scores,
            self.spec.metric: float(np.mean(scores)),
            **extra,
            "train_loss": float(np.mean([run["train_loss"] for run in runs])),
            "train_images": c.steps * c.batch_size * c.repeats,
            **info,
            **watch.times(),
        }

    def _run(self, proxy: Architecture, dataset: Dataset, run_seed: int) -> dict:
        c = self.config
        channels_last = self._channels_last()
        with fixed_threads_and_seed(c.threads, run_seed):
            model = self.build(proxy, dataset)
            if channels_last:
                model = model.to(memory_format=torch.channels_last)
            generator = torch.Generator().manual_seed(run_seed)
            loss = train(model, dataset, self.settings(), generator)
            recalibrate_bn(model, dataset, c.bn_images, 256, generator, channels_last)
            scorer, _ = SCORES[self.spec.metric]
            scored = dataset if c.split == "val" else dataclasses.replace(dataset, x_val=dataset.x_test,
                                                                        y_val=dataset.y_test)
            return {**scorer(model, scored, c.val_images, channels_last), "train_loss": loss}

    def describe(self) -> dict:
        """Kind, fingerprint and config as a plain dict."""
        return {"kind": self.kind, "fingerprint": self.fingerprint, **asdict(self.config)}
