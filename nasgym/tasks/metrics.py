"""Segmentation metrics: confusion matrix, per-class IoU, mean IoU and pixel accuracy.

Conventions (those of PASCAL VOC / Cityscapes): the confusion matrix is accumulated over every pixel of the whole
split (not averaged per image); row = true class, column = predicted class. The IoU of class ``c`` is
``TP / (TP + FP + FN)``; a class that appears neither in the targets nor in the predictions has no IoU (NaN) and
is left out of the mean. The background class counts like any other class.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from nasgym.quality.data import Dataset
from nasgym.quality.training import accuracy, validation_batches


def _check_labels(name: str, labels: torch.Tensor, num_classes: int) -> None:
    if labels.dtype.is_floating_point or labels.dtype == torch.bool:
        raise ValueError(f"{name} dtype={labels.dtype} is invalid: expected an integer tensor of class indices")
    if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= num_classes):
        raise ValueError(
            f"{name} holds labels in [{int(labels.min())}, {int(labels.max())}]: expected values in "
            f"[0, {num_classes - 1}]"
        )


def confusion_matrix(predictions: torch.Tensor, targets: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(num_classes, num_classes) int64 counts; entry [t, p] = pixels of true class t predicted as p.

    Raises:
        ValueError: If the shapes differ, ``num_classes`` < 1, or a label is outside [0, num_classes).
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes={num_classes!r} is invalid: expected a positive int")
    if predictions.shape != targets.shape:
        raise ValueError(
            f"predictions shape {tuple(predictions.shape)} != targets shape {tuple(targets.shape)}: expected equal"
        )
    _check_labels("predictions", predictions, num_classes)
    _check_labels("targets", targets, num_classes)
    flat = targets.reshape(-1).long() * num_classes + predictions.reshape(-1).long()
    return torch.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def class_iou(confusion: torch.Tensor) -> list[float]:
    """IoU of each class (NaN for a class absent from both targets and predictions)."""
    if confusion.ndim != 2 or confusion.shape[0] != confusion.shape[1]:
        raise ValueError(f"confusion shape {tuple(confusion.shape)} is invalid: expected a square matrix")
    tp = confusion.diag().double()
    union = confusion.sum(0).double() + confusion.sum(1).double() - tp
    return [float(t / u) if u > 0 else math.nan for t, u in zip(tp.tolist(), union.tolist(), strict=True)]


def mean_iou(confusion: torch.Tensor) -> float:
    """Mean of the defined per-class IoUs (0.0 for an empty matrix)."""
    values = [v for v in class_iou(confusion) if not math.isnan(v)]
    return sum(values) / len(values) if values else 0.0


def pixel_accuracy(confusion: torch.Tensor) -> float:
    """Fraction of pixels whose predicted class is right (0.0 for an empty matrix)."""
    total = int(confusion.sum())
    return int(confusion.diag().sum()) / total if total else 0.0


@torch.inference_mode()
def segmentation_scores(
    model: nn.Module, dataset: Dataset, images: int = 0, channels_last: bool = False, batch_size: int = 250,
) -> dict:
    """Mean IoU, pixel accuracy and per-class IoU of ``model`` on the first ``images`` validation images (0 = all).

    Raises:
        Diverged: If the network produces non-finite logits.
    """
    confusion = torch.zeros(dataset.num_classes, dataset.num_classes, dtype=torch.int64)
    for predicted, labels in validation_batches(model, dataset, images, channels_last, batch_size):
        confusion += confusion_matrix(predicted, labels, dataset.num_classes)
    return {"miou": mean_iou(confusion), "pixel_accuracy": pixel_accuracy(confusion), "class_iou": class_iou(confusion)}


def classification_scores(model: nn.Module, dataset: Dataset, images: int = 0, channels_last: bool = False) -> dict:
    """Top-1 accuracy on the first ``images`` validation examples (0 = all)."""
    return {"top1": accuracy(model, dataset, images, channels_last)}


SCORES = {"miou": (segmentation_scores, "miou"), "accuracy": (classification_scores, "top1")}
