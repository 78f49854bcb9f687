"""``train``: short standalone training of the proxy network on a registered task, averaged over a few seeds.

The task (:mod:`nasgym.tasks`, ``task`` field) gives the data, the proxy adaptation, the head and the metric:
``classification`` (the default: Fashion-MNIST or digits, optionally on a canvas), ``segmentation`` (mean IoU) or
``text`` (top-1, the blocks in 1-D), or any task registered with :func:`nasgym.tasks.register_task`. Each repeat
builds the proxy network with a seeded init, trains it for ``steps`` minibatches of the training split with the
shared trainer of :mod:`nasgym.quality.training` (AdamW by default, cosine LR with linear warm-up, label smoothing,
a fixed thread count; per-pixel cross-entropy for segmentation), recomputes the BatchNorm statistics as the average
over ``bn_images`` training examples (essential at small budgets) and scores the validation split with the task's
metric. ``accuracy`` (the quality the reward reads) is the mean over ``repeats`` repeats; ``accuracy_std`` their
standard deviation (the evaluator's own seed noise). With a ``calibration`` (classification task), ``accuracy`` is
the long training's accuracy predicted from the score and the network's size (:mod:`nasgym.quality.calibration`);
the measured score is ``proxy_accuracy``.

Each task has its own config and defaults (:class:`~nasgym.tasks.TrainConfig` for classification,
:class:`~nasgym.tasks.TaskConfig` otherwise) and fingerprint (``train-v1-...`` / ``task-NAME-v1-...``, unchanged
from when they were two evaluators). ``kind: task`` (:class:`TaskEvaluator`) is an alias whose default task is
``segmentation``: ``{"kind": "task", "task": "text"}`` and ``{"kind": "train", "task": "text"}`` are one evaluator.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from nasgym.model import build_model, count
from nasgym.model.heads import get_head
from nasgym.quality.base import ConfiguredEvaluator, Stopwatch, failed_metrics
from nasgym.quality.calibration import calibrate
from nasgym.quality.data import Dataset
from nasgym.quality.device import dataset_to, resolve_device
from nasgym.quality.training import (
    Diverged,
    TrainSettings,
    derive_seed,
    fixed_threads_and_seed,
    recalibrate_bn,
    train,
    training_settings,
)
from nasgym.space.architecture import Architecture
from nasgym.tasks.classification import TrainConfig
from nasgym.tasks.metrics import SCORES
from nasgym.tasks.registry import TaskConfig, TaskSpec, get_task, task_names

__all__ = ["TaskConfig", "TaskEvaluator", "TrainConfig", "TrainEvaluator"]


class TrainEvaluator(ConfiguredEvaluator):
    """Short proxy training on a registered task (see the module docstring). Constructing it is cheap. The task
    parses and fingerprints the config (its own version and excluded fields).

    Args:
        config: A ready config of the task (a :class:`~nasgym.tasks.TrainConfig` is the classification task, a
            :class:`~nasgym.tasks.TaskConfig` names its task); or None and:
        **fields: ``task`` (default :attr:`default_task`) and that task's config fields.
    """

    kind = "train"
    default_task = "classification"

    def __init__(self, config: Any = None, **fields: object) -> None:
        if config is not None:
            self.spec: TaskSpec = get_task(getattr(config, "task", "classification"))
        else:
            name = fields.get("task", self.default_task)
            if not isinstance(name, str) or name not in task_names():
                raise ValueError(f"{self.kind} evaluator field task={name!r} is invalid: expected a registered task "
                                 f"({', '.join(task_names())})")
            self.spec = get_task(name)
        super().__init__(config, **fields)
        self._on_device: tuple = (None, None)  # (device, dataset moved there once)

    def parse(self, fields: dict[str, object]) -> Any:
        """The task's config from its fields (validated by the task)."""
        return self.spec.parse(fields, self.kind)

    def make_fingerprint(self) -> str:
        """The task's cache key of ``config``."""
        return self.spec.fingerprint(self.config)

    def settings(self) -> TrainSettings:
        """The training hyper-parameters of one repeat."""
        return training_settings(self.config, self._channels_last())

    def _channels_last(self) -> bool:
        return self.config.channels_last and not get_head(self.spec.head).one_d

    def dataset(self) -> Dataset:
        """The task's data (memoized by its reader)."""
        return self.spec.dataset(self.config)

    def dataset_on(self, device: torch.device) -> Dataset:
        """:meth:`dataset` with its tensors on ``device`` (moved once, then kept)."""
        if self._on_device[0] != device:
            self._on_device = (device, dataset_to(self.dataset(), device))
        return self._on_device[1]

    def proxy(self, arch: Architecture, dataset: Dataset) -> Architecture:
        """The proxy network of ``arch`` for ``dataset`` (1-D for the text head)."""
        return self.spec.proxy(arch, dataset, self.config)

    def build(self, proxy: Architecture, dataset: Dataset) -> nn.Module:
        """The proxy network as a torch module with the task's head."""
        head = self.spec.head
        if get_head(head).one_d:  # over token embeddings: the head needs the vocabulary
            vocabulary = getattr(dataset, "vocabulary", None)
            if vocabulary is None:
                raise ValueError(f"task {self.spec.name!r} has the {head} head but its reader returned a "
                                 f"{type(dataset).__name__} without a vocabulary: expected a TextDataset")
            return build_model(proxy, dataset.num_classes, task=head, vocab_size=len(vocabulary))
        return build_model(proxy, dataset.num_classes, task=head, in_channels=dataset.input_shape[2])

    def evaluate(self, arch: Architecture, seed: int) -> dict:
        """Mean validation score over ``repeats`` seeded short trainings; never raises for a diverging net."""
        watch = Stopwatch()
        c = self.config
        device = resolve_device(getattr(c, "device", "cpu"))  # only the classification config has a device
        dataset = self.dataset_on(device)
        proxy = self.proxy(arch, dataset)
        counts = count(proxy, num_classes=dataset.num_classes, task=self.spec.head)
        info = {"params": counts.params, "proxy_macs": counts.macs, "device": str(device)}
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
        metrics = {
            "accuracy": float(np.mean(scores)),
            "accuracy_std": float(np.std(scores, ddof=1)) if len(scores) > 1 else 0.0,
            "seed_accuracies": scores,
            self.spec.metric: float(np.mean(scores)),
            **extra,
            "train_loss": float(np.mean([run["train_loss"] for run in runs])),
            **({"curve_steps": self.curve_steps(),
                "curve": np.mean([run["curve"] for run in runs], axis=0).tolist()} if c.curve else {}),
            "train_images": c.steps * c.batch_size * c.repeats,
            **info,
        }
        calibration = getattr(c, "calibration", None)  # only the classification config has one
        if calibration:
            metrics = calibrate(metrics, calibration, arch, dataset.num_classes, self.spec.metric)
        return {**metrics, **watch.times()}

    def _run(self, proxy: Architecture, dataset: Dataset, run_seed: int) -> dict:
        c = self.config
        channels_last = self._channels_last()
        with fixed_threads_and_seed(c.threads, run_seed):
            model = self.build(proxy, dataset)
            model = model.to(dataset.x_train.device)  # initialized on the CPU: the same weights on every device
            if channels_last:
                model = model.to(memory_format=torch.channels_last)
            generator = torch.Generator().manual_seed(run_seed)
            curve: list[float] = []
            loss = train(model, dataset, self.settings(), generator,
                         self._curve_hook(model, dataset, run_seed, curve) if c.curve else None)
            recalibrate_bn(model, dataset, c.bn_images, 256, generator, channels_last)
            return {**self._score(model, dataset), "train_loss": loss, **({"curve": curve} if c.curve else {})}

    def _score(self, model: nn.Module, dataset: Dataset, images: int | None = None) -> dict:
        """The task's metrics of ``model`` on the first ``images`` of the configured split (default ``val_images``;
        0 = all), its BN statistics already recomputed."""
        c = self.config
        scorer, _ = SCORES[self.spec.metric]
        split = getattr(c, "split", "val")  # "test": final reporting only (the search scores validation)
        scored = dataset if split == "val" else dataclasses.replace(dataset, x_val=dataset.x_test,
                                                                   y_val=dataset.y_test)
        return scorer(model, scored, c.val_images if images is None else images, self._channels_last())

    def curve_steps(self) -> list[int]:
        """The training steps after which a learning-curve point is measured (``curve`` fractions of ``steps``)."""
        c = self.config
        return sorted({max(1, round(f * c.steps)) for f in c.curve} - {c.steps})

    def _curve_hook(
        self, model: nn.Module, dataset: Dataset, run_seed: int, curve: list[float],
    ) -> Callable[[int], None]:
        """An ``after_step`` hook appending the score at each ``curve`` fraction of the steps to ``curve``: BN
        statistics recomputed from their own generator and the global RNG (dropout) restored, so the training (and
        its final score) is bit-identical to one without the curve. Each point scores ``curve_val_images``
        validation images (0: as many as the final score), so cheap points can use fewer."""
        c = self.config
        _, key = SCORES[self.spec.metric]
        points = set(self.curve_steps())

        def after_step(done: int) -> None:
            if done in points:
                device = dataset.x_train.device
                with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):  # dropout's RNG
                    bn_generator = torch.Generator().manual_seed(derive_seed(run_seed, done, 1))
                    recalibrate_bn(model, dataset, c.bn_images, 256, bn_generator, self._channels_last())
                    curve.append(self._score(model, dataset, c.curve_val_images or c.val_images)[key])
                model.train()
        return after_step


class TaskEvaluator(TrainEvaluator):
    """``kind: task``: the ``train`` evaluator under its other name, whose default task is ``segmentation``."""

    kind = "task"
    default_task = "segmentation"
