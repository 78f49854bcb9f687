"""The ``classification`` task: Fashion-MNIST (or scikit-learn digits), optionally on a larger canvas, top-1 accuracy.

The task of the ``train`` evaluator's default config and of the named specs (:mod:`nasgym.quality.named_specs`).
Its config is :class:`TrainConfig` (the historical ``train`` fields: ``dataset``, ``canvas`` / ``canvas_scale``
(:mod:`nasgym.quality.canvas`), ``device`` and the training budget), fingerprinted as ``train-v1-...`` exactly as
before the task registry existed, so every cached result stays valid. The proxy network keeps every block choice
(:func:`nasgym.quality.proxy.proxy_architecture`). Deployment: 224x224x3, 10 classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nasgym.quality.calibration import SizeCalibration, calibration_check
from nasgym.quality.canvas import canvas_dataset, check_canvas
from nasgym.quality.config import fingerprint, number_pair, one_of, optional_str, parse_config, positive_int
from nasgym.quality.data import DATASETS, IMAGE_SIDES, Dataset, load_dataset
from nasgym.quality.device import device_check
from nasgym.quality.training import TRAINING_CHECKS
from nasgym.tasks.registry import TaskSpec, register_task

VERSION = 1  # of the train evaluator's results on this task (in the fingerprint)


@dataclass(frozen=True)
class TrainConfig:
    """Config of the ``train`` evaluator on the classification task (budget per repeat = ``steps * batch_size``
    images)."""

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
    curve: tuple[float, ...] = ()  # fractions of the steps at which the score is also measured
    curve_val_images: int = 0  # validation images scored at each curve point (0: as val_images)
    device: str = "auto"  # not in the fingerprint (see nasgym.quality.device)
    calibration: SizeCalibration | None = None  # of the score (nasgym.quality.calibration); None: the raw score

    def __post_init__(self) -> None:
        object.__setattr__(self, "canvas_scale", tuple(self.canvas_scale))
        object.__setattr__(self, "curve", tuple(self.curve))
        if isinstance(self.calibration, dict):
            object.__setattr__(self, "calibration", SizeCalibration(**self.calibration))


TRAIN_CHECKS = {
    "dataset": one_of(*DATASETS), "data_dir": optional_str(), **TRAINING_CHECKS,
    "canvas": positive_int(0), "canvas_scale": number_pair(0.0, 16.0), "device": device_check(),
    "calibration": calibration_check(),
}


def read_images(options: dict, data_dir: Any = None) -> Dataset:
    """Reader of the ``classification`` task: ``options`` are ``dataset``, ``canvas`` and ``canvas_scale`` (the
    images on ``canvas`` x ``canvas`` canvases when ``canvas`` > 0)."""
    dataset = load_dataset(options["dataset"], data_dir)
    canvas = options.get("canvas", 0)
    return canvas_dataset(dataset, canvas, options.get("canvas_scale", (1.0, 2.0))) if canvas else dataset


class ClassificationTask(TaskSpec):
    """The classification task, with the ``train`` evaluator's historical config and fingerprint."""

    def parse(self, fields: dict, kind: str) -> TrainConfig:
        config = parse_config(TrainConfig, {k: v for k, v in fields.items() if k != "task"}, TRAIN_CHECKS, kind)
        if config.canvas:
            check_canvas(config.canvas, config.canvas_scale, IMAGE_SIDES[config.dataset])
        return config

    def fingerprint(self, config: TrainConfig) -> str:
        # Without a canvas the fingerprint is the one from before the canvas fields existed (cache stays valid).
        unused = () if config.canvas else ("canvas", "canvas_scale")
        return fingerprint("train", config, VERSION, exclude=("data_dir", "device", *unused))

    def reader_options(self, config: TrainConfig) -> dict:
        return {"dataset": config.dataset, "canvas": config.canvas, "canvas_scale": config.canvas_scale}


CLASSIFICATION = register_task(ClassificationTask(
    "classification", head="classification", reader=read_images, metric="accuracy", num_classes=10,
    deployment_shape=(224, 224, 3), min_resolution=2))
