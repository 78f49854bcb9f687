"""Segmentation metrics: exact confusion counts, IoU by hand, absent classes, bad input."""

import math

import pytest
import torch

from nasgym.tasks.metrics import class_iou, confusion_matrix, mean_iou, pixel_accuracy


def test_confusion_matrix_counts_each_pixel_by_true_row_and_predicted_column():
    targets = torch.tensor([[0, 0, 1], [1, 2, 2]])
    preds = torch.tensor([[0, 1, 1], [1, 2, 0]])
    confusion = confusion_matrix(preds, targets, 3)
    assert confusion.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert int(confusion.sum()) == 6


def test_iou_mean_iou_and_pixel_accuracy_by_hand():
    confusion = confusion_matrix(torch.tensor([0, 1, 1, 1, 2, 0]), torch.tensor([0, 0, 1, 1, 2, 2]), 3)
    # class 0: TP 1, FP 1 (pred 0 on true 2), FN 1 -> 1/3; class 1: TP 2, FP 1 -> 2/3; class 2: TP 1, FN 1 -> 1/2
    assert class_iou(confusion) == pytest.approx([1 / 3, 2 / 3, 1 / 2])
    assert mean_iou(confusion) == pytest.approx((1 / 3 + 2 / 3 + 1 / 2) / 3)
    assert pixel_accuracy(confusion) == pytest.approx(4 / 6)


def test_class_absent_from_targets_and_predictions_is_left_out_of_the_mean():
    confusion = confusion_matrix(torch.tensor([0, 0, 2]), torch.tensor([0, 0, 2]), 4)
    ious = class_iou(confusion)
    assert ious[0] == 1.0 and ious[2] == 1.0
    assert math.isnan(ious[1]) and math.isnan(ious[3])
    assert mean_iou(confusion) == 1.0


def test_a_predicted_but_absent_class_counts_with_iou_zero():
    confusion = confusion_matrix(torch.tensor([1, 0]), torch.tensor([0, 0]), 2)
    assert class_iou(confusion) == [0.5, 0.0]
    assert mean_iou(confusion) == 0.25


def test_empty_input_scores_zero():
    confusion = confusion_matrix(torch.zeros(0, dtype=torch.int64), torch.zeros(0, dtype=torch.int64), 3)
    assert mean_iou(confusion) == 0.0 and pixel_accuracy(confusion) == 0.0


def test_bad_input_raises_value_errors_naming_the_problem():
    good = torch.zeros(2, 2, dtype=torch.int64)
    with pytest.raises(ValueError, match=r"predictions shape \(2, 2\) != targets shape \(4,\)"):
        confusion_matrix(good, torch.zeros(4, dtype=torch.int64), 3)
    with pytest.raises(ValueError, match=r"targets holds labels in \[0, 3\]: expected values in \[0, 2\]"):
        confusion_matrix(good, torch.tensor([[0, 3], [1, 1]]), 3)
    with pytest.raises(ValueError, match=r"predictions holds labels in \[-1, 0\]"):
        confusion_matrix(torch.tensor([[-1, 0], [0, 0]]), good, 3)
    with pytest.raises(ValueError, match="predictions dtype=torch.float32 is invalid"):
        confusion_matrix(good.float(), good, 3)
    with pytest.raises(ValueError, match="num_classes=0 is invalid"):
        confusion_matrix(good, good, 0)
    with pytest.raises(ValueError, match=r"confusion shape \(2, 3\) is invalid"):
        class_iou(torch.zeros(2, 3))
