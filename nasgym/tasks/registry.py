"""The task registry: a task is a dataset reader, a head (a ``task`` of :func:`nasgym.build_model`), a metric and the
default training config of its proxy evaluation.

Everything else (proxy network, short training, BN recalibration, cache, cost simulation, environment) is shared
infrastructure: the one ``train`` evaluator (:class:`nasgym.quality.TrainEvaluator`) trains the proxy network of
any registered task, the Edge TPU cost model (``{kind: task, task: NAME}``) simulates its deployment network. Each
shipped task is one file that registers itself: :mod:`nasgym.tasks.classification` (Fashion-MNIST / digits,
optionally on a canvas), :mod:`nasgym.tasks.segmentation` (mosaics, mean IoU), :mod:`nasgym.tasks.text` (tweet
sentiment, the blocks in 1-D).

To add a task, write a file with a reader ``(options: dict, data_dir) -> nasgym.quality.Dataset`` (labels per
image, per pixel or per sequence) that registers a :class:`TaskSpec` with :func:`register_task` (its head one of
:mod:`nasgym.model.heads`, or a new head registered there), and import it in ``nasgym/tasks/__init__.py``; then an
``envs/*.yaml`` file uses ``evaluator: {kind: train, task: NAME}`` and ``cost: {kind: task, task: NAME}``. Its
evaluator config is :class:`TaskConfig` (fingerprint ``task-NAME-v1-...``) unless the spec names another.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nasgym.model.heads import get_head, head_names
from nasgym.quality.config import fingerprint, one_of, optional_str, parse_config, positive_int
from nasgym.quality.data import Dataset
from nasgym.quality.training import TRAINING_CHECKS
from nasgym.registry import Registry
from nasgym.space.architecture import Architecture
from nasgym.tasks.adapt import segmentation_proxy, text_proxy

METRICS: tuple[str, ...] = ("miou", "accuracy")
VERSION = 1  # of the task evaluator's results (in the fingerprint)

Reader = Callable[[Any, Any], Dataset]


@dataclass(frozen=True)
class TaskConfig:
    """Evaluator config of a registered task (budget per repeat = ``steps * batch_size`` examples); the defaults
    are those of the segmentation and text tasks.

    ``data`` holds the task reader's options (e.g. ``{"train_size": 2000}``), ``data_dir`` an alternative data
    location; ``min_resolution`` 0 means the task's default; ``embed_dim`` is the token embedding width of 1-D
    (``text``) heads (the proxy input's channels); ``split`` "test" scores the test split (final reporting only).
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
    curve: tuple[float, ...] = ()  # fractions of the steps at which the score is also measured
    curve_val_images: int = 0  # validation images scored at each curve point (0: as val_images)


TASK_CHECKS = {
    "task": (lambda v: isinstance(v, str) and v in TASK_REGISTRY, "a registered task (segmentation, text, ...)"),
    "data": (lambda v: v is None or isinstance(v, dict), "a mapping of the task reader's options, or null"),
    "data_dir": optional_str(),
    "min_resolution": positive_int(0),
    "embed_dim": positive_int(1),
    "split": one_of("val", "test"),
    **TRAINING_CHECKS,
}


@dataclass(frozen=True)
class TaskSpec:
    """One task: what the evaluator trains on and the cost model deploys.

    Attributes:
        name: Registry key (``evaluator: {kind: train, task: NAME}``, ``cost: {kind: task, task: NAME}``).
        head: The ``task`` argument of :func:`nasgym.build_model` / :func:`nasgym.lower` (a registered head of
            :mod:`nasgym.model.heads`); a 1-D head (``text``) makes the proxy network 1-D (input (seq_len, 1,
            embed_dim)).
        reader: ``(options, data_dir) -> Dataset``; ``options`` come from :meth:`reader_options` (the
            evaluator's ``data`` mapping by default).
        metric: The quality score reported as ``accuracy``: "miou" (per-pixel labels) or "accuracy" (top-1).
        num_classes: Output classes of the deployment network (for the cost model; background included).
        deployment_shape: Default deployment input (height, width, channels) for the simulated latency.
        min_resolution: Default smallest final feature map side of the proxy network (see
            :mod:`nasgym.tasks.adapt`).

    Subclasses change the evaluator's config (:meth:`parse`, :meth:`fingerprint`, :meth:`reader_options`), as the
    classification task does to keep its historical ``train`` config and fingerprints.
    """

    name: str
    head: str
    reader: Reader
    metric: str
    num_classes: int
    deployment_shape: tuple[int, int, int]
    min_resolution: int = 2

    def __post_init__(self) -> None:
        if self.head not in head_names():
            raise ValueError(f"head={self.head!r} is invalid: expected one of {', '.join(head_names())}")
        if self.metric not in METRICS:
            raise ValueError(f"metric={self.metric!r} is invalid: expected one of {', '.join(METRICS)}")

    def parse(self, fields: dict, kind: str) -> Any:
        """The evaluator config of this task from the evaluator's fields (``task`` included or not); errors name
        the evaluator ``kind``."""
        return parse_config(TaskConfig, {**fields, "task": self.name}, TASK_CHECKS, kind)

    def fingerprint(self, config: Any) -> str:
        """The cache key of the evaluator's results: the config fields that affect them, and the version."""
        return fingerprint(f"task-{self.name}", config, VERSION)

    def reader_options(self, config: Any) -> Any:
        """What :attr:`reader` gets as ``options`` for ``config``."""
        return config.data

    def dataset(self, config: Any) -> Dataset:
        """The task's data for ``config`` (memoized by the reader)."""
        return self.reader(self.reader_options(config), config.data_dir)

    def proxy(self, arch: Architecture, dataset: Dataset, config: Any) -> Architecture:
        """The proxy network of ``arch`` for ``dataset`` (see :mod:`nasgym.tasks.adapt`): 2-D for image heads, 1-D
        over token embeddings for 1-D heads."""
        min_resolution = getattr(config, "min_resolution", 0) or self.min_resolution
        if get_head(self.head).one_d:
            return text_proxy(arch, dataset.input_shape[0], config.embed_dim, config.width_multiplier, min_resolution)
        return segmentation_proxy(arch, dataset.input_shape, config.width_multiplier, min_resolution)


def reader_options(cls: type, options: Any, task: str) -> Any:
    """The options dataclass ``cls`` of a reader from its ``data`` mapping (None = defaults).

    Raises:
        ValueError: If ``options`` is not a mapping or names an unknown option (the valid ones are listed).
    """
    if options is None:
        return cls()
    names = [f.name for f in dataclasses.fields(cls)]
    if not isinstance(options, dict):
        raise ValueError(f"{task} data={options!r} is invalid: expected a mapping with keys among {names}")
    unknown = sorted(set(options) - set(names))
    if unknown:
        raise ValueError(f"unknown {task} data option(s) {unknown}: valid options are {', '.join(names)}")
    return cls(**options)


TASK_REGISTRY: Registry[TaskSpec] = Registry("task")


def register_task(spec: TaskSpec) -> TaskSpec:
    """Add (or replace) a task in the registry; returns it."""
    if not isinstance(spec, TaskSpec):
        raise ValueError(f"spec={spec!r:.60} is invalid: expected a TaskSpec")
    return TASK_REGISTRY.register(spec.name, spec)


def task_names() -> tuple[str, ...]:
    """Names of the registered tasks."""
    return TASK_REGISTRY.names()


def get_task(name: str) -> TaskSpec:
    """The registered task ``name``.

    Raises:
        ValueError: If no task has that name.
    """
    return TASK_REGISTRY.get(name)
